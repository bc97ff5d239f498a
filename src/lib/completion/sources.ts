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
// knows without a broker. A cluster that is only slow (far away, TLS and SASL handshakes) is
// asked again by a detached background run with a longer bound, which fills the cache for the
// next TAB.

/** The bound on all broker look-ups of one completion: a shell must never hang on TAB. */
const LOOKUP_BOUND_MS = 300
/** The bound of the background refresh (nobody waits for it). */
const BACKGROUND_BOUND_MS = 5000

/** A connection failure this close to the bound counts as the bound running out. */
const SLOW_MARGIN_MS = 50

const UNREACHABLE = 'unreachable'
const REFRESHING = 'refreshing'

interface SourceOptions {
  typed: TypedConnection
  /** kafkit's cache folder (lib/config/switches.ts cacheDirectory). */
  cacheDir: string
  /** The background refresh itself: the longer bound, and no further refresh. */
  background?: boolean
  /** Starts the background refresh of this line's look-ups (at most once, when the bound ran out). */
  refreshInBackground?: () => void
}

export function clusterSources(options: SourceOptions): CompletionSources {
  const boundMs = options.background ? BACKGROUND_BOUND_MS : LOOKUP_BOUND_MS
  let refreshStarted = false
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
    // A background refresh is already fetching this cluster's answers: do not wait for them too.
    if (!options.background && freshValue(cache!, REFRESHING, Date.now()) !== undefined) return undefined
    deadline ??= Date.now() + boundMs
    const remaining = deadline - Date.now()
    if (remaining <= 0) return undefined
    let timer: NodeJS.Timeout | undefined
    let value: T | undefined
    let failure: 'slow' | 'unreachable' | 'error' | undefined
    try {
      session ??= new KafkaSession(conn)
      value = await Promise.race([
        fetch(session),
        new Promise<undefined>((resolve) => {
          timer = setTimeout(() => resolve(undefined), remaining)
        }),
      ])
      if (value === undefined) failure = 'slow'
    } catch (error) {
      const connectionFailed = error instanceof KafkitError && (error.kind === 'connection' || error.kind === 'timeout')
      // The client's own timeout (the same bound) is a slow cluster; a failure well before it
      // (connection refused, unknown host) an unreachable one.
      failure = !connectionFailed ? 'error' : Date.now() >= deadline - SLOW_MARGIN_MS ? 'slow' : 'unreachable'
    } finally {
      clearTimeout(timer)
    }
    const now = Date.now()
    if (value !== undefined) {
      cache = withValue(cache!, kind, value, now)
      if (options.background) delete cache[REFRESHING]
    } else if (failure === 'error') {
      return undefined
    } else if ((failure === 'unreachable' || options.background) && kind === 'topics') {
      // The metadata, every line's first look-up, found no cluster: not asked again for a while.
      cache = withValue(cache!, UNREACHABLE, true, now, UNREACHABLE_TTL_MS)
    } else if (failure === 'slow' && !options.background && !refreshStarted) {
      refreshStarted = true
      cache = withValue(cache!, REFRESHING, true, now, BACKGROUND_BOUND_MS)
      options.refreshInBackground?.()
    } else {
      return undefined
    }
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
