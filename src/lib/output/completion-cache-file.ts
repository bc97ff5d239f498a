import {mkdirSync, renameSync, writeFileSync} from 'node:fs'
import {dirname} from 'node:path'

import type {ClusterCache} from '../completion/cache.js'

// Writes one cluster's completion cache file (lib/completion/cache.ts): whole, through a rename,
// so a completion running at the same time never reads half a file. A failure only costs speed.

export function writeCompletionCache(path: string, cache: ClusterCache): void {
  try {
    mkdirSync(dirname(path), {recursive: true, mode: 0o700})
    const tmp = `${path}.${process.pid}.tmp`
    writeFileSync(tmp, JSON.stringify(cache), {mode: 0o600})
    renameSync(tmp, path)
  } catch {
    // a read-only cache folder: completion still works, uncached
  }
}
