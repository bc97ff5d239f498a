import {KafkitError, usageError} from '../../errors.js'
import type {TopicPartitionSpec} from '../../partition-spec.js'
import {parseAnyDuration, parseTimestamp} from '../../time.js'
import {requireInactiveGroup} from './groups.js'
import {kafkaError} from '../kafka-errors.js'
import {
  comparePartitions,
  type LogBounds,
  listCommittedOffsets,
  listLogBounds,
  listLogOffsets,
  partitionCounts,
  partitionKey,
  type PartitionOffset,
  resolvePartitionSpecs,
  type TopicPartition,
} from '../offsets.js'
import type {KafkaSession} from '../session.js'

// Reset plans for a group's committed offsets, with the semantics of kafka-consumer-groups
// --reset-offsets: targets outside the log are clamped to its earliest/latest offset, --shift-by
// needs a committed offset, --to-current without one and --to-datetime after the last record
// fall back to the log-end offset. Planning is pure (computeResetPlan); the session functions
// gather its inputs and apply it. Never prints.

export type ResetTarget =
  | {kind: 'earliest'}
  | {kind: 'latest'}
  | {kind: 'current'}
  | {kind: 'offset'; offset: number}
  | {kind: 'shift'; by: number}
  /** --to-datetime and --by-duration both end up as a point in time. */
  | {kind: 'time'; timestamp: number; description: string}
  | {kind: 'file'; entries: PlanEntry[]; source: string}

export interface PlanEntry extends TopicPartition {
  offset: number
}

export type ResetNote =
  | 'clamped-to-earliest'
  | 'clamped-to-latest'
  | 'no-committed-offset-latest'
  | 'no-record-after-time-latest'

export interface ResetPlanRow extends TopicPartition {
  /** The committed offset now; null when the group has none for this partition. */
  currentOffset: number | null
  /** The offset the target asked for, before clamping. */
  requestedOffset: number
  newOffset: number
  logStartOffset: number
  logEndOffset: number
  /** Why newOffset differs from what was asked (clamped into the log, or a fallback). */
  note?: ResetNote
}

export interface ResetPlan {
  group: string
  target: string
  /** true once --execute has committed the plan. */
  executed: boolean
  partitions: ResetPlanRow[]
}

export const NOTE_TEXT: Record<ResetNote, string> = {
  'clamped-to-earliest': 'before the earliest offset: set to earliest',
  'clamped-to-latest': 'after the latest offset: set to latest',
  'no-committed-offset-latest': 'no committed offset: set to latest',
  'no-record-after-time-latest': 'no record at or after the time: set to latest',
}

// ---------------------------------------------------------------------------------------------
// Parsing targets

/** --shift-by: `+5`, `-3`, `5` (a signed whole number). */
export function parseShift(text: string): number {
  if (!/^[+-]?\d+$/.test(text.trim())) throw usageError(`invalid --shift-by '${text}'`, 'use a signed whole number: --shift-by -10 or --shift-by +5')
  return Number(text.trim())
}

export function parseOffset(text: string): number {
  if (!/^\d+$/.test(text.trim())) throw usageError(`invalid --to-offset '${text}'`, 'use an offset: a whole number, 0 or more')
  return Number(text.trim())
}

/**
 * --to-datetime: ISO 8601 / RFC 3339, Apache's `YYYY-MM-DDTHH:mm:SS.sss` (zone-less times are
 * local time, as the Apache tool reads them), a date, or epoch ms.
 */
export function parseDatetimeTarget(text: string, now?: number): ResetTarget {
  const timestamp = parseTimestamp(text, '--to-datetime', {now, localTime: true})
  return {kind: 'time', timestamp, description: `to-datetime ${new Date(timestamp).toISOString()}`}
}

