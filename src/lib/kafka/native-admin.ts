import {KafkitError} from '../errors.js'
import {loadExtension} from '../native/load.js'

// kafkit's own native extension (native/src/kafkit_admin.c) for the admin calls the JS client
// lacks: DescribeCluster, DescribeConfigs, IncrementalAlterConfigs, CreateTopics with
// validate-only, AlterConsumerGroupOffsets, DeleteConsumerGroupOffsets, Create/Describe/DeleteAcls,
// Describe/AlterUserScramCredentials; and DescribeConsumerGroups,
// whose JS client binding crashes the process on a group that failed (see kafkit_admin.c). It
// links the same librdkafka the client library built. Loaded on first use only.
//
// Errors: a request that fails as a whole (timeout, transport, authentication) rejects with a
// NativeKafkaError whose `code` is librdkafka's error name (`_TIMED_OUT`, `_TRANSPORT`,
// `SASL_AUTHENTICATION_FAILED`, ...). Per-item failures are returned in the results as
// `error: {code, message}`. Mapping codes to exit codes is not done here.

export type ConfigResourceType = 'topic' | 'broker' | 'group'

export interface NativeErrorInfo {
  /** librdkafka's error name (rd_kafka_err2name), e.g. UNKNOWN_TOPIC_OR_PART or _TIMED_OUT. */
  code: string
  message: string
}

export class NativeKafkaError extends Error {
  readonly code: string
  /**
   * For a request that timed out: the last connection or authentication error the client saw
   * (e.g. `_TRANSPORT` "Connect to ipv4#127.0.0.1:1 failed: Connection refused").
   */
  readonly brokerError?: NativeErrorInfo

  constructor(code: string, message: string, options: {brokerError?: NativeErrorInfo; cause?: unknown} = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause})
    this.name = 'NativeKafkaError'
    this.code = code
    if (options.brokerError) this.brokerError = options.brokerError
  }
}

export interface BrokerNode {
  id: number
  host: string
  port: number
  rack: string | null
}

export interface ClusterDescription {
  clusterId: string | null
  /** -1 when the cluster reports no controller. */
  controllerId: number
  brokers: BrokerNode[]
  /** With withAuthorizedOperations: what this client's principal may do on the cluster (AclOperation numbers); else null. */
  authorizedOperations: number[] | null
}

export interface ConfigResourceRef {
  type: ConfigResourceType
  /** Topic name, group id, or a broker id ("1"); cluster-wide broker defaults ("") are not supported. */
  name: string
}

export interface ConfigSynonym {
  name: string
  value: string | null
  /** e.g. DYNAMIC_TOPIC_CONFIG, DYNAMIC_BROKER_CONFIG, DYNAMIC_DEFAULT_BROKER_CONFIG, STATIC_BROKER_CONFIG, DEFAULT_CONFIG, GROUP_CONFIG */
  source: string
}

export interface ConfigEntry extends ConfigSynonym {
  isDefault: boolean
  isReadOnly: boolean
  /** Sensitive values come back as null. */
  isSensitive: boolean
  /** Only with includeSynonyms: the entry's value at every level, most specific first. */
  synonyms?: ConfigSynonym[]
}

export interface ConfigResourceDescription extends ConfigResourceRef {
  error?: NativeErrorInfo
  configs: ConfigEntry[]
}

export type AlterConfigOpType = 'set' | 'delete' | 'append' | 'subtract'

export interface AlterConfigOp {
  name: string
  op: AlterConfigOpType
  /** Required for set/append/subtract; ignored for delete. */
  value?: string
}

export interface AlterConfigResource extends ConfigResourceRef {
  ops: AlterConfigOp[]
}

export interface AlterConfigResult extends ConfigResourceRef {
  error?: NativeErrorInfo
}

export interface NewTopic {
  name: string
  /** -1 for the broker's default (num.partitions). */
  partitions: number
  /** -1 for the broker's default (default.replication.factor). */
  replicationFactor: number
  configs?: Record<string, string>
}

