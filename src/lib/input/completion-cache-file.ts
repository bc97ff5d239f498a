import {readFileSync} from 'node:fs'

import type {ClusterCache} from '../completion/cache.js'

// Reads one cluster's completion cache file (lib/completion/cache.ts). Missing or damaged: empty.

export function readCompletionCache(path: string): ClusterCache {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'))
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as ClusterCache) : {}
  } catch {
    return {}
  }
}
