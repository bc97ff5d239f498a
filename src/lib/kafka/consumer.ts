import type {KafkaConsumer, LibrdKafkaError, Message, TopicPartitionOffset} from '@confluentinc/kafka-javascript'

import {KafkitError} from '../errors.js'
import {namedPartitions, type OffsetSpec} from '../offset-spec.js'
import type {ConsumedRecord, RecordFormatter} from '../output/record-format.js'
import type {TimestampType} from '../records/jsonl.js'
import {loadClientLibrary} from './client-library.js'
import {loadNativeConsume, NativeConsumer} from './consume-native.js'
import {key, offsetResetFrom, planPartitions, type OffsetReset, type PartitionPlan, type TopicPartition} from './consume-positions.js'
import type {KafkaSession} from './session.js'

// The consume loop behind `kafkit consume` (docs/consume.md). It reads batches with the
// client's consume(n) call, formats each batch into one buffer, hands it to the caller's sink and
// waits for that write before reading far ahead: a slow reader pauses fetching instead of filling
// memory. In group mode only offsets of records already written are committed (at least once).
// The loop never prints; the command supplies the sink and the notice function.

export interface ConsumeRequest {
  topics: string[]
  /** Regular expression for topic names (whole name), instead of or besides `topics`. */
  pattern?: string
  /** Only these partitions. */
  partitions?: number[]
  group?: string
  spec: OffsetSpec
  /** Exit once every partition reached the end offsets read at start (-e). */
  exitAtEnd: boolean
  /** Stop after this many records in all (-c). */
  count?: number
  /** Stop at records stamped at or after this time (--until), epoch ms. */
  untilMs?: number
  /** Stop when nothing arrived for this long. */
  idleTimeoutMs?: number
  isolation: 'read_committed' | 'read_uncommitted'
  /** Aborting stops fetching; what was written is committed and the group is left cleanly. */
  signal: AbortSignal
  notice(text: string): void
  /** Whether the output's reader has gone (`| head`): then the run ends like on EPIPE, committing nothing more. */
  outputClosed?: () => boolean
  /** Records carry their topic's timestamp type (jsonl output); costs one DescribeConfigs. */
  needsTimestampType?: boolean
  /** A function called for every record printed (for --json collection). */
  onRecord?: (record: ConsumedRecord) => void
  /** Only records it accepts are printed and counted (--grep, --filter); the others are passed over. */
  filter?: (record: ConsumedRecord) => boolean
}

export interface ConsumeSink {
  formatter: RecordFormatter
  /** Writes one chunk; resolves when the bytes are written (only then are they committed). */
  write(chunk: Buffer): Promise<void>
}

export type StopReason = 'end' | 'count' | 'until' | 'idle' | 'signal' | 'output-closed'

export interface ConsumeSummary {
  records: number
  stoppedBy: StopReason
  partitions: Array<{topic: string; partition: number; next: number | null}>
  committed: boolean
}

/** Methods the client has but its type declarations omit. */
type Consumer = KafkaConsumer & {
  rebalanceProtocol(): 'COOPERATIVE' | 'EAGER' | 'NONE'
  incrementalAssign(assignment: Array<TopicPartition | TopicPartitionOffset>): void
  incrementalUnassign(assignment: TopicPartition[]): void
  setDefaultIsTimeoutOnlyForFirstMessage(only: boolean): void
}

/** Records per consume(n) call; lowered for large records so one batch stays near BATCH_BYTES. */
const MAX_BATCH = 10_000
const BATCH_BYTES = 4 * 1024 * 1024
/** The native loop formats in C and hands over one buffer per batch: fewer, larger batches. */
const NATIVE_MAX_BATCH = 50_000
const NATIVE_BATCH_BYTES = 8 * 1024 * 1024
/** How long one consume(n) call waits for the first record, so signals and idle checks stay prompt. */
const POLL_MS = 200
const EMPTY_ASSIGNMENT_GRACE_MS = 3000

/** What the group's rebalance callback shares with the loop. */
interface GroupState {
  lastRebalanceAt?: number
  /** Called before partitions are revoked: commits what was written for them. */
  beforeRevoke?: () => void
}
const COMMIT_INTERVAL_MS = 5000
/** librdkafka's pre-fetch queue bound (queued.max.messages.kbytes), the main term of the memory bound. */
const QUEUED_KBYTES = 16_384