export interface TopicRequestResult {
  name: string
  error?: NativeErrorInfo
}

export interface PartitionOffset {
  topic: string
  partition: number
  offset: number
}

export interface TopicPartition {
  topic: string
  partition: number
}

export interface AlteredPartitionOffset extends PartitionOffset {
  error?: NativeErrorInfo
}

export interface DeletedPartitionOffset extends TopicPartition {
  error?: NativeErrorInfo
}

export interface GroupOffsetsResult<P> {
  group: string
  /** The group as a whole failed (e.g. GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP, GROUP_AUTHORIZATION_FAILED). */
  error?: NativeErrorInfo
  partitions: P[]
}

export interface GroupMemberDescription {
  memberId: string
  clientId: string
  /** As the broker reports it, e.g. "/127.0.0.1". */
  host: string
  groupInstanceId: string | null
  assignment: TopicPartition[]
}

export interface ConsumerGroupDescription {
  group: string
  /** The group could not be described (e.g. COORDINATOR_NOT_AVAILABLE, _TIMED_OUT); the other fields are then empty. */
  error?: NativeErrorInfo
  /** librdkafka's rd_kafka_consumer_group_state_t: 0 Unknown, 1 PreparingRebalance, 2 CompletingRebalance, 3 Stable, 4 Dead, 5 Empty. */
  state: number
  /** librdkafka's rd_kafka_consumer_group_type_t: 0 Unknown, 1 Consumer, 2 Classic. */
  type: number
  isSimple: boolean
  partitionAssignor: string | null
  coordinator: BrokerNode | null
  members: GroupMemberDescription[]
}

/**
 * An ACL binding, or a filter (null name/principal/host: any), with librdkafka's enum numbers:
 * resourceType rd_kafka_ResourceType_t (1 any, 2 topic, 3 group, 4 cluster, 5 transactional id),
 * patternType rd_kafka_ResourcePatternType_t (1 any, 2 match, 3 literal, 4 prefixed), operation
 * rd_kafka_AclOperation_t (1 any, 2 all, 3 read ...), permission (1 any, 2 deny, 3 allow).
 * src/lib/kafka/acls/model.ts names them.
 */
export interface NativeAclBinding {
  resourceType: number
  name: string | null
  patternType: number
  principal: string | null
  host: string | null
  operation: number
  permission: number
}

export interface AclCreateResult {
  error?: NativeErrorInfo
}

export interface AclDeleteResult {
  error?: NativeErrorInfo
  /** The bindings the filter matched, and so deleted. */
  matching: NativeAclBinding[]
}

/** rd_kafka_ScramMechanism_t: 1 SCRAM-SHA-256, 2 SCRAM-SHA-512. */
export type ScramMechanismNumber = 1 | 2

export interface ScramUserDescription {
  user: string
  /** e.g. RESOURCE_NOT_FOUND for a user without credentials. */
  error?: NativeErrorInfo
  credentials: Array<{mechanism: number; iterations: number}>
}

/** With a password: create or replace the user's credential for the mechanism; without: delete it. */
export interface ScramAlteration {
  user: string
  mechanism: ScramMechanismNumber
  iterations?: number
  password?: string
}

export interface ScramAlterResult {
  user: string
  error?: NativeErrorInfo
}

export interface TimeoutOption {
  /** Bounds the request (librdkafka's request timeout) and the wait for its result. */
  timeoutMs: number
}

export interface TargetBrokerOption {
  /**
   * The broker to send a cluster-wide request to. By default librdkafka sends it to the
   * controller the metadata names, which after a broker died may be that dead broker.
   */
  brokerId?: number
}

// ---------------------------------------------------------------------------------------------
// The raw binding (native/src/kafkit_admin.c)

type Handle = {readonly __kafkitAdminHandle: unique symbol}

