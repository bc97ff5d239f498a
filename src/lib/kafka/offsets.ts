import type {GroupResults, LibrdKafkaError, ListOffsetsResult, OffsetSpec} from '@confluentinc/kafka-javascript'

import {KafkitError, usageError} from '../errors.js'
import {expandPartitions, type TopicPartitionSpec} from '../partition-spec.js'
import {parseTimestamp, TIME_FORMS} from '../time.js'
import {kafkaError} from './kafka-errors.js'
import {type BrokerAddress, unreachableText} from './broker-reach.js'
import {groupsWithUnreachableCoordinator} from './groups/coordinators.js'
import type {KafkaSession} from './session.js'
import {compareNames} from '../compare.js'

// Offsets in the log (earliest, latest, by time) and committed by groups. Every request is
// batched: one ListOffsets call for all partitions (librdkafka splits it per leader broker), one
// OffsetFetch per group, all groups in parallel. Returns plain data; never prints.

export interface TopicPartition {
  topic: string
  partition: number
}

export const partitionKey = (tp: TopicPartition) => `${tp.topic}\u0000${tp.partition}`

export const comparePartitions = (a: TopicPartition, b: TopicPartition) => compareNames(a.topic, b.topic) || a.partition - b.partition

/** What to look up in the log, as kafka-get-offsets --time understands it. */
export type LogPosition =
  | {kind: 'earliest'}
  | {kind: 'latest'}
  | {kind: 'max-timestamp'}
  | {kind: 'timestamp'; timestamp: number}

const SPEC_VALUE = {earliest: -2, latest: -1, 'max-timestamp': -3} as const

/**
 * `earliest|latest|max-timestamp`, Apache's numeric `-2|-1|-3`, or any point in time kafkit
 * accepts (epoch ms, ISO date-time, a duration back from now like -1h).
 */
export function parseLogPosition(text: string, now?: number): LogPosition {
  const t = text.trim().toLowerCase()
  if (t === 'earliest' || t === 'beginning' || t === '-2') return {kind: 'earliest'}
  if (t === 'latest' || t === 'end' || t === '-1') return {kind: 'latest'}
  if (t === 'max-timestamp' || t === '-3') return {kind: 'max-timestamp'}
  if (/^\d+$/.test(t) && t.length !== 10) return {kind: 'timestamp', timestamp: Number(t)}
  try {
    return {kind: 'timestamp', timestamp: parseTimestamp(text, '--time', {now})}
  } catch {
    throw usageError(`invalid --time '${text}'`, `use earliest, latest, max-timestamp, or a time: ${TIME_FORMS}`)
  }
}

export function describeLogPosition(position: LogPosition): string {
  return position.kind === 'timestamp' ? new Date(position.timestamp).toISOString() : position.kind
}

export interface PartitionOffset extends TopicPartition {
  /** null when the log has no such offset (a time after the last record) or the lookup failed. */
  offset: number | null
  /** The record's timestamp for max-timestamp / by-time lookups, when the broker gives one. */
  timestamp?: number
  error?: string
}

/** Partition counts of existing topics, by name; names that do not exist are absent. */
export async function partitionCounts(session: KafkaSession, topics: string[]): Promise<Map<string, number>> {
  const metadata = await session.metadata()
  const counts = new Map<string, number>()
  for (const topic of new Set(topics)) {
    const partitions = metadata.topics.get(topic)
    if (partitions) counts.set(topic, partitions.length)
  }
  return counts
}

/**
 * Resolves topic specs (`t`, `t:0-3`, `t:5-`) to partitions of existing topics. Unknown topics and
 * explicitly named partitions a topic lacks are a not_found error naming them.
 */
export async function resolvePartitionSpecs(session: KafkaSession, specs: TopicPartitionSpec[]): Promise<TopicPartition[]> {
  const counts = await partitionCounts(session, specs.map((s) => s.topic))
  const unknown = [...new Set(specs.map((s) => s.topic).filter((t) => !counts.has(t)))]
  if (unknown.length > 0) {
    throw new KafkitError('not_found', unknown.length === 1 ? `topic ${unknown[0]} does not exist` : `topics ${unknown.join(', ')} do not exist`, {
      hint: 'list topics with: kafkit topics list',
      kafkaCode: 'UNKNOWN_TOPIC_OR_PART',
    })
  }
  const seen = new Map<string, TopicPartition>()
  for (const spec of specs) {
    const count = counts.get(spec.topic)!
    const {partitions, missing} = expandPartitions(spec, count)
    if (missing.length > 0) {
      throw new KafkitError('not_found', `topic ${spec.topic} has no partition ${missing.join(', ')} (it has ${count}: 0-${count - 1})`, {
        kafkaCode: 'UNKNOWN_TOPIC_OR_PART',
      })
    }
    for (const partition of partitions) seen.set(partitionKey({topic: spec.topic, partition}), {topic: spec.topic, partition})
  }
  return [...seen.values()].sort(comparePartitions)
}