/** Topics to read: named ones must exist; a pattern matches whole names. */
async function resolveTopics(session: KafkaSession, request: ConsumeRequest): Promise<string[]> {
  const names = await session.metadataTopicNames()
  const existing = new Set(names)
  for (const topic of request.topics) {
    if (!existing.has(topic)) {
      throw new KafkitError('not_found', `topic ${topic} does not exist`, {hint: 'list topics with: kafkit topics list', kafkaCode: 'UNKNOWN_TOPIC_OR_PART'})
    }
  }
  const topics = [...request.topics]
  if (request.pattern !== undefined) {
    const re = compilePattern(request.pattern)
    for (const name of names.sort()) if (re.test(name) && !name.startsWith('__') && !topics.includes(name)) topics.push(name)
    if (topics.length === 0 && !request.group) {
      throw new KafkitError('not_found', `no topic matches --pattern ${request.pattern}`, {hint: 'list topics with: kafkit topics list'})
    }
  }
  return topics
}

export function compilePattern(pattern: string): RegExp {
  try {
    return new RegExp(`^(?:${pattern})$`)
  } catch (error) {
    throw new KafkitError('usage', `invalid --pattern: ${(error as Error).message}`)
  }
}

async function partitionsOf(session: KafkaSession, topics: string[], only: number[] | undefined, spec: OffsetSpec): Promise<TopicPartition[]> {
  const admin = session.admin()
  const described = await session.call<Array<{name: string; partitions: Array<{partition: number}>; error?: LibrdKafkaError}>>(`topic ${topics[0]}`, (done) =>
    admin.describeTopics(topics, {timeout: session.timeoutMs}, done as never),
  )
  const out: TopicPartition[] = []
  for (const topic of described) {
    if (topic.error) throw session.translate(topic.error, `topic ${topic.name}`)
    const all = topic.partitions.map((p) => p.partition).sort((a, b) => a - b)
    const wanted = only ?? namedPartitions(spec, topic.name) ?? all
    for (const partition of wanted) {
      if (!all.includes(partition)) {
        throw new KafkitError('not_found', `topic ${topic.name} has no partition ${partition} (it has ${all.length}: 0-${all.length - 1})`, {
          kafkaCode: '_UNKNOWN_PARTITION',
        })
      }
      out.push({topic: topic.name, partition})
    }
  }
  return out
}

/**
 * Each topic's timestamp type (message.timestamp.type): the client does not report it per
 * record, and with LogAppendTime the broker stamps every record. Unknown (no native
 * extension, no permission) counts as create time, Kafka's default.
 */
async function timestampTypesOf(session: KafkaSession, topics: string[]): Promise<Map<string, TimestampType>> {
  const types = new Map<string, TimestampType>()
  try {
    const native = await session.nativeAdmin()
    const described = await session.guard(undefined, native.describeConfigs(topics.map((name) => ({type: 'topic' as const, name})), {timeoutMs: session.timeoutMs}))
    for (const resource of described) {
      const value = resource.configs.find((c) => c.name === 'message.timestamp.type')?.value
      if (value === 'LogAppendTime') types.set(resource.name, 'log-append')
    }
  } catch {
    // Keep the default.
  }
  return types
}

/** State for a partition not planned at start (a topic created later that --pattern matches). */
function adoptPartition(state: Map<string, PartitionState>, tp: TopicPartition): PartitionState {
  const s: PartitionState = {topic: tp.topic, partition: tp.partition, low: 0, high: 0, requested: 'stored', next: null, written: null, committed: null, done: false, assigned: true}
  state.set(key(tp), s)
  return s
}

/** Per-partition state of the loop. */
interface PartitionState extends PartitionPlan {
  /** Next offset to print (last printed + 1), null before the first record. */
  next: number | null
  /** Next offset written to the sink (safe to commit). */
  written: number | null
  /** Committed at least up to this. */
  committed: number | null
  done: boolean
  assigned: boolean
}

