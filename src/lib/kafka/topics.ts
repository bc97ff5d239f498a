import type {TopicDescription as IAdminTopicDescription} from '@confluentinc/kafka-javascript'

import {compareNames} from '../compare.js'
import {type ErrorJson, errorToJson, ExitCode, type ExitCodeValue, KafkitError, usageError} from '../errors.js'
import {kafkaError} from './kafka-errors.js'
import type {AlterConfigOp} from './native-admin.js'
import type {KafkaSession} from './session.js'
import {describeTopicConfigs, isNonDefault, isTopicOverride, planConfigChanges, topicRequestError, type TopicConfig} from './topic-configs.js'
import {offlineReplicas, partitionFindings, type HealthFilter} from './topic-health.js'

// Topic administration. Returns plain data; never prints.

/** Kafka's convention: names starting with "__" are internal (__consumer_offsets, __transaction_state, __share_group_state). */
export const isInternalTopic = (name: string) => name.startsWith('__')

/** A topic pattern is a regular expression matched against the whole name, as kafka-topics does. */
export function topicMatcher(pattern: string | undefined): (name: string) => boolean {
  if (pattern === undefined) return () => true
  let re: RegExp
  try {
    re = new RegExp(`^(?:${pattern})$`)
  } catch (error) {
    throw usageError(`invalid topic pattern '${pattern}': ${(error as Error).message}`, "patterns are regular expressions over the whole name, e.g. 'orders\\..*'")
  }
  return (name) => re.test(name)
}

export interface ListTopicsOptions {
  pattern?: string
  includeInternal?: boolean
}

export async function listTopicNames(session: KafkaSession, options: ListTopicsOptions = {}): Promise<string[]> {
  const matches = topicMatcher(options.pattern)
  const names = await session.metadataTopicNames()
  return names
    .filter((name) => (options.includeInternal || !isInternalTopic(name)) && matches(name))
    .sort(compareNames)
}

// ---------------------------------------------------------------------------------------------
// Describe

export interface PartitionDescription {
  partition: number
  /** Broker id of the leader; null when the partition has no leader. */
  leader: number | null
  replicas: number[]
  isr: number[]
  /** Replicas on brokers the cluster does not report as alive. */
  offlineReplicas: number[]
  /** null when the partition's offsets could not be read (e.g. no leader). */
  earliestOffset: number | null
  latestOffset: number | null
  /** latestOffset - earliestOffset: records in the log (compaction and transaction markers make it an upper bound). */
  messages: number | null
  /** Health filters the partition matches (see topic-health.ts). */
  findings: HealthFilter[]
}

export interface TopicDescription {
  name: string
  /** As the Java tools print it (URL-safe base64, no padding). */
  topicId: string
  internal: boolean
  partitionCount: number
  replicationFactor: number
  partitions: PartitionDescription[]
  /** With allConfigs every config; otherwise those kafka-topics lists: values not from Kafka's default. */
  configs: TopicConfig[]
  /** Number of topic-level overrides (source DYNAMIC_TOPIC_CONFIG). */
  configOverrides: number
}

export interface DescribeTopicsOptions {
  allConfigs?: boolean
  /** Skip reading earliest/latest offsets (list --long does not need them). */
  offsets?: boolean
}

/** The client's metadata view of the named topics, in the order given; any missing one fails with not_found. */
export async function describeTopicMetadata(session: KafkaSession, names: string[]): Promise<IAdminTopicDescription[]> {
  const admin = session.admin()
  const described = await session.call<IAdminTopicDescription[]>('describe topics', (done) =>
    admin.describeTopics(names, {timeout: session.timeoutMs}, done),
  )
  const missing = described.filter((d) => d.error)
  if (missing.length > 0) {
    const subject = missing.length === 1 ? `topic ${missing[0]!.name}` : `topics ${missing.map((d) => d.name).join(', ')}`
    throw kafkaError(missing[0]!.error!, subject)
  }
  return described
}