/** --by-duration: ISO `PnDTnHnMnS` (Apache's form) or short `1h30m`; always back from now. */
export function parseDurationTarget(text: string, now = Date.now()): ResetTarget {
  const ms = parseAnyDuration(text)
  if (ms === undefined) throw usageError(`invalid --by-duration '${text}'`, 'use an ISO 8601 duration (P1DT2H, PT30M) or a short one (1h, 30m, 2d)')
  const timestamp = now - ms
  return {kind: 'time', timestamp, description: `by-duration ${text} (${new Date(timestamp).toISOString()})`}
}

export function describeTarget(target: ResetTarget): string {
  switch (target.kind) {
    case 'earliest':
    case 'latest':
    case 'current':
      return `to-${target.kind}`
    case 'offset':
      return `to-offset ${target.offset}`
    case 'shift':
      return `shift-by ${target.by >= 0 ? '+' : ''}${target.by}`
    case 'time':
      return target.description
    case 'file':
      return `from-file ${target.source}`
  }
}

// ---------------------------------------------------------------------------------------------
// Plan files

/**
 * A plan file: the CSV kafka-consumer-groups --export writes (`topic,partition,offset`, or with
 * several groups `group,topic,partition,offset`), or kafkit's JSON plan (the --json output of
 * reset-offsets: `{group, partitions: [{topic, partition, newOffset}]}`).
 */
export function parsePlanFile(text: string, group: string, source: string): PlanEntry[] {
  const trimmed = text.trim()
  if (trimmed === '') throw usageError(`the plan file ${source} is empty`)
  const entries = trimmed.startsWith('{') || trimmed.startsWith('[') ? parseJsonPlan(trimmed, group, source) : parseCsvPlan(trimmed, group, source)
  const seen = new Set<string>()
  for (const e of entries) {
    const key = partitionKey(e)
    if (seen.has(key)) throw usageError(`the plan file ${source} names ${e.topic}:${e.partition} twice`)
    seen.add(key)
  }
  return entries.sort(comparePartitions)
}

function parseCsvPlan(text: string, group: string, source: string): PlanEntry[] {
  const entries: PlanEntry[] = []
  const otherGroups = new Set<string>()
  const lines = text.split(/\r?\n/)
  lines.forEach((line, index) => {
    if (line.trim() === '') return
    const cells = line.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1'))
    const where = `${source} line ${index + 1}`
    if (cells.length === 4) {
      if (cells[0] !== group) {
        otherGroups.add(cells[0]!)
        return
      }
      cells.shift()
    } else if (cells.length !== 3) {
      throw usageError(`${where}: expected topic,partition,offset or group,topic,partition,offset, got '${line}'`)
    }
    const [topic, partition, offset] = cells as [string, string, string]
    if (topic === '' || !/^\d+$/.test(partition) || !/^\d+$/.test(offset)) {
      throw usageError(`${where}: expected topic,partition,offset with whole numbers, got '${line}'`)
    }
    entries.push({topic, partition: Number(partition), offset: Number(offset)})
  })
  if (entries.length === 0) {
    const others = otherGroups.size > 0 ? ` (it has rows for ${[...otherGroups].map((g) => `'${g}'`).join(', ')})` : ''
    throw usageError(`the plan file ${source} has no rows for group '${group}'${others}`)
  }
  return entries
}

function parseJsonPlan(text: string, group: string, source: string): PlanEntry[] {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw usageError(`the plan file ${source} is not valid JSON: ${(error as Error).message}`)
  }
  const plans = (Array.isArray(value) ? value : [value]) as Array<{group?: unknown; partitions?: unknown}>
  const forGroup = plans.filter((p) => p && typeof p === 'object' && (p.group === undefined || p.group === group))
  const plan = forGroup[0] ?? (plans.length === 1 ? plans[0] : undefined)
  if (!plan || !Array.isArray(plan.partitions)) {
    throw usageError(`the plan file ${source} has no plan for group '${group}'`, 'expected {"group": ..., "partitions": [{"topic", "partition", "newOffset"}]}')
  }
  return (plan.partitions as Array<Record<string, unknown>>).map((p, i) => {
    const offset = p.newOffset ?? p.offset
    if (typeof p.topic !== 'string' || !Number.isInteger(p.partition) || !Number.isInteger(offset) || (offset as number) < 0) {
      throw usageError(`the plan file ${source}: partitions[${i}] needs topic, partition and newOffset (whole numbers)`)
    }
    return {topic: p.topic, partition: p.partition as number, offset: offset as number}
  })
}

