import type {ListOffsetsResult} from '@confluentinc/kafka-javascript'

import {KafkitError} from '../../errors.js'
import {describeStart, rangeFor, type OffsetSpec, type StartPosition} from '../../offset-spec.js'
import type {KafkaSession} from '../session.js'

// Turns an -o spec into concrete offsets for each partition, with the broker's help: the log
// start and end offsets, and offsets for timestamps (ListOffsets). What happens when a start
// lies outside the log follows auto.offset.reset, and the caller is told so.

export interface TopicPartition {
  topic: string
  partition: number
}

export type OffsetReset = 'earliest' | 'latest' | 'error'

export interface PartitionPlan extends TopicPartition {
  /** The first offset to read; undefined = the group's committed offset (stored). */
  start?: number
  /** Read offsets below this one only (exclusive). */
  stop?: number
  /** Stop at the first record with a timestamp at or after this (when no offset is known yet). */
  stopTime?: number
  /** The log start and end offsets when consuming started. */
  low: number
  high: number
  /** What the spec asked, for notices. */
  requested: string
}

export interface PlanOptions {
  isolation: 'read_committed' | 'read_uncommitted'
  /** In group mode, positions not named explicitly come from the committed offsets. */
  group: boolean
  /** Stop at the end offsets read now (-e). */
  exitAtEnd: boolean
  /** Stop at this time (--until), epoch ms. */
  untilMs?: number
  reset: OffsetReset
  now: number
  notice: (text: string) => void
}

/** Reads auto.offset.reset from the client properties (librdkafka and Java spellings). */
export function offsetResetFrom<Fallback>(properties: Record<string, unknown>, fallback: Fallback): OffsetReset | Fallback {
  const value = String(properties['auto.offset.reset'] ?? '').toLowerCase()
  if (['earliest', 'smallest', 'beginning'].includes(value)) return 'earliest'
  if (['latest', 'largest', 'end'].includes(value)) return 'latest'
  if (['error', 'none'].includes(value)) return 'error'
  return fallback
}

type OffsetQuery = {kind: 'earliest'} | {kind: 'latest'} | {kind: 'time'; ms: number}

async function listOffsets(session: KafkaSession, partitions: TopicPartition[], query: OffsetQuery, isolation: PlanOptions['isolation']): Promise<Map<string, number>> {
  if (partitions.length === 0) return new Map()
  // The client's OffsetSpec is a plain {timestamp} (-2 earliest, -1 latest) and its isolation
  // levels are 0 and 1: spelled here, so a native read never loads the whole client library.
  const timestamp = query.kind === 'earliest' ? -2 : query.kind === 'latest' ? -1 : query.ms
  const admin = session.admin()
  const results = await session.call<ListOffsetsResult[]>(`topic ${partitions[0]!.topic}`, (done) =>
    admin.listOffsets(
      partitions.map((p) => ({...p, offset: {timestamp} as never})),
      {timeout: session.timeoutMs, isolationLevel: (isolation === 'read_committed' ? 1 : 0) as never},
      done,
    ),
  )
  const out = new Map<string, number>()
  for (const r of results) {
    if (r.error) throw session.translate(r.error, `topic ${r.topic} partition ${r.partition}`)
    out.set(key(r), r.offset)
  }
  return out
}

export const key = (p: TopicPartition) => `${p.topic}\u0000${p.partition}`

/**
 * Plans every partition: concrete start and stop offsets. `stored` stays undefined (the group's
 * committed offset applies); it is refused without a group.
 */
export async function planPartitions(session: KafkaSession, partitions: TopicPartition[], spec: OffsetSpec, options: PlanOptions): Promise<PartitionPlan[]> {
  const [low, high] = await Promise.all([
    listOffsets(session, partitions, {kind: 'earliest'}, options.isolation),
    listOffsets(session, partitions, {kind: 'latest'}, options.isolation),
  ])
  // One ListOffsets per distinct time asked for.
  const times = new Set<number>()
  const ranges = partitions.map((p) => rangeFor(spec, p.topic, p.partition))
  for (const r of ranges) {
    if (r.start?.kind === 'time') times.add(r.start.ms)
    if (r.stop?.kind === 'time') times.add(r.stop.ms)
  }
  if (options.untilMs !== undefined) times.add(options.untilMs)
  const byTime = new Map<number, Map<string, number>>()
  await Promise.all([...times].map(async (ms) => byTime.set(ms, await listOffsets(session, partitions, {kind: 'time', ms}, options.isolation))))

  return partitions.map((p, i) => {
    const range = ranges[i]!
    const k = key(p)
    const lo = low.get(k) ?? 0
    const hi = high.get(k) ?? 0
    const offsetAt = (ms: number) => {
      const found = byTime.get(ms)?.get(k) ?? -1
      return found < 0 ? undefined : found
    }
    const start: StartPosition = range.start ?? (options.group ? {kind: 'stored'} : {kind: 'beginning'})
    const plan: PartitionPlan = {...p, low: lo, high: hi, requested: describeStart(start)}
    plan.start = resolveStart(start, plan, offsetAt, options)

    // Stops: the range's END, -e, --until; the earliest one wins.
    const stops: number[] = []
    if (range.stop?.kind === 'end' || options.exitAtEnd) stops.push(hi)
    if (range.stop?.kind === 'offset') stops.push(range.stop.offset)
    for (const ms of [range.stop?.kind === 'time' ? range.stop.ms : undefined, options.untilMs]) {
      if (ms === undefined) continue
      const at = offsetAt(ms)
      if (at !== undefined) stops.push(at)
      // No record at or after that time yet: in the past, everything now in the log is before it.
      else if (ms <= options.now) stops.push(hi)
      else plan.stopTime = Math.min(plan.stopTime ?? ms, ms)
    }
    if (stops.length > 0) plan.stop = Math.min(...stops)
    return plan
  })
}

function resolveStart(start: StartPosition, plan: PartitionPlan, offsetAt: (ms: number) => number | undefined, options: PlanOptions): number | undefined {
  const {low, high} = plan
  switch (start.kind) {
    case 'beginning':
      return options.group ? undefined : low
    case 'end':
      return options.group ? undefined : high
    case 'stored':
      if (!options.group) {
        throw new KafkitError('usage', "offset 'stored' needs a consumer group", {hint: 'add -g GROUP, or start at beginning, end, N or @TIME'})
      }
      return undefined
    case 'fromEnd':
      return Math.max(low, high - start.count)
    case 'fromBeginning':
      return Math.min(high, low + start.count)
    case 'time':
      return offsetAt(start.ms) ?? high
    case 'offset': {
      if (start.offset >= low && start.offset <= high) return start.offset
      const where = `topic ${plan.topic} partition ${plan.partition}`
      if (options.reset === 'error') {
        throw new KafkitError('usage', `${where}: offset ${start.offset} is out of range (the log holds ${low}-${high})`, {
          hint: 'auto.offset.reset=error; choose an offset in range, or -X auto.offset.reset=earliest|latest',
          kafkaCode: 'OFFSET_OUT_OF_RANGE',
        })
      }
      const to = options.reset === 'earliest' ? low : high
      options.notice(`${where}: offset ${start.offset} is out of range (${low}-${high}); starting at ${to} (auto.offset.reset=${options.reset})`)
      return to
    }
  }
}