/** A topic id as the Java tools print it: the 16 bytes in URL-safe base64 without padding. */
export function javaTopicId(id: {mostSignificantBits: bigint; leastSignificantBits: bigint}): string {
  const bytes = Buffer.alloc(16)
  bytes.writeBigInt64BE(BigInt.asIntN(64, id.mostSignificantBits), 0)
  bytes.writeBigInt64BE(BigInt.asIntN(64, id.leastSignificantBits), 8)
  return bytes.toString('base64url')
}

/** Ids of the brokers the cluster reports as registered and alive. */
export async function liveBrokerIds(session: KafkaSession): Promise<Set<number>> {
  const native = await session.native()
  const cluster = await session.guard('describe cluster', native.describeCluster(session.timeoutMs))
  return new Set(cluster.brokers.map((b) => b.id))
}

export interface PartitionOffsets {
  earliest: number | null
  latest: number | null
}

const partitionKey = (topic: string, partition: number) => `${topic}\u0000${partition}`

/**
 * Offsets of many partitions at one spec (-2 earliest, -1 latest, or a timestamp), keyed by
 * topic/partition. A partition whose offset cannot be read (no leader) maps to null instead of
 * failing the whole answer.
 */
export async function listPartitionOffsets(
  session: KafkaSession,
  partitions: Array<{topic: string; partition: number}>,
  spec: number,
): Promise<Map<string, number | null>> {
  const result = new Map<string, number | null>()
  if (partitions.length === 0) return result
  const admin = session.admin()
  const ask = (batch: Array<{topic: string; partition: number}>) =>
    session.call<Array<{topic: string; partition: number; offset: number; error?: unknown}>>('list offsets', (done) =>
      admin.listOffsets(
        batch.map((p) => ({topic: p.topic, partition: p.partition, offset: {timestamp: spec} as never})),
        {timeout: session.timeoutMs},
        done,
      ),
    )
  try {
    for (const r of await ask(partitions)) result.set(partitionKey(r.topic, r.partition), r.error ? null : r.offset)
  } catch (error) {
    // One leaderless partition fails the whole request: ask per partition so the others still answer.
    if (error instanceof KafkitError && (error.kind === 'connection' || error.kind === 'timeout') && partitions.length === 1) throw error
    const each = await Promise.allSettled(partitions.map((p) => ask([p])))
    each.forEach((settled, i) => {
      const p = partitions[i]!
      const r = settled.status === 'fulfilled' ? settled.value[0] : undefined
      result.set(partitionKey(p.topic, p.partition), r && !r.error ? r.offset : null)
    })
  }
  return result
}

export const offsetOf = (offsets: Map<string, number | null>, topic: string, partition: number) =>
  offsets.get(partitionKey(topic, partition)) ?? null

/**
 * Topics with their partitions (leader, replicas, ISR, offline replicas, earliest/latest offset)
 * and configs, as `kafka-topics --describe` and `kafka-configs --describe` report them.
 */