/** The plan as kafka-consumer-groups --export writes it for one group: `topic,partition,offset` lines. */
export function planToCsv(plan: ResetPlan): string {
  return plan.partitions.map((p) => `${p.topic},${p.partition},${p.newOffset}\n`).join('')
}

// ---------------------------------------------------------------------------------------------
// Planning (pure)

export interface PlanInputs {
  partitions: TopicPartition[]
  committed: Map<string, number>
  bounds: Map<string, LogBounds>
  /** For a time target: the first offset at or after the time, per partition (null: none). */
  byTime?: Map<string, PartitionOffset>
  /** For a file target: the offset asked per partition. */
  fromFile?: Map<string, number>
}

export function computeResetPlan(group: string, target: ResetTarget, inputs: PlanInputs): ResetPlan {
  const rows = inputs.partitions.map((tp): ResetPlanRow => {
    const key = partitionKey(tp)
    const bounds = inputs.bounds.get(key)
    if (bounds?.earliest === null || bounds?.earliest === undefined || bounds.latest === null) {
      throw new KafkitError('failure', `cannot read the offsets of ${tp.topic}:${tp.partition}`, {hint: 'check the partition has a leader: kafkit topics describe TOPIC'})
    }
    const {earliest, latest} = bounds as {earliest: number; latest: number}
    const current = inputs.committed.get(key) ?? null
    const row = (requested: number, note?: ResetNote, clamp = true): ResetPlanRow => {
      let newOffset = requested
      let why = note
      if (clamp && requested > latest) {
        newOffset = latest
        why = 'clamped-to-latest'
      } else if (clamp && requested < earliest) {
        newOffset = earliest
        why = 'clamped-to-earliest'
      }
      return {...tp, currentOffset: current, requestedOffset: requested, newOffset, logStartOffset: earliest, logEndOffset: latest, ...(why ? {note: why} : {})}
    }
    switch (target.kind) {
      case 'earliest':
        return row(earliest, undefined, false)
      case 'latest':
        return row(latest, undefined, false)
      case 'current':
        // As the Apache tool: the committed offset unchanged (not clamped), or latest without one.
        return current === null ? row(latest, 'no-committed-offset-latest', false) : row(current, undefined, false)
      case 'offset':
        return row(target.offset)
      case 'shift':
        if (current === null) {
          throw usageError(
            `cannot shift ${tp.topic}:${tp.partition}: group '${group}' has no committed offset there`,
            'use an absolute target (--to-earliest, --to-offset N, --to-datetime T) for partitions without one',
          )
        }
        return row(current + target.by)
      case 'time': {
        const found = inputs.byTime?.get(key)?.offset ?? null
        return found === null ? row(latest, 'no-record-after-time-latest', false) : row(found, undefined, false)
      }
      case 'file':
        return row(inputs.fromFile!.get(key)!)
    }
  })
  return {group, target: describeTarget(target), executed: false, partitions: rows}
}

// ---------------------------------------------------------------------------------------------
// Gathering inputs and applying

export interface ResetScope {
  /** --topic arguments; empty with allTopics or a file target. */
  topics: TopicPartitionSpec[]
  allTopics: boolean
}

/**
 * Builds the plan for a group. Refuses a group with active members (the broker would refuse
 * the commit, and the Apache tool refuses even the dry run). A group that does not exist yet is
 * fine: that is how a new consumer is pre-positioned.
 */