interface RawBinding {
  versions(): {librdkafka: string; librdkafkaInt: number; headerInt: number}
  counters(): NativeAdminCounters
  create(config: Record<string, string>): Handle
  close(handle: Handle): Promise<void>
  /** brokerId -1: librdkafka's default target (the controller the metadata names). */
  describeCluster(handle: Handle, timeoutMs: number, brokerId: number, withAuthorizedOperations: boolean): Promise<ClusterDescription>
  describeConfigs(handle: Handle, resources: ConfigResourceRef[], timeoutMs: number, brokerId: number): Promise<ConfigResourceDescription[]>
  incrementalAlterConfigs(
    handle: Handle,
    resources: {type: ConfigResourceType; name: string; ops: {name: string; op: AlterConfigOpType; value: string | null}[]}[],
    validateOnly: boolean,
    timeoutMs: number,
  ): Promise<AlterConfigResult[]>
  createTopics(handle: Handle, topics: NewTopic[], validateOnly: boolean, timeoutMs: number): Promise<TopicRequestResult[]>
  deleteTopics(handle: Handle, names: string[], timeoutMs: number): Promise<TopicRequestResult[]>
  alterConsumerGroupOffsets(handle: Handle, group: string, offsets: PartitionOffset[], timeoutMs: number): Promise<GroupOffsetsResult<AlteredPartitionOffset>>
  deleteConsumerGroupOffsets(handle: Handle, group: string, partitions: TopicPartition[], timeoutMs: number): Promise<GroupOffsetsResult<DeletedPartitionOffset>>
  describeConsumerGroups(handle: Handle, groups: string[], timeoutMs: number): Promise<ConsumerGroupDescription[]>
  createAcls(handle: Handle, bindings: NativeAclBinding[], timeoutMs: number): Promise<AclCreateResult[]>
  describeAcls(handle: Handle, filter: NativeAclBinding, timeoutMs: number): Promise<NativeAclBinding[]>
  deleteAcls(handle: Handle, filters: NativeAclBinding[], timeoutMs: number): Promise<AclDeleteResult[]>
  describeUserScramCredentials(handle: Handle, users: string[], timeoutMs: number): Promise<ScramUserDescription[]>
  alterUserScramCredentials(
    handle: Handle,
    alterations: Array<{user: string; mechanism: number; iterations: number | null; password: string | null}>,
    timeoutMs: number,
  ): Promise<ScramAlterResult[]>
}

let binding: RawBinding | undefined

function loadBinding(): RawBinding {
  binding ??= loadExtension<RawBinding>('admin')
  return binding
}

/** Versions of the librdkafka the extension runs on and was built against (loads the extension). */
export function nativeAdminVersions(): {librdkafka: string; librdkafkaInt: number; headerInt: number} {
  return loadBinding().versions()
}

/** Live objects of the extension: librdkafka clients, handles, running requests (for leak checks in tests). */
export interface NativeAdminCounters {
  clients: number
  handles: number
  requests: number
}

export function nativeAdminCounters(): NativeAdminCounters {
  return loadBinding().counters()
}

// ---------------------------------------------------------------------------------------------

/** Extra time past timeoutMs before the wrapper gives up on a result librdkafka owes (a backstop). */
const DEADLINE_GRACE_MS = 3000
const MAX_TIMEOUT_MS = 3_600_000

function toNativeError(error: unknown): unknown {
  if (error instanceof NativeKafkaError || error instanceof KafkitError) return error
  const e = error as {code?: unknown; message?: unknown; brokerError?: NativeErrorInfo}
  if (e && typeof e.code === 'string' && typeof e.message === 'string' && e.code !== 'ERR_KAFKIT_CONFIG') {
    return new NativeKafkaError(e.code, e.message, {brokerError: e.brokerError, cause: error})
  }
  return error
}

function checkTimeout(timeoutMs: number): number {
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new KafkitError('usage', `invalid timeout: ${timeoutMs} ms`)
  }
  return Math.min(MAX_TIMEOUT_MS, Math.ceil(timeoutMs))
}