export async function describeTopics(session: KafkaSession, names: string[], options: DescribeTopicsOptions = {}): Promise<TopicDescription[]> {
  await session.ensureReachable()
  if (names.length === 0) return []
  const described = await describeTopicMetadata(session, [...new Set(names)])
  const [live, configs] = await Promise.all([liveBrokerIds(session), describeTopicConfigs(session, described.map((d) => d.name))])
  const allPartitions = described.flatMap((d) => d.partitions.map((p) => ({topic: d.name, partition: p.partition})))
  const wantOffsets = options.offsets ?? true
  const [earliest, latest] = wantOffsets
    ? await Promise.all([listPartitionOffsets(session, allPartitions, -2), listPartitionOffsets(session, allPartitions, -1)])
    : [new Map<string, number | null>(), new Map<string, number | null>()]

  return described.map((d) => {
    const topicConfigs = configs.get(d.name)?.configs ?? []
    const minIsrText = topicConfigs.find((c) => c.name === 'min.insync.replicas')?.value
    const minInSyncReplicas = minIsrText === undefined || minIsrText === null ? null : Number.parseInt(minIsrText, 10)
    const partitions = [...d.partitions]
      .sort((a, b) => a.partition - b.partition)
      .map((p): PartitionDescription => {
        const replicas = p.replicas.map((n) => n.id)
        const isr = p.isr.map((n) => n.id)
        const leader = p.leader ? p.leader.id : null
        const from = offsetOf(earliest, d.name, p.partition)
        const to = offsetOf(latest, d.name, p.partition)
        return {
          partition: p.partition,
          leader,
          replicas,
          isr,
          offlineReplicas: offlineReplicas(replicas, live),
          earliestOffset: wantOffsets ? from : null,
          latestOffset: wantOffsets ? to : null,
          messages: from === null || to === null ? null : to - from,
          findings: partitionFindings({leader, replicas, isr}, {minInSyncReplicas: Number.isNaN(minInSyncReplicas) ? null : minInSyncReplicas, liveBrokers: live}),
        }
      })
    return {
      name: d.name,
      topicId: javaTopicId(d.topicId),
      internal: d.isInternal || isInternalTopic(d.name),
      partitionCount: partitions.length,
      replicationFactor: partitions[0]?.replicas.length ?? 0,
      partitions,
      configs: options.allConfigs ? topicConfigs : topicConfigs.filter(isNonDefault),
      configOverrides: topicConfigs.filter(isTopicOverride).length,
    }
  })
}

/**
 * The topics to act on: the names given (each must exist) or those matching a pattern. With a
 * pattern internal topics count only when includeInternal.
 */
export async function resolveTopicNames(
  session: KafkaSession,
  options: {names?: string[]; pattern?: string; includeInternal?: boolean},
): Promise<string[]> {
  if (options.pattern !== undefined) return listTopicNames(session, {pattern: options.pattern, includeInternal: options.includeInternal})
  if (options.names && options.names.length > 0) return [...new Set(options.names)]
  return listTopicNames(session, {includeInternal: options.includeInternal})
}

// ---------------------------------------------------------------------------------------------
// Batches: one result row per topic

/** Why one item of a batch failed, in the shape of the JSON error object (docs/exit-codes.md). */
export type ItemError = ErrorJson['error']

export const itemError = (error: KafkitError): ItemError => errorToJson(error).error

/**
 * The error a batch ends with: none when every item succeeded; the item's own error when there is
 * one item; with several, "partial" (exit 6) when some succeeded, else the first failure's exit code.
 */
export function batchFailure(items: ReadonlyArray<{error?: ItemError}>, noun: string): KafkitError | undefined {
  const failed = items.filter((item) => item.error)
  if (failed.length === 0) return undefined
  const first = failed[0]!.error!
  if (items.length === 1) {
    return new KafkitError(first.code, first.message, {hint: first.hint, kafkaCode: first.kafkaCode, exitCode: first.exitCode as ExitCodeValue})
  }
  const some = failed.length < items.length
  return new KafkitError(some ? 'partial' : first.code, `${failed.length} of ${items.length} ${noun} failed (first: ${first.message})`, {
    kafkaCode: first.kafkaCode,
    exitCode: some ? ExitCode.PARTIAL : (first.exitCode as ExitCodeValue),
  })
}

// ---------------------------------------------------------------------------------------------
// Create

export interface CreateTopicsOptions {
  /** undefined: the broker's num.partitions. */
  partitions?: number
  /** undefined: the broker's default.replication.factor. */
  replicationFactor?: number
  configs?: Record<string, string>
  ifNotExists?: boolean
  /** Ask the controller to validate only (CreateTopics validate_only). */
  dryRun?: boolean
}

export type CreateStatus = 'created' | 'would-create' | 'exists' | 'failed'

export interface CreateTopicResult {
  name: string
  status: CreateStatus
  /** null: the broker's default. */
  partitions: number | null
  replicationFactor: number | null
  configs: Record<string, string>
  error?: ItemError
}