/** The leader of each partition of these topics, as the metadata names it (null: no leader). */
async function partitionLeaders(session: KafkaSession, topics: string[]): Promise<Map<string, BrokerAddress | null>> {
  const metadata = await session.metadata()
  const brokers = new Map(metadata.brokers.map((b) => [b.id, b]))
  const leaders = new Map<string, BrokerAddress | null>()
  for (const topic of new Set(topics)) {
    for (const p of metadata.topics.get(topic) ?? []) {
      leaders.set(partitionKey({topic, partition: p.partition}), p.leader === null ? null : (brokers.get(p.leader) ?? null))
    }
  }
  return leaders
}

/** One partition's answer to ListOffsets: offset as the broker gives it (-1: none), or why there is none. */
export interface OffsetAnswer {
  offset: number | null
  timestamp?: number
  error?: string
}

/**
 * Offsets of many partitions at one spec (-2 earliest, -1 latest, -3 max-timestamp, or a
 * timestamp), asked at once: librdkafka sends one request per leader broker. Partitions whose
 * leader is missing or does not accept a connection are not asked (a request to a dead leader
 * waits out the timeout): they answer with an error naming the leader. When the request fails as a
 * whole, each partition is asked on its own so that the others still answer.
 */
export async function askOffsets(session: KafkaSession, partitions: TopicPartition[], spec: number): Promise<Map<string, OffsetAnswer>> {
  const result = new Map<string, OffsetAnswer>()
  if (partitions.length === 0) return result
  const leaders = await partitionLeaders(session, partitions.map((p) => p.topic))
  const down = await session.brokers.unreachable([...leaders.values()].filter((l): l is BrokerAddress => l !== null))
  const asked: TopicPartition[] = []
  for (const p of partitions) {
    const leader = leaders.get(partitionKey(p))
    if (leader === null) result.set(partitionKey(p), {offset: null, error: 'the partition has no leader'})
    else if (leader && down.has(leader.id)) result.set(partitionKey(p), {offset: null, error: unreachableText(down.get(leader.id)!, 'leader broker')})
    else asked.push(p)
  }
  const admin = session.admin()
  const ask = (batch: TopicPartition[]) =>
    session.call<ListOffsetsResult[]>('list offsets', (done) =>
      admin.listOffsets(batch.map(({topic, partition}) => ({topic, partition, offset: {timestamp: spec} as unknown as OffsetSpec})), {timeout: session.timeoutMs}, done),
    )
  const record = (a: ListOffsetsResult) =>
    result.set(
      partitionKey(a),
      a.error ? {offset: null, error: describeError(a.error)} : {offset: a.offset, ...(a.timestamp >= 0 ? {timestamp: a.timestamp} : {})},
    )
  if (asked.length === 0) return result
  try {
    for (const a of await ask(asked)) record(a)
  } catch (error) {
    if (asked.length === 1) throw error
    const each = await Promise.allSettled(asked.map((p) => ask([p])))
    // Nothing answers at all: that is the command's failure, not each partition's.
    const reasons = each.map((settled) => (settled.status === 'rejected' ? settled.reason : undefined))
    if (reasons.every((r) => r instanceof KafkitError && (r.kind === 'connection' || r.kind === 'auth'))) throw reasons[0]
    each.forEach((settled, i) => {
      const p = asked[i]!
      if (settled.status === 'fulfilled' && settled.value[0]) record(settled.value[0])
      else result.set(partitionKey(p), {offset: null, error: settled.status === 'rejected' ? (settled.reason as Error).message : 'the broker returned no offset for this partition'})
    })
  }
  for (const p of asked) {
    if (!result.has(partitionKey(p))) result.set(partitionKey(p), {offset: null, error: 'the broker returned no offset for this partition'})
  }
  return result
}