export async function consumeRecords(session: KafkaSession, request: ConsumeRequest, sink: ConsumeSink): Promise<ConsumeSummary> {
  await session.ensureReachable()
  const topics = await resolveTopics(session, request)
  const grouped = request.group !== undefined
  const userReset = offsetResetFrom(session.connection.properties, 'none' as OffsetReset)
  const reset: OffsetReset = userReset === ('none' as OffsetReset) ? 'latest' : userReset
  const now = Date.now()
  const partitions = topics.length === 0 ? [] : await partitionsOf(session, topics, request.partitions, request.spec)
  const plans = await planPartitions(session, partitions, request.spec, {
    isolation: request.isolation,
    group: grouped,
    exitAtEnd: request.exitAtEnd,
    untilMs: request.untilMs,
    reset,
    now,
    notice: request.notice,
  })
  const state = new Map<string, PartitionState>()
  for (const plan of plans) {
    const empty = plan.stop !== undefined && plan.start !== undefined && plan.start >= plan.stop
    state.set(key(plan), {...plan, next: plan.start ?? null, written: null, committed: null, done: empty, assigned: false})
  }

  const native = grouped || request.onRecord || request.filter || !sink.formatter.nativeProgram || plans.some((p) => p.stopTime !== undefined) ? undefined : loadNativeConsume()
  if (native) return consumeNatively(native, request, sink, state, consumerConfig(session, request, false, userReset), session)

  const timestampTypes = request.needsTimestampType ? await timestampTypesOf(session, topics) : undefined
  const {consumer, group: groupState} = await connectConsumer(session, request, state, grouped, userReset, topics)
  let printed = 0
  let stoppedBy: StopReason | undefined
  let lastRecordAt = Date.now()
  let lastCommitAt = Date.now()
  let pendingWrite: Promise<void> = Promise.resolve()
  let writeError: unknown
  let committedOnExit = false
  let batchSize = 1000
  // Group mode: partitions of topics that appeared after start (--pattern) are read from their committed offset.
  const adopt = (tp: TopicPartition): PartitionState => adoptPartition(state, tp)
  // With -e a partition is finished once librdkafka reports the end of its log: the end read at
  // start lies at or before that point. The client reports ends while a batch is handed over,
  // before its records are processed: they are applied after the batch.
  const endsReached: TopicPartition[] = []
  if (request.exitAtEnd) consumer.on('partition.eof', (eof: TopicPartitionOffset) => endsReached.push(eof))
  const applyEnds = () => {
    for (const eof of endsReached.splice(0)) (state.get(key(eof)) ?? adopt(eof)).done = true
  }
  const allDone = () => {
    let assigned = 0
    for (const s of state.values()) {
      if (!s.assigned) continue
      assigned++
      if (!s.done) return false
    }
    // A member with nothing assigned waits a moment: cooperative rebalancing often hands out
    // partitions in a second round.
    if (grouped && assigned === 0) return groupState.lastRebalanceAt !== undefined && Date.now() - groupState.lastRebalanceAt > EMPTY_ASSIGNMENT_GRACE_MS
    return true
  }

  const commitWritten = (sync: boolean) => {
    if (!grouped) return
    const offsets: TopicPartitionOffset[] = []
    for (const s of state.values()) {
      if (s.assigned && s.written !== null && s.written !== s.committed) offsets.push({topic: s.topic, partition: s.partition, offset: s.written})
    }
    if (offsets.length === 0) return
    try {
      if (sync) consumer.commitSync(offsets)
      else consumer.commit(offsets)
      for (const o of offsets) state.get(key(o))!.committed = o.offset
    } catch (error) {
      request.notice(`could not commit offsets: ${(error as Error).message}`)
    }
  }
  // On a rebalance the partitions leaving are committed first; not while closing (the final
  // commit is done by then, or deliberately skipped when the output's reader went away).
  let closing = false
  groupState.beforeRevoke = () => {
    if (!closing) commitWritten(false)
  }

  try {
    while (!stoppedBy) {
      if (request.signal.aborted) {
        stoppedBy = 'signal'
        break
      }
      if (writeError) throw writeError
      if (allDone()) {
        stoppedBy = request.untilMs !== undefined && !request.exitAtEnd ? 'until' : 'end'
        break
      }
      if (request.idleTimeoutMs !== undefined && Date.now() - lastRecordAt >= request.idleTimeoutMs) {
        stoppedBy = 'idle'
        break
      }
      if (request.untilMs !== undefined && Date.now() >= request.untilMs && [...state.values()].every((s) => s.done || s.stopTime !== undefined)) {
        stoppedBy = 'until'
        break
      }
      const messages = await consumeBatch(consumer, batchSize)
      if (messages.length === 0) {
        applyEnds()
        if (request.outputClosed?.()) {
          stoppedBy = 'output-closed'
          // The reader took an unknown part of what was written: commit nothing more.
          committedOnExit = true
        }
        continue
      }
      lastRecordAt = Date.now()

      // Keep what lies inside each partition's range; pause partitions that are finished.
      const kept: Message[] = []
      const nextByPartition = new Map<PartitionState, number>()
      let bytes = 0
      for (const m of messages) {
        bytes += m.size
        const s = state.get(key(m)) ?? adopt(m)
        if (s.done) continue
        if ((s.stop !== undefined && m.offset >= s.stop) || (s.stopTime !== undefined && m.timestamp !== undefined && m.timestamp >= s.stopTime)) {
          s.done = true
          pause(consumer, s)
          continue
        }
        if (request.count !== undefined && printed + kept.length >= request.count) break
        if (timestampTypes) (m as unknown as ConsumedRecord).timestampType = timestampTypes.get(m.topic) ?? 'create'
        // A record the filter passes over still moves the position (and the commit) past it.
        if (!request.filter || request.filter(m as unknown as ConsumedRecord)) kept.push(m)
        s.next = m.offset + 1
        nextByPartition.set(s, s.next)
        if (s.stop !== undefined && s.next >= s.stop) {
          s.done = true
          pause(consumer, s)
        }
      }
      applyEnds()
      batchSize = Math.max(1, Math.min(MAX_BATCH, Math.floor(BATCH_BYTES / Math.max(1, bytes / messages.length))))
      if (kept.length > 0) {
        const chunk = formatBatch(kept, sink.formatter, request.onRecord)
        // One write in flight at most: wait for the previous before handing over the next.
        await pendingWrite
        if (writeError) throw writeError
        pendingWrite = (chunk.length === 0 ? Promise.resolve() : sink.write(chunk)).then(
          () => {
            for (const [s, next] of nextByPartition) s.written = next
          },
          (error: unknown) => {
            writeError = error
          },
        )
        printed += kept.length
      } else if (nextByPartition.size > 0) {
        // Only records the filter passed over: they count as written once what came before is.
        pendingWrite = pendingWrite.then(() => {
          for (const [s, next] of nextByPartition) s.written = next
        })
      }
      if (request.count !== undefined && printed >= request.count) stoppedBy = 'count'
      if (grouped && Date.now() - lastCommitAt >= COMMIT_INTERVAL_MS) {
        await pendingWrite
        commitWritten(false)
        lastCommitAt = Date.now()
      }
    }
    await pendingWrite
    if (writeError) throw writeError
    if (stoppedBy !== 'output-closed') commitWritten(true)
    committedOnExit = true
    return {
      records: printed,
      stoppedBy: stoppedBy ?? 'end',
      partitions: [...state.values()].filter((s) => s.assigned || !grouped).map((s) => ({topic: s.topic, partition: s.partition, next: s.next})),
      committed: grouped,
    }
  } finally {
    if (!committedOnExit && !writeError) {
      // Stopped by an error (e.g. --on-error fail): still commit what reached the output.
      await pendingWrite
      commitWritten(true)
    }
    closing = true
    await disconnect(consumer, session.timeoutMs)
  }
}

