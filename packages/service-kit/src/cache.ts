import { performance } from 'node:perf_hooks';

/** Default life of a per-process cached setting: other instances of a service see a change within it. */
export const SETTINGS_CACHE_TTL_MS = 30_000;

export interface SettingCache<Db extends object, T> {
  /**
   * The cached value for this database handle, loaded when absent or older than the TTL; through
   * `reader` when given (a transaction of `db`: on PGlite, code holding a transaction must not
   * use a second connection).
   */
  get(db: Db, reader?: Db): Promise<T>;
  /** Drops the value (call it once a change command committed, or failed). */
  invalidate(db: Db): void;
}

/**
 * A small setting (a policy row, thresholds, tiers) cached per process and per database handle,
 * so a request does not read it again. The service's own change commands invalidate it; the TTL
 * bounds how long another instance keeps an old value. A failed load is not kept.
 */
export function settingCache<Db extends object, T>(load: (db: Db) => Promise<T>, ttlMs = SETTINGS_CACHE_TTL_MS): SettingCache<Db, T> {
  const entries = new WeakMap<Db, { value: Promise<T>; expires: number }>();
  return {
    get(db, reader) {
      const now = performance.now();
      const hit = entries.get(db);
      if (hit && hit.expires > now) return hit.value;
      const entry = { value: load(reader ?? db), expires: now + ttlMs };
      entries.set(db, entry);
      entry.value.catch(() => {
        if (entries.get(db) === entry) entries.delete(db);
      });
      return entry.value;
    },
    invalidate(db) {
      entries.delete(db);
    },
  };
}