async function bounded<T>(operation: () => Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new NativeKafkaError('_TIMED_OUT', `no answer within ${timeoutMs} ms`)),
      timeoutMs + DEADLINE_GRACE_MS,
    )
    timer.unref()
  })
  try {
    return await Promise.race([operation(), deadline])
  } catch (error) {
    throw toNativeError(error)
  } finally {
    clearTimeout(timer)
  }
}

/** The group's coordinator moved or is still loading (e.g. just after __consumer_offsets was created). */
const COORDINATOR_RETRIABLE = new Set(['NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_LOAD_IN_PROGRESS'])

const isCoordinatorError = (error?: NativeErrorInfo) => error !== undefined && COORDINATOR_RETRIABLE.has(error.code)

/**
 * Retries a group-offsets request while the coordinator is not ready, within the one timeout
 * (as Kafka's own admin client does; librdkafka does not for these requests). The requests
 * are idempotent.
 */
async function retryWhileCoordinatorMoves<P extends {error?: NativeErrorInfo}>(
  timeoutMs: number,
  attempt: (remainingMs: number) => Promise<GroupOffsetsResult<P>>,
): Promise<GroupOffsetsResult<P>> {
  const deadline = Date.now() + timeoutMs
  let backoff = 100
  for (;;) {
    const remaining = Math.max(1, deadline - Date.now())
    try {
      const result = await attempt(remaining)
      const retriable =
        isCoordinatorError(result.error) || (result.partitions.length > 0 && result.partitions.every((p) => isCoordinatorError(p.error)))
      if (!retriable || Date.now() + backoff >= deadline) return result
    } catch (error) {
      if (!(error instanceof NativeKafkaError && COORDINATOR_RETRIABLE.has(error.code)) || Date.now() + backoff >= deadline) throw error
    }
    await new Promise((resolve) => setTimeout(resolve, backoff))
    backoff = Math.min(backoff * 2, 1000)
  }
}

/**
 * librdkafka reports some group-level broker errors (e.g. OffsetDelete's GROUP_ID_NOT_FOUND,
 * NON_EMPTY_GROUP) as a failed request. They are the group's answer, not a failed request:
 * return them as the result's `error`, repeated on each partition. Local errors (`_TIMED_OUT`,
 * `_TRANSPORT`, ...) still reject.
 */
async function groupLevelErrorAsResult<P extends TopicPartition>(
  group: string,
  partitions: P[],
  request: Promise<GroupOffsetsResult<P & {error?: NativeErrorInfo}>>,
): Promise<GroupOffsetsResult<P & {error?: NativeErrorInfo}>> {
  try {
    return await request
  } catch (error) {
    if (!(error instanceof NativeKafkaError) || error.code.startsWith('_')) throw error
    const info = {code: error.code, message: error.message}
    return {group, error: info, partitions: partitions.map((p) => ({...p, error: info}))}
  }
}

/** librdkafka's rejection of an ACL binding (e.g. a principal without a type) is bad input. */
async function aclInputChecked<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    const e = error as {code?: string; message?: string}
    if (e?.code === 'ERR_KAFKIT_ACL') throw new KafkitError('usage', `invalid ACL: ${e.message}`)
    throw error
  }
}

const resourceKey = (r: ConfigResourceRef) => `${r.type}\u0000${r.name}`

const isBrokerId = (name: string) => /^\d+$/.test(name) && Number(name) <= 2 ** 31 - 1

/**
 * librdkafka sends a request with a BROKER resource to that broker, so it accepts one broker
 * resource per call. Splits into one call for the topics/groups plus one per broker, runs them
 * at once, and puts the results back in the caller's order. A call that fails as a whole rejects
 * when it is the only one (or all fail); otherwise its resources carry its error.
 */
