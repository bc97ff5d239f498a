import {KafkitError, usageError} from '../../errors.js'
import {parseTimestamp, TIME_FORMS} from '../../time.js'
import {kafkaError} from '../kafka-errors.js'
import type {KafkaSession} from '../session.js'
import {askOffsets, partitionKey, type OffsetAnswer} from '../offsets.js'
import {describeTopicMetadata} from './metadata.js'

// `topics trim`: deletes the records before an offset or a point in time (DeleteRecords), what
// kafka-delete-records and `rpk topic trim-prefix` do. Planned first (a dry run shows the plan),
// applied only when asked. Returns data; never prints.

/** Where to cut: an offset, or the first record at or after a timestamp. */
export type TrimPoint = {kind: 'offset'; offset: number} | {kind: 'time'; timestamp: number}

/** `1234` is an offset; `@<time>` a point in time in any form the time parser accepts. */
export function parseTrimPoint(text: string, options: {now?: number} = {}): TrimPoint {
  const trimmed = text.trim()
  if (trimmed.startsWith('@')) return {kind: 'time', timestamp: parseTimestamp(trimmed.slice(1), '--before time', options)}
  if (/^\d+$/.test(trimmed) && Number.isSafeInteger(Number(trimmed))) return {kind: 'offset', offset: Number(trimmed)}
  throw usageError(`invalid --before '${text}': expected an offset (e.g. 1000) or @TIME (e.g. @2024-01-31T10:00:00Z, @-1h)`, `times: ${TIME_FORMS}`)
}

export interface TrimPartitionPlan {
  partition: number
  earliestOffset: number
  /** The earliest offset after the trim. */
  newEarliestOffset: number
  latestOffset: number
  /** Records the trim removes (newEarliestOffset - earliestOffset). */
  records: number
}

export interface TrimResult {
  topic: string
  dryRun: boolean
  before: TrimPoint
  partitions: TrimPartitionPlan[]
}

/**
 * The new earliest offset of one partition. An offset below the current earliest changes nothing;
 * one past the end is refused (Kafka would answer OFFSET_OUT_OF_RANGE). By time: the first record
 * at or after the time, or the end when every record is older.
 */
export function newEarliestOffset(
  point: TrimPoint,
  offsets: {earliest: number; latest: number; atTime?: number | null},
  partition: number,
): number {
  if (point.kind === 'offset') {
    if (point.offset > offsets.latest) {
      throw usageError(
        `offset ${point.offset} is past the end of partition ${partition} (latest offset ${offsets.latest})`,
        'trim at most up to the latest offset; see the offsets with: kafkit topics describe TOPIC',
      )
    }
    return Math.max(offsets.earliest, point.offset)
  }
  const at = offsets.atTime === undefined || offsets.atTime === null || offsets.atTime < 0 ? offsets.latest : offsets.atTime
  return Math.min(Math.max(offsets.earliest, at), offsets.latest)
}

export async function trimTopic(
  session: KafkaSession,
  topic: string,
  point: TrimPoint,
  options: {partitions?: number[]; execute?: boolean},
): Promise<TrimResult> {
  await session.ensureReachable()
  const admin = session.admin()
  const [described] = await describeTopicMetadata(session, [topic])
  const existing = described!.partitions.map((p) => p.partition).sort((a, b) => a - b)
  const chosen = options.partitions && options.partitions.length > 0 ? [...new Set(options.partitions)].sort((a, b) => a - b) : existing
  const missing = chosen.filter((p) => !existing.includes(p))
  if (missing.length > 0) {
    throw new KafkitError('not_found', `topic ${topic} has no partition ${missing.join(', ')} (partitions 0-${existing.length - 1})`, {
      kafkaCode: 'UNKNOWN_TOPIC_OR_PART',
    })
  }
  const tps = chosen.map((partition) => ({topic, partition}))
  const [earliest, latest, atTime] = await Promise.all([
    askOffsets(session, tps, -2),
    askOffsets(session, tps, -1),
    point.kind === 'time' ? askOffsets(session, tps, point.timestamp) : Promise.resolve(new Map<string, OffsetAnswer>()),
  ])

  const plan = chosen.map((partition): TrimPartitionPlan => {
    const offsetOf = (answers: Map<string, OffsetAnswer>) => answers.get(partitionKey({topic, partition}))?.offset ?? null
    const from = offsetOf(earliest)
    const to = offsetOf(latest)
    if (from === null || to === null) {
      const why = earliest.get(partitionKey({topic, partition}))?.error ?? latest.get(partitionKey({topic, partition}))?.error ?? 'no leader?'
      throw new KafkitError('connection', `topic ${topic} partition ${partition}: its offsets cannot be read (${why})`, {
        hint: 'check it with: kafkit topics describe --unavailable-partitions',
      })
    }
    const next = newEarliestOffset(point, {earliest: from, latest: to, atTime: offsetOf(atTime)}, partition)
    return {partition, earliestOffset: from, newEarliestOffset: next, latestOffset: to, records: next - from}
  })

  if (!options.execute) return {topic, dryRun: true, before: point, partitions: plan}

  const toDelete = plan.filter((p) => p.records > 0)
  if (toDelete.length > 0) {
    const results = await session.call<Array<{topic: string; partition: number; lowWatermark: number; error?: {code: number; message: string}}>>(
      `topic ${topic}`,
      (done) =>
        admin.deleteRecords(
          toDelete.map((p) => ({topic, partition: p.partition, offset: p.newEarliestOffset})),
          {timeout: session.timeoutMs, operationTimeout: session.timeoutMs},
          done,
        ),
    )
    const failed = results.find((r) => r.error)
    if (failed) throw kafkaError(failed.error!, `topic ${topic} partition ${failed.partition}`)
    for (const r of results) {
      const entry = plan.find((p) => p.partition === r.partition)
      if (entry && r.lowWatermark >= 0) {
        entry.newEarliestOffset = r.lowWatermark
        entry.records = r.lowWatermark - entry.earliestOffset
      }
    }
  }
  return {topic, dryRun: false, before: point, partitions: plan}
}