export async function createTopics(session: KafkaSession, names: string[], options: CreateTopicsOptions): Promise<CreateTopicResult[]> {
  await session.ensureReachable()
  const configs = options.configs ?? {}
  const native = await session.native()
  const results = await session.guard(
    'create topics',
    native.createTopics(
      names.map((name) => ({name, partitions: options.partitions ?? -1, replicationFactor: options.replicationFactor ?? -1, configs})),
      {timeoutMs: session.timeoutMs, validateOnly: options.dryRun},
    ),
  )
  const created = results.filter((r) => !r.error).map((r) => r.name)
  if (!options.dryRun) await settleMetadata(session, created, 'present')
  return results.map((r) => {
    const base = {name: r.name, partitions: options.partitions ?? null, replicationFactor: options.replicationFactor ?? null, configs}
    if (!r.error) return {...base, status: options.dryRun ? 'would-create' : 'created'}
    if (r.error.code === 'TOPIC_ALREADY_EXISTS' && options.ifNotExists) return {...base, status: 'exists'}
    return {...base, status: 'failed', error: itemError(kafkaError(r.error, `topic ${r.name}`))}
  })
}

// ---------------------------------------------------------------------------------------------
// Delete

export type DeleteStatus = 'deleted' | 'would-delete' | 'absent' | 'refused' | 'failed'

export interface DeleteTopicResult {
  name: string
  status: DeleteStatus
  error?: ItemError
}

/** What a delete of these names would do, before asking: internal topics refused, missing ones found. */
export async function planTopicDeletion(
  session: KafkaSession,
  names: string[],
  options: {ifExists?: boolean},
): Promise<DeleteTopicResult[]> {
  const existing = new Set(await session.metadataTopicNames())
  return [...new Set(names)].map((name): DeleteTopicResult => {
    if (isInternalTopic(name)) {
      return {name, status: 'refused', error: itemError(new KafkitError('usage', `topic ${name}: internal topics are never deleted`, {kafkaCode: 'INTERNAL_TOPIC'}))}
    }
    if (!existing.has(name)) {
      if (options.ifExists) return {name, status: 'absent'}
      return {name, status: 'failed', error: itemError(kafkaError({code: 'UNKNOWN_TOPIC_OR_PART', message: ''}, `topic ${name}`))}
    }
    return {name, status: 'would-delete'}
  })
}

/** Deletes the planned topics (those with status would-delete); the others keep their status. */
export async function deleteTopics(session: KafkaSession, plan: DeleteTopicResult[]): Promise<DeleteTopicResult[]> {
  const names = plan.filter((item) => item.status === 'would-delete').map((item) => item.name)
  // One DeleteTopics request for all of them: the client library sends one per topic, and the
  // controller takes about 30 ms for each (100 topics: 2.9 s).
  const native = await session.native()
  const outcome = new Map((await session.guard('delete topics', native.deleteTopics(names, {timeoutMs: session.timeoutMs}))).map((r) => [r.name, r]))
  const results = plan.map((item): DeleteTopicResult => {
    if (item.status !== 'would-delete') return item
    const error = outcome.get(item.name)?.error
    return error ? {name: item.name, status: 'failed', error: itemError(kafkaError(error, `topic ${item.name}`))} : {name: item.name, status: 'deleted'}
  })
  await settleMetadata(session, results.filter((r) => r.status === 'deleted').map((r) => r.name), 'absent')
  return results
}

const SETTLE_POLL_MS = 100

/**
 * Waits (within --timeout) until the cluster's metadata shows created topics with a leader for every
 * partition, or no longer shows deleted ones, so that the next command (a produce, a re-create)
 * sees the change. The change itself has succeeded already: running out of time is not an error.
 */
async function settleMetadata(session: KafkaSession, names: string[], want: 'present' | 'absent'): Promise<void> {
  if (names.length === 0) return
  const admin = session.admin()
  const deadline = Date.now() + session.timeoutMs
  while (Date.now() < deadline) {
    try {
      const described = await session.call<IAdminTopicDescription[]>(undefined, (done) =>
        admin.describeTopics(names, {timeout: Math.max(1, deadline - Date.now())}, done),
      )
      const settled =
        want === 'absent'
          ? described.every((d) => d.error)
          : described.every((d) => !d.error && d.partitions.length > 0 && d.partitions.every((p) => p.leader))
      if (settled) return
    } catch {
      // A transient metadata error: ask again until the deadline.
    }
    await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS))
  }
}