async function splitByBroker<R extends ConfigResourceRef, O extends ConfigResourceRef>(
  resources: R[],
  run: (batch: R[]) => Promise<O[]>,
  missing: (r: R, error: NativeErrorInfo) => O,
): Promise<O[]> {
  const results = new Map<string, O>()
  const batches: R[][] = []
  const others: R[] = []
  for (const r of resources) {
    if (r.type !== 'broker') others.push(r)
    else if (isBrokerId(r.name)) batches.push([r])
    else {
      results.set(
        resourceKey(r),
        missing(r, {code: '_INVALID_ARG', message: `a broker config resource needs a broker id, not '${r.name}' (cluster-wide defaults are not supported)`}),
      )
    }
  }
  if (others.length > 0) batches.unshift(others)

  const settled = await Promise.allSettled(batches.map((batch) => run(batch)))
  const failures = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected')
  if (failures.length > 0 && failures.length === settled.length && results.size === 0) throw failures[0]!.reason
  settled.forEach((s, i) => {
    if (s.status === 'fulfilled') {
      for (const o of s.value) results.set(resourceKey(o), o)
    } else {
      const reason = s.reason as {code?: string; message?: string}
      const error = {code: String(reason.code ?? '_FAIL'), message: String(reason.message ?? reason)}
      for (const r of batches[i]!) results.set(resourceKey(r), missing(r, error))
    }
  })
  return resources.map(
    (r) => results.get(resourceKey(r)) ?? missing(r, {code: '_FAIL', message: 'the broker returned no result for this resource'}),
  )
}

/**
 * A native admin client: one librdkafka handle of its own, made from the same librdkafka
 * configuration as the JS client (bootstrap.servers, security.protocol, sasl.*, ssl.*, ...).
 * Call close() when done (it waits for running requests, then frees the handle).
 */
export class NativeAdmin {
  private readonly raw: RawBinding
  private readonly handle: Handle
  private closing?: Promise<void>

  /** @throws KafkitError 'usage' for a property librdkafka rejects; 'environment' when the extension is missing. */
  constructor(config: Record<string, string | number | boolean>) {
    this.raw = loadBinding()
    const strings: Record<string, string> = {}
    for (const [key, value] of Object.entries(config)) {
      if (value === undefined || value === null) continue
      strings[key] = String(value)
    }
    try {
      this.handle = this.raw.create(strings)
    } catch (error) {
      const e = error as {code?: string; message?: string}
      if (e?.code === 'ERR_KAFKIT_CONFIG') throw new KafkitError('usage', String(e.message))
      throw error
    }
  }

  get closed(): boolean {
    return this.closing !== undefined
  }

  async describeCluster(timeoutMs: number, options: TargetBrokerOption & {withAuthorizedOperations?: boolean} = {}): Promise<ClusterDescription> {
    const t = checkTimeout(timeoutMs)
    return bounded(() => this.raw.describeCluster(this.handle, t, options.brokerId ?? -1, options.withAuthorizedOperations ?? false), t)
  }

  /** Configs of topics, brokers (by id) and groups; per-resource errors come back in `error`. */
  async describeConfigs(
    resources: ConfigResourceRef[],
    options: TimeoutOption & TargetBrokerOption & {includeSynonyms?: boolean},
  ): Promise<ConfigResourceDescription[]> {
    const t = checkTimeout(options.timeoutMs)
    if (resources.length === 0) return []
    // Each resource once (librdkafka fails on duplicates); results are mapped back to every ask.
    const refs = [...new Map(resources.map(({type, name}) => [resourceKey({type, name}), {type, name}])).values()]
    const described = await splitByBroker(
      refs,
      // A broker resource goes to its own broker; topics and groups to the target, if any.
      (batch) => bounded(() => this.raw.describeConfigs(this.handle, batch, t, batch[0]!.type === 'broker' ? -1 : (options.brokerId ?? -1)), t),
      (r, error) => ({...r, error, configs: []}),
    )
    if (!options.includeSynonyms) {
      for (const resource of described) for (const entry of resource.configs) delete entry.synonyms
    }
    const byKey = new Map(described.map((d) => [resourceKey(d), d]))
    return resources.map((r) => byKey.get(resourceKey(r))!)
  }

