import {join} from 'node:path'

import {resolveConnection, type Connection} from '../config/connection.js'
import {configFilePath, readProfileFile} from '../config/profiles.js'
import {groupIds, topicConfigNames, topicPartitionCounts} from '../kafka/completion-lookup.js'
import {KafkitError} from '../errors.js'
import {KafkaSession} from '../kafka/session.js'
import {readCompletionCache} from '../input/completion-cache-file.js'
import {writeCompletionCache} from '../output/completion-cache-file.js'
import {cacheFileName, type ClusterCache, freshValue, UNREACHABLE_TTL_MS, withValue} from './cache.js'
import type {CompletionSources} from './candidates.js'
import type {TypedConnection} from './line.js'

// Where completion's dynamic values come from: the per-cluster cache when it is fresh, else the
// cluster, asked within one hard time bound. Anything that fails (no such profile, an
// unreachable broker, the bound passed) gives nothing, quietly: completion falls back to what it
// knows without a broker.

/** The bound on all broker look-ups of one completion: a shell must never hang on TAB. */
const LOOKUP_BOUND_MS = 300

const UNREACHABLE = 'unreachable'

interface SourceOptions {
  typed: TypedConnection
  /** kafkit's cache folder (lib/config/switches.ts cacheDirectory). */
  cacheDir: string
  boundMs?: number
}

export function clusterSources(options: SourceOptions): CompletionSources {
  const boundMs = options.boundMs ?? LOOKUP_BOUND_MS
  let connection: Connection | null | undefined
  let session: KafkaSession | undefined
  let deadline: number | undefined
  let cache: ClusterCache | undefined
  let cachePath: string | undefined

  const resolved = (): Connection | null => {
    if (connection !== undefined) return connection
    try {
      // Exactly as the command would resolve it (flags typed so far, environment, profile).
      connection = resolveConnection({...options.typed, timeoutMs: boundMs})
      cachePath = join(options.cacheDir, 'completion', cacheFileName(connection.properties))
      cache = readCompletionCache(cachePath)
    } catch {
      connection = null
    }
    return connection
  }

  /** The cached value of `kind`, or `fetch`ed from the cluster within the bound (then cached). */
  async function lookup<T>(kind: string, fetch: (session: KafkaSession) => Promise<T>): Promise<T | undefined> {
    const conn = resolved()
    if (!conn) return undefined
    if (freshValue(cache!, UNREACHABLE, Date.now()) !== undefined) return undefined
    const cached = freshValue(cache!, kind, Date.now())
    if (cached !== undefined) return cached as T
    deadline ??= Date.now() + boundMs
    const remaining = deadline - Date.now()
    if (remaining <= 0) return undefined
    let timer: NodeJS.Timeout | undefined
    let value: T | undefined
    let failure: 'timeout' | 'error' | undefined
    try {
      session ??= new KafkaSession(conn)
      value = await Promise.race([
        fetch(session),
        new Promise<undefined>((resolve) => {
          timer = setTimeout(() => resolve(undefined), remaining)
        }),
      ])
      if (value === undefined) failure = 'timeout'
    } catch (error) {
      failure = error instanceof KafkitError && (error.kind === 'connection' || error.kind === 'timeout') ? 'timeout' : 'error'
    } finally {
      clearTimeout(timer)
    }
    // The first look-up of a line that finds no cluster marks it unreachable for a while.
    if (failure === 'timeout' && kind === 'topics') cache = withValue(cache!, UNREACHABLE, true, Date.now(), UNREACHABLE_TTL_MS)
    else if (value !== undefined) cache = withValue(cache!, kind, value, Date.now())
    else return undefined
    writeCompletionCache(cachePath!, cache)
    return value
  }

  const partitionCounts = () => lookup('topics', topicPartitionCounts)

  return {
    async topics() {
      return Object.keys((await partitionCounts()) ?? {}).sort()
    },
    async partitionCount(topic) {
      return (await partitionCounts())?.[topic] ?? 0
    },
    async groups() {
      // The metadata first: it finds an unreachable cluster (and the session keeps it for ListGroups).
      if ((await partitionCounts()) === undefined) return []
      return (await lookup('groups', groupIds)) ?? []
    },
    async topicConfigKeys(topic) {
      // Any topic's describe names every topic config; a topic still to be created has none yet.
      const counts = await partitionCounts()
      if (counts === undefined) return []
      const target = topic !== undefined && counts[topic] !== undefined ? topic : Object.keys(counts).find((t) => !t.startsWith('__'))
      if (target === undefined) return []
      return (await lookup(`configs:${target}`, (s) => topicConfigNames(s, target))) ?? []
    },
    profiles() {
      try {
        return Object.keys(readProfileFile(configFilePath())?.profiles ?? {}).sort()
      } catch {
        return []
      }
    },
  }
}
