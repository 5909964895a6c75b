/**
 * The explorer works offline: every request the page makes goes to the gateway's own origin. A
 * real Chromium (the `chromium` Debian package, driven by playwright-core) opens it with every
 * other host blocked and runs a query as the development identity. Without a Chromium on the
 * machine the browser part is replaced, not skipped: the page and every asset it names are
 * fetched and checked to be same-origin.
 */

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { InProcessTransport } from '@crm/events';
import { TEST_AUTH } from '@crm/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../src/stack.ts';
import { testStackDatabases } from './harness.ts';

const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((path): path is string =>
  Boolean(path && existsSync(path)),
);

let stack: Stack;
let origin: string;

beforeAll(async () => {
  const run = randomBytes(3).toString('hex');
  const bus = new InProcessTransport();
  stack = await startStack({
    database: await testStackDatabases(run),
    transport: () => bus,
    auth: TEST_AUTH,
    devIdentity: { userId: 'dev-officer', roles: ['administrator'] },
    gatewayPort: 0,
    sandbox: true,
    logLevel: 'silent',
    namespace: `explorer-${run}`,
  });
  origin = new URL(stack.gatewayUrl).origin;
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('explorer', () => {
  it('is a same-origin page: every script, style and icon it names is served by the gateway', async () => {
    const res = await fetch(`${origin}/graphql`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '');
    expect(refs.length).toBeGreaterThanOrEqual(4);
    for (const ref of [...refs, '/graphiql/editor.worker.js', '/graphiql/json.worker.js', '/graphiql/graphql.worker.js']) {
      const asset = await fetch(new URL(ref, origin));
      expect(asset.status, ref).toBe(200);
      expect((await asset.arrayBuffer()).byteLength, ref).toBeGreaterThan(100);
    }
    // A client asking for JSON still gets the API, not the page.
    const api = await fetch(`${origin}/graphql?query=%7B__typename%7D`, { headers: { accept: 'application/json', 'apollo-require-preflight': '1' } });
    expect(await api.json()).toEqual({ data: { __typename: 'Query' } });
  }, 60_000);

  it.runIf(CHROMIUM)(
    'loads and runs a query in Chromium with every other host unreachable',
    async () => {
      const { chromium } = await import('playwright-core');
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
      try {
        const page = await browser.newPage();
        const blocked: string[] = [];
        const failed: string[] = [];
        await page.route('**/*', (route) => {
          const url = route.request().url();
          if (url.startsWith(`${origin}/`) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
          blocked.push(url);
          return route.abort('blockedbyclient');
        });
        page.on('requestfailed', (request) => failed.push(request.url()));
        const errors: string[] = [];
        page.on('pageerror', (error) => errors.push(error.message));
        page.on('console', (message) => {
          if (message.type() === 'error') errors.push(message.text());
        });

        await page.goto(`${origin}/graphql`);
        const editor = page.locator('.graphiql-query-editor .monaco-editor').first();
        await editor.waitFor({ timeout: 30_000 });
        await editor.click();
        await page.keyboard.press('ControlOrMeta+A');
        await page.keyboard.insertText('query Explorer { loanProducts { code } }');
        const answer = page.waitForResponse(
          (r) => r.url() === `${origin}/graphql` && r.request().method() === 'POST' && r.request().postData()?.includes('Explorer') === true,
        );
        await page.locator('.graphiql-execute-button').click();
        const res = await answer;
        expect(res.status()).toBe(200);
        const body = (await res.json()) as { data?: { loanProducts: unknown[] }; errors?: unknown[] };
        expect(body.errors).toBeUndefined();
        expect(Array.isArray(body.data?.loanProducts)).toBe(true);
        await expect.poll(() => page.locator('.graphiql-response').textContent(), { timeout: 10_000 }).toContain('loanProducts');

        expect(blocked).toEqual([]);
        expect(failed).toEqual([]);
        expect(errors.filter((e) => !/favicon/i.test(e))).toEqual([]);
      } finally {
        await browser.close();
      }
    },
    120_000,
  );
});
