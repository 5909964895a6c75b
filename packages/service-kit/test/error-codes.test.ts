import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GRAPHQL_ERROR_CODES, USER_ERROR_CODES } from '../src/error-codes.ts';

const root = join(import.meta.dirname, '../../..');

/** The TypeScript sources that can produce a user error: every service's src and service-kit's (no generated code, no frozen migrations). */
function sources(): { path: string; text: string }[] {
  const dirs = [...readdirSync(join(root, 'services')).map((s) => join(root, 'services', s, 'src')), join(root, 'packages/service-kit/src')];
  const out: { path: string; text: string }[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        if (name !== '__generated__' && name !== 'migrations') walk(path);
      } else if (name.endsWith('.ts') && !path.endsWith('error-codes.ts')) out.push({ path: relative(root, path), text: readFileSync(path, 'utf8') });
    }
  };
  for (const dir of dirs) if (statSync(dir, { throwIfNoEntry: false })?.isDirectory()) walk(dir);
  return out;
}

/** `{ field, code: 'X', message }`, zod `params: { code: 'X' }`, `err(field, 'X', message)` helpers; `extensions: { code: 'X' }` is a GraphQL error code. */
function codesIn(text: string): { code: string; graphql: boolean }[] {
  const found: { code: string; graphql: boolean }[] = [];
  for (const m of text.matchAll(/\bcode: '([A-Z][A-Z0-9_]*)'/g)) {
    if (m[1]) found.push({ code: m[1], graphql: text.slice(Math.max(0, m.index - 14), m.index).includes('extensions: {') });
  }
  for (const [, code] of text.matchAll(/\berr\([^;]*?, '([A-Z][A-Z0-9_]*)'/g)) if (code) found.push({ code, graphql: false });
  return found;
}

describe('error-code catalogue', () => {
  const files = sources();

  it('lists every code a service uses (user errors, and GraphQL error codes)', () => {
    const missing: string[] = [];
    for (const { path, text } of files) {
      for (const { code, graphql } of codesIn(text)) {
        if (!(code in (graphql ? GRAPHQL_ERROR_CODES : USER_ERROR_CODES))) missing.push(`${code} (${path})`);
      }
      // a computed code (`MORE_THAN_ONE_${kind}`): the catalogue lists its expansions
      for (const [, prefix] of text.matchAll(/\bcode: `([A-Z][A-Z0-9_]*)\$\{/g)) {
        if (prefix && !Object.keys(USER_ERROR_CODES).some((c) => c.startsWith(prefix))) missing.push(`${prefix}* (${path})`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('names the entity in every not-found code, and lists no code that nothing uses', () => {
    expect(Object.keys(USER_ERROR_CODES).filter((c) => c === 'NOT_FOUND' || c.startsWith('NOT_FOUND'))).toEqual([]);
    const all = files.map((f) => f.text).join('\n');
    const unused = Object.keys(USER_ERROR_CODES).filter((code) => {
      if (all.includes(`'${code}'`)) return false;
      const computed = [...all.matchAll(/`([A-Z][A-Z0-9_]*)\$\{/g)].some(([, prefix]) => prefix && code.startsWith(prefix));
      return !computed;
    });
    expect(unused).toEqual([]);
  });

  it('gives every code a meaning', () => {
    for (const [code, meaning] of Object.entries({ ...USER_ERROR_CODES, ...GRAPHQL_ERROR_CODES })) {
      expect(code).toMatch(/^[A-Z][A-Z0-9_]*$/);
      expect(meaning.length, code).toBeGreaterThan(10);
    }
  });
});