export async function planGroupReset(session: KafkaSession, group: string, scope: ResetScope, target: ResetTarget): Promise<ResetPlan> {
  await session.ensureReachable()
  await requireInactiveGroup(session, group, 'reset')
  const committedResult = (await listCommittedOffsets(session, [group])).get(group)!
  if (committedResult.error && committedResult.error.kafkaCode !== 'GROUP_ID_NOT_FOUND') throw committedResult.error
  const committed = new Map(committedResult.offsets.map((o) => [partitionKey(o), o.offset]))

  let partitions: TopicPartition[]
  let fromFile: Map<string, number> | undefined
  if (target.kind === 'file') {
    fromFile = new Map(target.entries.map((e) => [partitionKey(e), e.offset]))
    partitions = await existingPartitions(session, target.entries)
    if (scope.allTopics || scope.topics.length > 0) {
      const inScope = new Set((await scopePartitions(session, group, scope, committedResult.offsets)).map(partitionKey))
      partitions = partitions.filter((p) => inScope.has(partitionKey(p)))
    }
  } else {
    partitions = await scopePartitions(session, group, scope, committedResult.offsets)
  }
  if (partitions.length === 0) throw usageError(`nothing to reset for group '${group}': no partitions in scope`)

  const [bounds, byTime] = await Promise.all([
    listLogBounds(session, partitions),
    target.kind === 'time' ? listLogOffsets(session, partitions, {kind: 'timestamp', timestamp: target.timestamp}) : Promise.resolve(undefined),
  ])
  return computeResetPlan(group, target, {partitions, committed, bounds, byTime, fromFile})
}

async function scopePartitions(session: KafkaSession, group: string, scope: ResetScope, committed: TopicPartition[]): Promise<TopicPartition[]> {
  if (scope.allTopics) {
    if (committed.length === 0) {
      throw usageError(`group '${group}' has no committed offsets, so --all-topics selects nothing`, 'name the topics with --topic T (a new group can be given offsets that way)')
    }
    return existingPartitions(session, committed)
  }
  return resolvePartitionSpecs(session, scope.topics)
}

/** Checks that every partition exists (as the Apache tool does before any reset). */
async function existingPartitions(session: KafkaSession, partitions: TopicPartition[]): Promise<TopicPartition[]> {
  const counts = await partitionCounts(session, partitions.map((p) => p.topic))
  const missing = partitions.filter((p) => (counts.get(p.topic) ?? 0) <= p.partition)
  if (missing.length > 0) {
    throw new KafkitError('not_found', `partition${missing.length > 1 ? 's' : ''} ${missing.map((p) => `${p.topic}:${p.partition}`).join(', ')} do${missing.length > 1 ? '' : 'es'} not exist`, {
      hint: 'see the topics with: kafkit topics list',
      kafkaCode: 'UNKNOWN_TOPIC_OR_PART',
    })
  }
  return partitions.map(({topic, partition}) => ({topic, partition})).sort(comparePartitions)
}

export interface ExecuteResult {
  plan: ResetPlan
  failed: Array<TopicPartition & {error: string}>
}

/** Commits the plan's offsets (AlterConsumerGroupOffsets through the native extension). */
export async function executeGroupReset(session: KafkaSession, plan: ResetPlan): Promise<ExecuteResult> {
  // Checked again right before the commit: a consumer may have joined since the plan was made.
  await requireInactiveGroup(session, plan.group, 'reset')
  const native = await session.nativeAdmin()
  const offsets = plan.partitions.map(({topic, partition, newOffset}) => ({topic, partition, offset: newOffset}))
  const result = await session.guard(`group '${plan.group}'`, native.alterConsumerGroupOffsets(plan.group, offsets, {timeoutMs: session.timeoutMs}))
  if (result.error) throw kafkaError(result.error, `group '${plan.group}'`)
  const failed = result.partitions.filter((p) => p.error).map((p) => ({topic: p.topic, partition: p.partition, error: kafkaError(p.error!).message}))
  return {plan: {...plan, executed: failed.length === 0}, failed}
}