  /** Set, delete (back to the default), append to or subtract from config values. */
  async incrementalAlterConfigs(
    resources: AlterConfigResource[],
    options: TimeoutOption & {validateOnly?: boolean},
  ): Promise<AlterConfigResult[]> {
    const t = checkTimeout(options.timeoutMs)
    if (resources.length === 0) return []
    const raw = resources.map((r) => ({
      type: r.type,
      name: r.name,
      ops: r.ops.map((o) => {
        if (o.op !== 'delete' && o.value === undefined) throw new KafkitError('usage', `config '${o.name}' needs a value to ${o.op}`)
        return {name: o.name, op: o.op, value: o.op === 'delete' ? null : (o.value ?? null)}
      }),
    }))
    return splitByBroker(
      raw,
      (batch) => bounded(() => this.raw.incrementalAlterConfigs(this.handle, batch, options.validateOnly ?? false, t), t),
      (r, error) => ({type: r.type, name: r.name, error}),
    )
  }

  /** Creates topics, or with validateOnly only asks the controller whether it would. */
  async createTopics(topics: NewTopic[], options: TimeoutOption & {validateOnly?: boolean}): Promise<TopicRequestResult[]> {
    const t = checkTimeout(options.timeoutMs)
    if (topics.length === 0) return []
    const raw = topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions,
      replicationFactor: topic.replicationFactor,
      configs: topic.configs ?? {},
    }))
    const results = await bounded(() => this.raw.createTopics(this.handle, raw, options.validateOnly ?? false, t), t)
    const byName = new Map(results.map((r) => [r.name, r]))
    return topics.map((topic) => byName.get(topic.name) ?? {name: topic.name, error: {code: '_FAIL', message: 'the broker returned no result for this topic'}})
  }

  /** Deletes topics in one request (the client library sends one per topic); a result per name, in order. */
  async deleteTopics(names: string[], options: TimeoutOption): Promise<TopicRequestResult[]> {
    const t = checkTimeout(options.timeoutMs)
    if (names.length === 0) return []
    const results = await bounded(() => this.raw.deleteTopics(this.handle, names, t), t)
    const byName = new Map(results.map((r) => [r.name, r]))
    return names.map((name) => byName.get(name) ?? {name, error: {code: '_FAIL', message: 'the broker returned no result for this topic'}})
  }

  /** Commits offsets for a group (the broker accepts this only while the group has no active members). */
  async alterConsumerGroupOffsets(
    group: string,
    offsets: PartitionOffset[],
    options: TimeoutOption,
  ): Promise<GroupOffsetsResult<AlteredPartitionOffset>> {
    const t = checkTimeout(options.timeoutMs)
    if (offsets.length === 0) return {group, partitions: []}
    const raw = offsets.map(({topic, partition, offset}) => ({topic, partition, offset}))
    return retryWhileCoordinatorMoves(t, (remaining) =>
      groupLevelErrorAsResult(group, raw, bounded(() => this.raw.alterConsumerGroupOffsets(this.handle, group, raw, remaining), remaining)),
    )
  }

  /** Deletes a group's committed offsets for some partitions (not while it is subscribed to their topics). */
  async deleteConsumerGroupOffsets(
    group: string,
    partitions: TopicPartition[],
    options: TimeoutOption,
  ): Promise<GroupOffsetsResult<DeletedPartitionOffset>> {
    const t = checkTimeout(options.timeoutMs)
    if (partitions.length === 0) return {group, partitions: []}
    const raw = partitions.map(({topic, partition}) => ({topic, partition}))
    return retryWhileCoordinatorMoves(t, (remaining) =>
      groupLevelErrorAsResult(group, raw, bounded(() => this.raw.deleteConsumerGroupOffsets(this.handle, group, raw, remaining), remaining)),
    )
  }

  /**
   * Describes groups (state, members and their assignments, coordinator); one result per group,
   * in the order asked. A group whose coordinator is not ready yet (on a new cluster
   * __consumer_offsets is created on first use) is asked again within the one timeout.
   */
  async describeConsumerGroups(groups: string[], options: TimeoutOption): Promise<ConsumerGroupDescription[]> {
    const t = checkTimeout(options.timeoutMs)
    const unique = [...new Set(groups)]
    const results = new Map<string, ConsumerGroupDescription>()
    const deadline = Date.now() + t
    let asked = unique
    let backoff = 100
    while (asked.length > 0) {
      const remaining = Math.max(1, deadline - Date.now())
      const answers = await bounded(() => this.raw.describeConsumerGroups(this.handle, asked, remaining), remaining)
      for (const a of answers) results.set(a.group, a)
      asked = answers.filter((a) => isCoordinatorError(a.error)).map((a) => a.group)
      if (asked.length === 0 || Date.now() + backoff >= deadline) break
      await new Promise((resolve) => setTimeout(resolve, backoff))
      backoff = Math.min(backoff * 2, 1000)
    }
    const none = (group: string): ConsumerGroupDescription => ({
      group,
      error: {code: '_FAIL', message: 'the broker returned no result for this group'},
      state: 0,
      type: 0,
      isSimple: false,
      partitionAssignor: null,
      coordinator: null,
      members: [],
    })
    return groups.map((group) => results.get(group) ?? none(group))
  }

  /** Creates ACL bindings; one result per binding, in order. A binding librdkafka rejects throws a KafkitError 'usage'. */
  async createAcls(bindings: NativeAclBinding[], options: TimeoutOption): Promise<AclCreateResult[]> {
    const t = checkTimeout(options.timeoutMs)
    if (bindings.length === 0) return []
    return bounded(() => aclInputChecked(() => this.raw.createAcls(this.handle, bindings, t)), t)
  }

  /** The ACL bindings that match one filter. */
  async describeAcls(filter: NativeAclBinding, options: TimeoutOption): Promise<NativeAclBinding[]> {
    const t = checkTimeout(options.timeoutMs)
    return bounded(() => aclInputChecked(() => this.raw.describeAcls(this.handle, filter, t)), t)
  }

  /** Deletes every binding each filter matches; one result per filter, in order, with what it deleted. */
  async deleteAcls(filters: NativeAclBinding[], options: TimeoutOption): Promise<AclDeleteResult[]> {
    const t = checkTimeout(options.timeoutMs)
    if (filters.length === 0) return []
    return bounded(() => aclInputChecked(() => this.raw.deleteAcls(this.handle, filters, t)), t)
  }

  /** SCRAM credentials (mechanism and iterations, never secrets) of the users named, or of every user when none are. */
  async describeUserScramCredentials(users: string[], options: TimeoutOption): Promise<ScramUserDescription[]> {
    const t = checkTimeout(options.timeoutMs)
    return bounded(() => this.raw.describeUserScramCredentials(this.handle, users, t), t)
  }

  /**
   * Creates, replaces or deletes SCRAM credentials. librdkafka salts the password and sends only
   * the salted hash; the password never leaves this process.
   */
  async alterUserScramCredentials(alterations: ScramAlteration[], options: TimeoutOption): Promise<ScramAlterResult[]> {
    const t = checkTimeout(options.timeoutMs)
    if (alterations.length === 0) return []
    const raw = alterations.map((a) => ({user: a.user, mechanism: a.mechanism, iterations: a.iterations ?? null, password: a.password ?? null}))
    return bounded(() => Promise.resolve().then(() => this.raw.alterUserScramCredentials(this.handle, raw, t)), t)
  }

  /**
   * Frees the librdkafka handle once running requests have finished (their promises still
   * settle). Idempotent; later requests reject with code _DESTROY. Destruction runs off the JS
   * thread; awaiting is optional.
   */
  close(): Promise<void> {
    this.closing ??= this.raw.close(this.handle)
    return this.closing
  }
}