/** Offsets in the log at a position, for each partition (see askOffsets). */
export async function listLogOffsets(session: KafkaSession, partitions: TopicPartition[], position: LogPosition): Promise<Map<string, PartitionOffset>> {
  const result = new Map<string, PartitionOffset>()
  const unique = [...new Map(partitions.map((p) => [partitionKey(p), p])).values()]
  if (unique.length === 0) return result
  // Topics deleted meanwhile would fail the whole request: ask only for topics that exist.
  const known = new Set(await session.metadataTopicNames())
  const asked = unique.filter((p) => known.has(p.topic))
  for (const p of unique) if (!known.has(p.topic)) result.set(partitionKey(p), {...p, offset: null, error: 'the topic does not exist'})
  const answers = await askOffsets(session, asked, position.kind === 'timestamp' ? position.timestamp : SPEC_VALUE[position.kind])
  for (const p of asked) {
    const a = answers.get(partitionKey(p))!
    if (a.error !== undefined) {
      result.set(partitionKey(p), {...p, offset: null, error: a.error})
      continue
    }
    const found = a.offset !== null && a.offset >= 0
    result.set(partitionKey(p), {
      ...p,
      offset: found ? a.offset : null,
      ...(found && a.timestamp !== undefined && position.kind !== 'earliest' && position.kind !== 'latest' ? {timestamp: a.timestamp} : {}),
    })
  }
  return result
}

export interface LogBounds {
  earliest: number | null
  latest: number | null
}

/** Earliest and latest offsets of each partition, both asked at once. */
export async function listLogBounds(session: KafkaSession, partitions: TopicPartition[]): Promise<Map<string, LogBounds>> {
  const [earliest, latest] = await Promise.all([
    listLogOffsets(session, partitions, {kind: 'earliest'}),
    listLogOffsets(session, partitions, {kind: 'latest'}),
  ])
  const bounds = new Map<string, LogBounds>()
  for (const p of partitions) {
    const key = partitionKey(p)
    bounds.set(key, {earliest: earliest.get(key)?.offset ?? null, latest: latest.get(key)?.offset ?? null})
  }
  return bounds
}

export interface CommittedOffset extends TopicPartition {
  offset: number
  metadata?: string
}

export interface GroupCommittedOffsets {
  group: string
  offsets: CommittedOffset[]
  error?: KafkitError
}

/**
 * Committed offsets of several groups. librdkafka takes one group per OffsetFetch request, so
 * the groups are asked in parallel. Partitions without a committed offset are left out.
 */
export async function listCommittedOffsets(session: KafkaSession, groups: string[]): Promise<Map<string, GroupCommittedOffsets>> {
  const admin = session.admin()
  const unreachable = await groupsWithUnreachableCoordinator(session, groups)
  const results = await Promise.all(
    groups.map(async (group): Promise<GroupCommittedOffsets> => {
      const coordinatorDown = unreachable.get(group)
      if (coordinatorDown) return {group, offsets: [], error: coordinatorDown}
      try {
        const [answer] = await session.call<GroupResults[]>(
          `group '${group}'`,
          (done) => admin.listConsumerGroupOffsets([{groupId: group}], {timeout: session.timeoutMs}, done),
        )
        if (answer?.error) return {group, offsets: [], error: kafkaError(answer.error, `group '${group}'`)}
        const offsets = (answer?.partitions ?? [])
          .filter((p) => !(p as {error?: unknown}).error && p.offset >= 0)
          .map((p) => ({topic: p.topic, partition: p.partition, offset: p.offset, ...(p.metadata ? {metadata: p.metadata} : {})}))
          .sort(comparePartitions)
        return {group, offsets}
      } catch (error) {
        // A timeout is this group's coordinator not answering (it may have just died): the other groups still answer.
        if (error instanceof KafkitError && (error.kind === 'connection' || error.kind === 'auth')) throw error
        return {group, offsets: [], error: error instanceof KafkitError ? error : kafkaError(error as LibrdKafkaError, `group '${group}'`)}
      }
    }),
  )
  return new Map(results.map((r) => [r.group, r]))
}

function describeError(error: LibrdKafkaError): string {
  const kafkitError = kafkaError(error)
  return kafkitError.kafkaCode ? `${kafkitError.message} (${kafkitError.kafkaCode})` : kafkitError.message
}