/**
 * The native loop (no group, format-string output): batches are read and formatted in C; this
 * side checks the stop conditions, writes with backpressure and tracks positions.
 */
async function consumeNatively(
  lib: NonNullable<ReturnType<typeof loadNativeConsume>>,
  request: ConsumeRequest,
  sink: ConsumeSink,
  state: Map<string, PartitionState>,
  config: Record<string, string | number | boolean>,
  session: KafkaSession,
): Promise<ConsumeSummary> {
  const consumer = new NativeConsumer(lib, config)
  const active = [...state.values()].filter((s) => !s.done)
  try {
    if (active.length > 0) {
      consumer.assign(
        active.map((s) => ({topic: s.topic, partition: s.partition, start: s.start ?? 0, stop: s.stop ?? -1})),
        sink.formatter.nativeProgram!,
      )
    }
    let printed = 0
    let stoppedBy: StopReason | undefined
    let lastRecordAt = Date.now()
    let pendingWrite: Promise<void> = Promise.resolve()
    let writeError: unknown
    let batchSize = 1000
    const stopReason = (): StopReason | undefined => {
      if (request.signal.aborted) return 'signal'
      if (request.count !== undefined && printed >= request.count) return 'count'
      if (active.every((s) => s.done)) return request.untilMs !== undefined && !request.exitAtEnd ? 'until' : 'end'
      if (request.idleTimeoutMs !== undefined && Date.now() - lastRecordAt >= request.idleTimeoutMs) return 'idle'
      return undefined
    }
    const read = () => consumer.consume(batchSize, NATIVE_BATCH_BYTES, POLL_MS, request.count === undefined ? -1 : request.count - printed)
    // Pipelined: while one batch is written, the next is already being read and formatted in C.
    // At most three batches exist at once (reading, waiting, writing): memory stays bounded.
    stoppedBy = stopReason()
    let reading = stoppedBy ? undefined : read()
    while (reading) {
      const batch = await reading
      if (batch.errorCode) {
        const error = session.translate({code: batch.errorCode, message: batch.errorMessage})
        // A broker that went away for a moment is retried by librdkafka; anything else ends the run.
        if (error.kind === 'connection') request.notice(error.message)
        else throw error
      }
      for (let i = 0; i < batch.positions.length; i += 3) {
        const s = active[batch.positions[i]!]!
        s.next = batch.positions[i + 1]!
        if (batch.positions[i + 2] === 1) s.done = true
      }
      if (request.exitAtEnd) for (const index of batch.eofs) active[index]!.done = true
      if (batch.count > 0) {
        lastRecordAt = Date.now()
        printed += batch.count
        batchSize = Math.max(1, Math.min(NATIVE_MAX_BATCH, Math.floor(NATIVE_BATCH_BYTES / Math.max(1, batch.bytes / batch.count))))
      } else if (request.outputClosed?.()) {
        stoppedBy = 'output-closed'
      }
      stoppedBy ??= stopReason()
      reading = stoppedBy ? undefined : read()
      if (batch.count > 0) {
        await pendingWrite
        if (writeError) throw writeError
        pendingWrite = sink.write(batch.data).catch((error: unknown) => {
          writeError = error
        })
      }
    }
    await pendingWrite
    if (writeError) throw writeError
    return {
      records: printed,
      stoppedBy: stoppedBy ?? 'end',
      partitions: [...state.values()].map((s) => ({topic: s.topic, partition: s.partition, next: s.next})),
      committed: false,
    }
  } finally {
    await consumer.close()
  }
}