// ---------------------------------------------------------------------------------------------
// Alter

export interface AlterTopicOptions {
  partitions?: number
  configOps: AlterConfigOp[]
  dryRun?: boolean
}

export interface AlterChange {
  kind: 'partitions' | 'config'
  /** "partitions" or the config name. */
  name: string
  op: 'set' | 'delete' | 'append' | 'subtract'
  current: string | number | null
  currentSource: string | null
  new: string | number | null
  newSource: string | null
  unchanged: boolean
}

export interface AlterTopicResult {
  topic: string
  dryRun: boolean
  changes: AlterChange[]
}

/**
 * Grows partitions and changes configs incrementally (other overrides stay). A dry run reads the
 * current state, asks the broker to validate the config changes, and reports current -> new.
 */
export async function alterTopic(session: KafkaSession, topic: string, options: AlterTopicOptions): Promise<AlterTopicResult> {
  await session.ensureReachable()
  if (options.partitions === undefined && options.configOps.length === 0) {
    throw usageError('nothing to alter', 'give --partitions N, --config key=value, --delete-config key, --append-config or --subtract-config')
  }
  const [described] = await describeTopicMetadata(session, [topic])
  const currentPartitions = described!.partitions.length
  const changes: AlterChange[] = []

  if (options.partitions !== undefined) {
    if (options.partitions <= currentPartitions) {
      throw new KafkitError(
        'invalid',
        `topic ${topic} has ${currentPartitions} partition${currentPartitions === 1 ? '' : 's'}; partitions can only grow (asked for ${options.partitions})`,
        {hint: `give --partitions greater than ${currentPartitions}, or recreate the topic to have fewer`, kafkaCode: 'INVALID_PARTITIONS'},
      )
    }
    changes.push({kind: 'partitions', name: 'partitions', op: 'set', current: currentPartitions, currentSource: null, new: options.partitions, newSource: null, unchanged: false})
  }

  if (options.configOps.length > 0) {
    const current = (await describeTopicConfigs(session, [topic], {includeSynonyms: true})).get(topic)!
    for (const planned of planConfigChanges(current, options.configOps)) changes.push({kind: 'config', ...planned})
    // The broker validates names and values (also in a dry run) before anything changes.
    await applyConfigOps(session, topic, options.configOps, true)
  }

  if (options.dryRun) return {topic, dryRun: true, changes}

  if (options.partitions !== undefined) {
    const admin = session.admin()
    await session.call<void>(`topic ${topic}`, (done) => admin.createPartitions(topic, options.partitions!, session.timeoutMs, done))
  }
  if (options.configOps.length > 0) await applyConfigOps(session, topic, options.configOps, false)
  return {topic, dryRun: false, changes}
}

async function applyConfigOps(session: KafkaSession, topic: string, ops: AlterConfigOp[], validateOnly: boolean): Promise<void> {
  const native = await session.native()
  const [result] = await session.guard(
    `topic ${topic}`,
    native.incrementalAlterConfigs([{type: 'topic', name: topic, ops}], {timeoutMs: session.timeoutMs, validateOnly}),
  )
  if (result?.error) throw topicRequestError(topic, result.error)
}

// ---------------------------------------------------------------------------------------------
// List --long

export interface TopicSummary {
  name: string
  partitions: number
  replicationFactor: number
  /** Number of topic-level config overrides. */
  configOverrides: number
}

export async function summarizeTopics(session: KafkaSession, names: string[]): Promise<TopicSummary[]> {
  const described = await describeTopics(session, names, {offsets: false})
  const byName = new Map(described.map((d) => [d.name, d]))
  return names.map((name) => {
    const d = byName.get(name)!
    return {name, partitions: d.partitionCount, replicationFactor: d.replicationFactor, configOverrides: d.configOverrides}
  })
}
