import {createHash} from 'node:crypto'

// The completion cache's rules: one file per cluster (named by a hash of the resolved connection,
// so secrets never reach the file name), holding each kind of answer with the time it was fetched.
// Answers older than CACHE_TTL_MS are fetched again. Pure; the file is read and written by
// lib/input/completion-cache-file.ts and lib/output/completion-cache-file.ts.

export const CACHE_TTL_MS = 30_000
/** A cluster that did not answer in time is not asked again for this long (each try costs the whole bound). */
export const UNREACHABLE_TTL_MS = 10_000

export interface CacheEntry {
  at: number
  value: unknown
  /** Its own lifetime, if not CACHE_TTL_MS. */
  ttl?: number
}

/** kind (topics, groups, configs:orders) -> entry */
export type ClusterCache = Record<string, CacheEntry>

/** The cache file's name for a connection: the same cluster and credentials give the same name. */
export function cacheFileName(properties: Readonly<Record<string, string>>): string {
  const canonical = JSON.stringify(Object.entries(properties).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
  return `${createHash('sha256').update(canonical).digest('hex').slice(0, 24)}.json`
}

/** The cached value of `kind` if it is younger than `ttlMs` at `now` (a clock that went back counts as stale). */
export function freshValue(cache: ClusterCache, kind: string, now: number, ttlMs = CACHE_TTL_MS): unknown {
  const entry = cache[kind]
  if (!entry || typeof entry.at !== 'number') return undefined
  const age = now - entry.at
  return age >= 0 && age < (entry.ttl ?? ttlMs) ? entry.value : undefined
}

/** The cache with `kind` set, and entries that expired dropped (the file does not grow without end). */
export function withValue(cache: ClusterCache, kind: string, value: unknown, now: number, ttl?: number): ClusterCache {
  const kept = Object.entries(cache).filter(([, entry]) => freshValue({x: entry}, 'x', now) !== undefined)
  return {...Object.fromEntries(kept), [kind]: ttl === undefined ? {at: now, value} : {at: now, value, ttl}}
}