function formatBatch(messages: Message[], formatter: RecordFormatter, onRecord?: (r: ConsumedRecord) => void): Buffer {
  let text = ''
  for (const m of messages) {
    const record = m as unknown as ConsumedRecord
    const out = formatter.format(record)
    if (out !== undefined) {
      text += out
      onRecord?.(record)
    }
  }
  return Buffer.from(text, formatter.encoding)
}

function pause(consumer: KafkaConsumer, p: TopicPartition): void {
  try {
    consumer.pause([{topic: p.topic, partition: p.partition}])
  } catch {
    // Not assigned any more (revoked meanwhile): nothing to pause.
  }
}

function consumeBatch(consumer: KafkaConsumer, size: number): Promise<Message[]> {
  return new Promise((resolve, reject) => {
    consumer.consume(size, (err, messages) => {
      if (err) reject(err)
      else resolve(messages)
    })
  })
}

/** librdkafka settings for either consume loop. */
function consumerConfig(session: KafkaSession, request: ConsumeRequest, grouped: boolean, userReset: OffsetReset): Record<string, string | number | boolean> {
  const properties = session.connection.properties
  // Group mode without a committed offset: -o end starts at the end, anything else at the beginning.
  const startAtEnd = request.spec.all.start?.kind === 'end'
  return session.clientConfig({
    'group.id': request.group ?? `kafkit-consume-${process.pid}`,
    'enable.auto.commit': false,
    'enable.auto.offset.store': false,
    'enable.partition.eof': Boolean(request.exitAtEnd),
    'isolation.level': request.isolation,
    'auto.offset.reset': userReset === ('none' as OffsetReset) ? (grouped && !startAtEnd ? 'earliest' : 'latest') : userReset,
    // Bounded read-ahead: librdkafka pre-fetches at most this much while the output is slow.
    'queued.max.messages.kbytes': Number(properties['queued.max.messages.kbytes'] ?? QUEUED_KBYTES),
    'fetch.max.bytes': Number(properties['fetch.max.bytes'] ?? 16 * 1024 * 1024),
    // librdkafka waits this long before fetching again once its queue was full (default 1 s):
    // a reader that keeps up would sit idle most of that second.
    'fetch.queue.backoff.ms': Number(properties['fetch.queue.backoff.ms'] ?? 10),
    ...(grouped ? {'partition.assignment.strategy': String(properties['partition.assignment.strategy'] ?? 'cooperative-sticky')} : {}),
  })
}

