import type {DeleteGroupsResult, GroupOverview, LibrdKafkaError} from '@confluentinc/kafka-javascript'

import {KafkitError, usageError} from '../../errors.js'
import {unreachableText} from '../broker-reach.js'
import {groupsByCoordinator, groupsWithUnreachableCoordinator} from './coordinators.js'
import {kafkaError} from '../kafka-errors.js'
import {
  type CommittedOffset,
  comparePartitions,
  listCommittedOffsets,
  listLogOffsets,
  partitionKey,
  type TopicPartition,
} from '../offsets.js'
import type {KafkaSession} from '../session.js'
import {compareNames} from '../../compare.js'

// Consumer groups: list, describe (members, state, per-partition offsets and lag), delete, and
// delete committed offsets. Returns plain data; never prints.

/** Kafka's names for group states (as kafka-consumer-groups prints them), by the client's enum value. */
const STATE_NAMES = ['Unknown', 'PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead', 'Empty'] as const
export type GroupState = (typeof STATE_NAMES)[number]
const TYPE_NAMES = ['Unknown', 'Consumer', 'Classic'] as const
export type GroupType = (typeof TYPE_NAMES)[number]

export const GROUP_STATES: readonly string[] = STATE_NAMES

/** `stable`, `Stable`, `preparing-rebalance`, `PreparingRebalance` all name the same state. */
export function parseGroupState(text: string): GroupState {
  const norm = (s: string) => s.toLowerCase().replaceAll(/[-_ ]/g, '')
  const found = STATE_NAMES.find((s) => norm(s) === norm(text))
  if (!found) throw usageError(`unknown group state '${text}'`, `use one of: ${STATE_NAMES.join(', ')}`)
  return found
}

const stateName = (value: number): GroupState => STATE_NAMES[value] ?? 'Unknown'
const typeName = (value: number): GroupType => TYPE_NAMES[value] ?? 'Unknown'

export interface GroupSummary {
  group: string
  state: GroupState
  /** Consumer (KIP-848 protocol), Classic, or Unknown when the broker does not say. */
  type: GroupType
  /** "consumer" for consumer groups, "" for groups that only hold committed offsets. */
  protocolType: string
  members: number
}

export interface MemberInfo {
  memberId: string
  clientId: string
  host: string
  groupInstanceId?: string
  assignment: TopicPartition[]
}

export interface GroupInfo {
  group: string
  state: GroupState
  type: GroupType
  protocolType: string
  /** The assignor ("range", "cooperative-sticky", "uniform" ...). */
  assignor: string
  coordinator: {id: number; host: string; port: number} | null
  members: MemberInfo[]
  error?: KafkitError
}

/** Every group the cluster knows, with member counts (one DescribeGroups for all of them). */
export async function listGroups(session: KafkaSession, options: {states?: GroupState[]} = {}): Promise<GroupSummary[]> {
  const overviews = await listGroupOverviews(session)
  const wanted = options.states && options.states.length > 0 ? new Set(options.states) : undefined
  const described = await describeGroups(session, overviews.map((o) => o.groupId))
  return overviews
    .map((o): GroupSummary => {
      const info = described.get(o.groupId)
      return {
        group: o.groupId,
        state: info && !info.error ? info.state : stateName(o.state),
        type: typeName(o.type),
        protocolType: o.protocolType,
        members: info?.members.length ?? 0,
      }
    })
    .filter((g) => !wanted || wanted.has(g.state))
    .sort((a, b) => compareNames(a.group, b.group))
}

export async function listGroupIds(session: KafkaSession): Promise<string[]> {
  return (await listGroupOverviews(session)).map((o) => o.groupId).sort(compareNames)
}

async function listGroupOverviews(session: KafkaSession): Promise<GroupOverview[]> {
  const metadata = await session.metadata()
  // ListGroups goes to every broker and waits for each: a broker that does not answer would cost
  // the whole timeout and then fail without a reason.
  const [down] = (await session.brokers.unreachable(metadata.brokers)).values()
  if (down) {
    throw new KafkitError('connection', `listing groups asks every broker, and ${unreachableText(down)}`, {
      hint: 'name the groups instead (kafkit groups describe GROUP, kafkit lag -g GROUP), or retry once the cluster has fenced the broker',
      kafkaCode: '_TRANSPORT',
    })
  }
  const admin = session.admin()
  const listed = await session.call<{groups: GroupOverview[]; errors: LibrdKafkaError[]}>('groups', (done) =>
    admin.listGroups({timeout: session.timeoutMs}, done),
  )
  if (listed.errors.length > 0 && listed.groups.length === 0) throw kafkaError(listed.errors[0]!, 'listing groups')
  return listed.groups
}