async function connectConsumer(
  session: KafkaSession,
  request: ConsumeRequest,
  state: Map<string, PartitionState>,
  grouped: boolean,
  userReset: OffsetReset,
  topics: string[],
): Promise<{consumer: Consumer; group: GroupState}> {
  const {KafkaConsumer} = loadClientLibrary()
  const groupState: GroupState = {}
  const config: Record<string, unknown> = consumerConfig(session, request, grouped, userReset)
  if (grouped) {
    // The client calls this with the consumer as `this`.
    config.rebalance_cb = function (this: Consumer, err: LibrdKafkaError, assignment: TopicPartitionOffset[]) {
      const cooperative = this.rebalanceProtocol() === 'COOPERATIVE'
      groupState.lastRebalanceAt = Date.now()
      try {
        if (err.code === -175 /* ERR__ASSIGN_PARTITIONS */) {
          const withOffsets = assignment.map((tp) => {
            const s = state.get(key(tp))
            if (!s) {
              adoptPartition(state, tp)
              return tp
            }
            s.assigned = true
            // Explicit positions (N, -N, +N, @TIME) override the committed offset, until this
            // member has read from the partition; after that the group's commits are the truth.
            const untouched = s.next === (s.start ?? null)
            return untouched && s.start !== undefined ? {...tp, offset: s.start} : tp
          })
          if (cooperative) this.incrementalAssign(withOffsets)
          else this.assign(withOffsets)
          for (const tp of assignment) {
            const s = state.get(key(tp))
            if (s?.done) pause(this, s)
          }
        } else if (err.code === -174 /* ERR__REVOKE_PARTITIONS */) {
          groupState.beforeRevoke?.()
          for (const tp of assignment) {
            const s = state.get(key(tp))
            if (s) s.assigned = false
          }
          if (cooperative) this.incrementalUnassign(assignment)
          else this.unassign()
        }
      } catch {
        // The consumer is closing; librdkafka finishes the rebalance itself.
      }
    }
  }
  // The client's topic configuration would override topic-level properties given globally; pass it explicitly.
  const consumer = new KafkaConsumer(config as never, {'auto.offset.reset': config['auto.offset.reset']} as never) as Consumer
  for (const [event, handler] of Object.entries(session.eventHandlers)) consumer.on(event as never, handler as never)
  await new Promise<void>((resolve, reject) => {
    consumer.connect({timeout: session.timeoutMs}, (err) => (err ? reject(session.translate(err)) : resolve()))
  })
  consumer.setDefaultConsumeTimeout(POLL_MS)
  consumer.setDefaultIsTimeoutOnlyForFirstMessage(true)
  if (grouped) {
    // librdkafka takes a topic starting with ^ as a regular expression (its own POSIX-like
    // dialect: no (?:...) groups), and re-evaluates it as topics are created.
    const subscription = request.pattern === undefined ? topics : [...request.topics, `^(${request.pattern})$`]
    consumer.subscribe(subscription)
  } else {
    const assignment: TopicPartitionOffset[] = []
    for (const s of state.values()) {
      s.assigned = true
      if (!s.done) assignment.push({topic: s.topic, partition: s.partition, offset: s.start ?? 0})
    }
    if (assignment.length > 0) consumer.assign(assignment)
  }
  return {consumer, group: groupState}
}

async function disconnect(consumer: KafkaConsumer, timeoutMs: number): Promise<void> {
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs)
    try {
      consumer.disconnect(() => {
        clearTimeout(timer)
        resolve()
      })
    } catch {
      clearTimeout(timer)
      resolve()
    }
  })
}