/** DescribeGroups for many groups at once; a group that does not exist comes back as state Dead. */
export async function describeGroups(session: KafkaSession, groups: string[]): Promise<Map<string, GroupInfo>> {
  const result = new Map<string, GroupInfo>()
  const all = [...new Set(groups)]
  if (all.length === 0) return result
  await session.ensureReachable()
  const unreachable = await groupsWithUnreachableCoordinator(session, all)
  for (const [group, error] of unreachable) result.set(group, {...missingGroup(group), state: 'Unknown', error})
  const unique = all.filter((group) => !unreachable.has(group))
  if (unique.length === 0) return result
  // kafkit's own extension, not the JS client's describeGroups(): that one crashes the process
  // (SIGSEGV) on a group that failed, e.g. while a new cluster creates __consumer_offsets.
  const native = await session.nativeAdmin()
  // One request per coordinator: when one does not answer after all (stale metadata placed its
  // groups elsewhere), only its groups fail, each naming the reason, and the rest are shown.
  const batches = await groupsByCoordinator(session, unique)
  const answers = await Promise.allSettled(
    batches.map((batch) => session.guard(batch.length === 1 ? `group '${batch[0]}'` : 'groups', native.describeConsumerGroups(batch, {timeoutMs: session.timeoutMs}))),
  )
  const described: Array<Awaited<ReturnType<typeof native.describeConsumerGroups>>[number]> = []
  answers.forEach((answer, index) => {
    if (answer.status === 'fulfilled') {
      described.push(...answer.value)
      return
    }
    const batch = batches[index]!
    if (batches.length === 1 && batch.length === unique.length && unreachable.size === 0) throw answer.reason
    const reason = answer.reason as KafkitError
    for (const group of batch) {
      const message = reason.message.replace(/^(group '[^']*'|groups): /, '')
      result.set(group, {...missingGroup(group), state: 'Unknown', error: new KafkitError(reason.kind, `group '${group}': ${message}`, {hint: reason.hint, kafkaCode: reason.kafkaCode})})
    }
  })
  for (const d of described) {
    result.set(d.group, {
      group: d.group,
      state: stateName(d.state),
      type: typeName(d.type),
      // As the JS client reported it.
      protocolType: d.isSimple ? 'simple' : 'consumer',
      assignor: d.partitionAssignor ?? '',
      coordinator: d.coordinator ? {id: d.coordinator.id, host: d.coordinator.host, port: d.coordinator.port} : null,
      members: d.members.map((m) => ({
        memberId: m.memberId,
        clientId: m.clientId,
        host: m.host.replace(/^\//, ''),
        ...(m.groupInstanceId ? {groupInstanceId: m.groupInstanceId} : {}),
        assignment: m.assignment.map(({topic, partition}) => ({topic, partition})).sort(comparePartitions),
      })),
      // A local error (_TIMED_OUT: the coordinator did not answer) reads as it did when the whole request failed.
      ...(d.error && d.error.code !== 'GROUP_ID_NOT_FOUND' ? {error: session.translate(d.error, `group '${d.group}'`)} : {}),
    })
  }
  return result
}

/** A group "exists" when it has members or committed offsets; Dead means the coordinator knows nothing of it. */
export const groupExists = (info: GroupInfo | undefined) => info !== undefined && info.state !== 'Dead' && !info.error

export interface GroupPartitionRow extends TopicPartition {
  /** The committed offset; null when the group has none for this partition. */
  currentOffset: number | null
  logEndOffset: number | null
  /** Why the log-end offset could not be read, e.g. its leader broker does not answer. */
  logEndOffsetError?: string
  lag: number | null
  /** The member the partition is assigned to; null when no member has it. */
  memberId: string | null
  host: string | null
  clientId: string | null
  metadata?: string
}

export interface GroupDetail extends GroupInfo {
  partitions: GroupPartitionRow[]
}

/**
 * What kafka-consumer-groups --describe shows: every partition assigned to a member or holding a
 * committed offset, with the log-end offset and the lag. Batched: one DescribeGroups, one
 * OffsetFetch per group (in parallel), one ListOffsets for every partition of every group.
 */
export async function describeGroupDetails(session: KafkaSession, groups: string[]): Promise<GroupDetail[]> {
  const [infos, committed] = await Promise.all([describeGroups(session, groups), listCommittedOffsets(session, groups)])
  const rowsByGroup = new Map<string, GroupPartitionRow[]>()
  const allPartitions: TopicPartition[] = []
  for (const group of groups) {
    const info = infos.get(group)
    const offsets = committed.get(group)?.offsets ?? []
    const rows = partitionRows(info?.members ?? [], offsets)
    rowsByGroup.set(group, rows)
    allPartitions.push(...rows)
  }
  const ends = await listLogOffsets(session, allPartitions, {kind: 'latest'})
  return groups.map((group): GroupDetail => {
    const info = infos.get(group) ?? missingGroup(group)
    const committedError = committed.get(group)?.error
    const rows = rowsByGroup.get(group)!.map((row) => {
      const end = ends.get(partitionKey(row))
      const logEndOffset = end?.offset ?? null
      // Not clamped, as kafka-consumer-groups: a negative lag says the commit is past the log end
      // (the topic was recreated or truncated).
      const lag = row.currentOffset !== null && logEndOffset !== null ? logEndOffset - row.currentOffset : null
      return {...row, logEndOffset, ...(end?.error === undefined ? {} : {logEndOffsetError: end.error}), lag}
    })
    return {...info, ...(info.error || committedError ? {error: info.error ?? committedError} : {}), partitions: rows}
  })
}

function missingGroup(group: string): GroupInfo {
  return {group, state: 'Dead', type: 'Unknown', protocolType: '', assignor: '', coordinator: null, members: []}
}

/** Assigned partitions first joined with their committed offsets, then committed ones nobody has. */
function partitionRows(members: MemberInfo[], offsets: CommittedOffset[]): GroupPartitionRow[] {
  const committedByKey = new Map(offsets.map((o) => [partitionKey(o), o]))
  const rows = new Map<string, GroupPartitionRow>()
  for (const member of members) {
    for (const tp of member.assignment) {
      const committed = committedByKey.get(partitionKey(tp))
      rows.set(partitionKey(tp), {
        ...tp,
        currentOffset: committed?.offset ?? null,
        logEndOffset: null,
        lag: null,
        memberId: member.memberId,
        host: member.host,
        clientId: member.clientId,
        ...(committed?.metadata ? {metadata: committed.metadata} : {}),
      })
    }
  }
  for (const committed of offsets) {
    if (rows.has(partitionKey(committed))) continue
    rows.set(partitionKey(committed), {
      topic: committed.topic,
      partition: committed.partition,
      currentOffset: committed.offset,
      logEndOffset: null,
      lag: null,
      memberId: null,
      host: null,
      clientId: null,
      ...(committed.metadata ? {metadata: committed.metadata} : {}),
    })
  }
  return [...rows.values()].sort(comparePartitions)
}

/** Fails with not_found naming the groups the cluster does not know. */
export function requireGroups(details: GroupInfo[]): void {
  const missing = details.filter((d) => !groupExists(d) && !d.error).map((d) => d.group)
  if (missing.length === 0) return
  throw new KafkitError('not_found', `consumer group${missing.length > 1 ? 's' : ''} ${missing.map((g) => `'${g}'`).join(', ')} not found`, {
    hint: 'list groups with: kafkit groups list',
    kafkaCode: 'GROUP_ID_NOT_FOUND',
  })
}

/**
 * The broker changes a group's offsets only while it has no active members. Returns the group's
 * info (state Dead when it does not exist yet: offsets may be given to a new group).
 */
export async function requireInactiveGroup(session: KafkaSession, group: string, action: string): Promise<GroupInfo> {
  const info = (await describeGroups(session, [group])).get(group) ?? missingGroup(group)
  if (info.error) throw info.error
  if (info.members.length > 0 || (info.state !== 'Empty' && info.state !== 'Dead')) {
    const names = info.members.map((m) => `${m.clientId || '(no client id)'} ${m.memberId} on ${m.host}`)
    throw new KafkitError(
      'conflict',
      `group '${group}' has ${info.members.length} active member${info.members.length === 1 ? '' : 's'} (state ${info.state}), so its offsets cannot be ${action}: ${names.join('; ') || '(rebalancing)'}`,
      {hint: 'stop its consumers first (the broker refuses this for an active group), then retry', kafkaCode: 'NON_EMPTY_GROUP'},
    )
  }
  return info
}

/**
 * A group's committed offsets (with commit metadata), optionally only for some topics.
 * not_found when the group is unknown and has none.
 */
export async function groupCommittedOffsets(session: KafkaSession, group: string, topics: string[] = []): Promise<CommittedOffset[]> {
  await session.ensureReachable()
  const [infos, committed] = await Promise.all([describeGroups(session, [group]), listCommittedOffsets(session, [group])])
  const result = committed.get(group)!
  if (result.error) throw result.error
  if (!groupExists(infos.get(group)) && result.offsets.length === 0) requireGroups([infos.get(group) ?? missingGroup(group)])
  const wanted = topics.length > 0 ? new Set(topics) : undefined
  return result.offsets.filter((o) => !wanted || wanted.has(o.topic))
}

export interface GroupDeleteResult {
  group: string
  deleted: boolean
  error?: string
  errorCode?: string
}

/** Deletes groups in one request; one result per group, in the order asked. */
export async function deleteGroups(session: KafkaSession, groups: string[]): Promise<GroupDeleteResult[]> {
  const unique = [...new Set(groups)]
  await session.ensureReachable()
  const admin = session.admin()
  const results = await session.call<DeleteGroupsResult[]>('deleting groups', (done) => admin.deleteGroups(unique, {timeout: session.timeoutMs}, done))
  const byGroup = new Map(results.map((r) => [r.groupId, r]))
  return unique.map((group): GroupDeleteResult => {
    const r = byGroup.get(group)
    if (!r) return {group, deleted: false, error: 'the broker returned no result for this group'}
    if (!r.error && !r.errorCode) return {group, deleted: true}
    const error = kafkaError(r.error ?? {code: r.errorCode}, undefined)
    return {group, deleted: false, error: error.message, ...(error.kafkaCode ? {errorCode: error.kafkaCode} : {})}
  })
}

export interface DeletedOffset extends TopicPartition {
  deleted: boolean
  error?: string
  errorCode?: string
}

/** DeleteConsumerGroupOffsets through kafkit's native extension. */
export async function deleteGroupOffsets(session: KafkaSession, group: string, partitions: TopicPartition[]): Promise<DeletedOffset[]> {
  await session.ensureReachable()
  const native = await session.nativeAdmin()
  const result = await session.guard(`group '${group}'`, native.deleteConsumerGroupOffsets(group, partitions, {timeoutMs: session.timeoutMs}))
  if (result.error) throw kafkaError(result.error, `group '${group}'`)
  return result.partitions
    .map((p): DeletedOffset => {
      if (!p.error) return {topic: p.topic, partition: p.partition, deleted: true}
      const error = kafkaError(p.error)
      return {topic: p.topic, partition: p.partition, deleted: false, error: error.message, errorCode: p.error.code}
    })
    .sort(comparePartitions)
}

/** orders:0-2,5;payments:1 — partitions of a topic compacted into ranges. */
export function compactAssignment(assignment: Array<{topic: string; partition: number}>): string {
  const byTopic = new Map<string, number[]>()
  for (const {topic, partition} of assignment) byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition])
  return [...byTopic]
    .map(([topic, partitions]) => {
      const sorted = [...partitions].sort((a, b) => a - b)
      const parts: string[] = []
      for (let i = 0; i < sorted.length; i++) {
        let j = i
        while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++
        parts.push(j > i ? `${sorted[i]}-${sorted[j]}` : `${sorted[i]}`)
        i = j
      }
      return `${topic}:${parts.join(',')}`
    })
    .join(';')
}
