import type {LibrdKafkaError, Message, Producer, TopicPartitionOffset} from '@confluentinc/kafka-javascript'

import {KafkitError} from '../../errors.js'
import {parseOffsetSpec} from '../../offset-spec.js'
import type {ConsumedRecord} from '../../records/consumed-record.js'
import {decodeRecord, encodeRecord, prepareDecoding, prepareEncoding, type OutgoingRecord, type PipeRecord} from '../../records/pipe-codec.js'
import {errorName} from '../kafka-errors.js'
import {partitionsToRead} from '../consume/partitions.js'
import {key, planPartitions, type TopicPartition} from '../consume/positions.js'
import {resolveTopics} from '../topics/resolve.js'
import {disconnectClient} from '../consume/client.js'
import {connectConsumer, connectProducer, committedOffsets, readBatch, seek, type ClientError, type PipeConsumer} from './clients.js'
import {DeliveryCommitter, ProducerLostError, TransactionCommitter, type ProgressCommitter} from './commits.js'
import {pipeConsumerConfig, pipeProducerConfig} from './config.js'
import {deadLetterRecord} from './dead-letter.js'
import type {PipeCounts, PipeRequest, PipeSessions, PipeSummary} from './request.js'

// `kafkit pipe`: read source partitions as a member of the group, transform, write to the
// destination, and commit both together (commits.ts) every --commit-interval. Rebalances are
// eager: when the group takes partitions away, the open transaction is committed first, and only
// then are they let go, so the next owner starts exactly where this one's output ends.

const ASSIGN_PARTITIONS = -175 // ERR__ASSIGN_PARTITIONS
const REVOKE_PARTITIONS = -174 // ERR__REVOKE_PARTITIONS
const QUEUE_FULL = -184 // ERR__QUEUE_FULL
/** Records per read: larger batches held more records across the awaits of one batch (more promoted to the old heap) and were no faster. */
const BATCH = 1000
/** A member given no partitions waits this long for some before -e lets it go. */
const EMPTY_ASSIGNMENT_GRACE_MS = 3000
const PROGRESS_MS = 1000
const READ_RETRY_MS = 60_000
/** Tries to start a new transactional producer after one was lost. */
const RENEW_ATTEMPTS = 3

interface PartitionState extends TopicPartition {
  assigned: boolean
  /** -e: the end of the log was reached. */
  done: boolean
  /** The offset after the last record handled: what a commit stores. */
  next?: number
  /** The first offset handled since the last commit: where to read again after an abort. */
  uncommittedFrom?: number
  /** Where a partition with no committed offset starts, when -o named a position. */
  plannedStart?: number
}

/** Partition states by topic and number: looked up once per record, so without building a key string. */
class PartitionTable {
  private readonly byTopic = new Map<string, PartitionState[]>()

  get(p: TopicPartition): PartitionState | undefined {
    return this.byTopic.get(p.topic)?.[p.partition]
  }

  /** The state of a partition, created when new. */
  obtain(p: TopicPartition): PartitionState {
    let list = this.byTopic.get(p.topic)
    if (!list) this.byTopic.set(p.topic, (list = []))
    return (list[p.partition] ??= {topic: p.topic, partition: p.partition, assigned: false, done: false})
  }

  *values(): IterableIterator<PartitionState> {
    for (const list of this.byTopic.values()) for (const s of list) if (s) yield s
  }
}

export async function runPipe(sessions: PipeSessions, request: PipeRequest, debug?: (line: string) => void): Promise<PipeSummary> {
  const pipe = await PipeRun.prepare(sessions, request, debug)
  return pipe.run()
}

class PipeRun {
  private readonly partitions = new PartitionTable()
  private readonly counts: PipeCounts = {in: 0, out: 0, dropped: 0, deadLettered: 0}
  private commits = 0
  private aborted = 0
  private revokeRequested = false
  private renewedSinceCommit = false
  private closing = false
  /** When the group last gave this member partitions (possibly none). */
  private assignedAt?: number
  /** Between letting partitions go in a rebalance and the next assignment: not caught up, just waiting. */
  private awaitingAssignment = false
  private handledSinceCommit = 0
  private openedAt?: number
  private consumer!: PipeConsumer
  private producer!: Producer
  private committer!: ProgressCommitter

  private constructor(
    private readonly sessions: PipeSessions,
    private readonly request: PipeRequest,
    private readonly debug?: (line: string) => void,
  ) {}

  static async prepare(sessions: PipeSessions, request: PipeRequest, debug?: (line: string) => void): Promise<PipeRun> {
    const run = new PipeRun(sessions, request, debug)
    await run.checkTopics()
    return run
  }

  /** Every topic named exists; explicit start positions are resolved now, applied on assignment. */
  private async checkTopics(): Promise<void> {
    const {request, sessions} = this
    const topics = await resolveTopics(sessions.source, {names: request.sources, pattern: request.pattern, operation: 'READ'})
    const targets = [request.destination, ...(request.onError.kind === 'dead-letter' ? [request.onError.topic] : [])]
    await resolveTopics(sessions.destination, {names: targets, operation: 'WRITE'})
    const sourcePartitions = topics.length === 0 ? [] : await partitionsToRead(sessions.source, topics, undefined, request.spec)
    if (request.keepPartitions) {
      const destination = (await partitionsToRead(sessions.destination, [request.destination], undefined, parseOffsetSpec([]))).length
      const needed = Math.max(0, ...sourcePartitions.map((p) => p.partition + 1))
      if (destination < needed) {
        throw new KafkitError('usage', `--keep-partitions: ${request.destination} has ${destination} partition(s), the source ${needed}`, {
          hint: `add partitions: kafkit topics alter ${request.destination} --partitions ${needed}`,
        })
      }
    }
    const start = request.spec.all.start?.kind
    const explicit = (start !== undefined && start !== 'beginning' && start !== 'end' && start !== 'stored') || request.spec.partitions.size > 0 || request.spec.topics.size > 0
    const plans = explicit && sourcePartitions.length > 0
      ? await planPartitions(sessions.source, sourcePartitions, request.spec, {isolation: 'read_committed', group: true, exitAtEnd: false, reset: 'earliest', now: Date.now(), notice: request.notice})
      : []
    for (const p of sourcePartitions) this.partitions.obtain(p)
    for (const plan of plans) if (plan.start !== undefined) this.partitions.obtain(plan).plannedStart = plan.start
  }

  async run(): Promise<PipeSummary> {
    const {request, sessions} = this
    const exactlyOnce = request.guarantee === 'exactly-once'
    this.consumer = await connectConsumer(sessions.source, pipeConsumerConfig(sessions.source, request), this.rebalanceCallback(), this.debug)
    try {
      if (exactlyOnce) {
        await this.openTransactionalProducer()
      } else {
        this.producer = await connectProducer(sessions.destination, pipeProducerConfig(sessions.destination, request), this.debug)
        this.committer = new DeliveryCommitter(this.producer, this.consumer, request.destination, this.commitTimeoutMs, request.notice)
        this.producer.on('delivery-report', (err: LibrdKafkaError | null) => {
          if (err) this.committer.deliveryFailed(`${errorName(err.code) ?? 'error'}: ${err.message}`)
        })
      }
      if (request.exitAtEnd) this.consumer.on('partition.eof', (eof: TopicPartitionOffset) => this.markDone(eof))
      const subscription = request.pattern === undefined ? request.sources : [...request.sources, `^(${request.pattern})$`]
      this.consumer.subscribe(subscription)
      const stoppedBy = await this.loop()
      this.closing = true
      await this.commit()
      return {...this.counts, guarantee: request.guarantee, commits: this.commits, aborted: this.aborted, stoppedBy}
    } catch (error) {
      this.closing = true
      // Whatever was produced since the last commit is given up: read again next time.
      await this.committer?.abandon().catch(() => {})
      throw error
    } finally {
      this.closing = true
      await this.request.transform?.close().catch(() => {})
      // Leaving the group hands the partitions to the other members at once.
      await disconnectClient(this.consumer, 10_000)
      if (this.producer) await disconnectClient(this.producer, 10_000)
    }
  }

  private async loop(): Promise<'end' | 'signal'> {
    let lastProgress = Date.now()
    for (;;) {
      try {
        if (this.revokeRequested) await this.letGo()
        if (this.request.signal.aborted) return 'signal'
        if (this.request.exitAtEnd && this.allDone()) return 'end'
        if (this.commitDue()) await this.commit()
        const messages = await this.read()
        if (messages.length > 0) await this.handle(messages)
      } catch (error) {
        if (!this.renewable(error)) throw error
        await this.renewProducer(error as Error)
      }
      if (this.request.progress && Date.now() - lastProgress >= PROGRESS_MS) {
        lastProgress = Date.now()
        this.request.progress({...this.counts, lag: this.lag(), assigned: [...this.partitions.values()].filter((s) => s.assigned).length})
      }
    }
  }

  private readFailingSince?: number

  /**
   * The next batch. A read error (a broker restarting, a partition moving) is retried for up to
   * a minute: librdkafka reconnects on its own. Authorization and unknown topics end the pipe.
   */
  private async read(): Promise<Message[]> {
    try {
      const messages = await readBatch(this.consumer, BATCH)
      this.readFailingSince = undefined
      return messages
    } catch (error) {
      const e = error as LibrdKafkaError
      const name = errorName(e.code) ?? ''
      this.readFailingSince ??= Date.now()
      if (/AUTHORIZATION|UNKNOWN_TOPIC/.test(name) || Date.now() - this.readFailingSince > READ_RETRY_MS) {
        throw this.sessions.source.translate(e, 'reading the source')
      }
      this.debug?.(`read failed (${name}: ${e.message}); retrying`)
      await new Promise((resolve) => setTimeout(resolve, 500))
      return []
    }
  }

  /** Bound on a commit's calls: --timeout, but at least 30 s (a commit waits for every record produced since the last). */
  private get commitTimeoutMs(): number {
    return Math.max(this.sessions.destination.timeoutMs, 30_000)
  }

  private async openTransactionalProducer(): Promise<void> {
    const {sessions, request} = this
    this.producer = await connectProducer(sessions.destination, pipeProducerConfig(sessions.destination, request), this.debug)
    const transactions = new TransactionCommitter(this.producer, this.consumer, this.commitTimeoutMs, request.notice)
    await transactions.init()
    this.committer = transactions
  }

  /**
   * The transactional producer lost (fenced, or a fatal error such as INVALID_TXN_STATE) although
   * no other process has its transactional.id (the pipe's own, one per process): the coordinator
   * aborted its transaction because it outlived transaction.timeout.ms, e.g. while the broker was
   * away. Once per commit: losing the next producer too before any commit is something else.
   */
  private renewable(error: unknown): boolean {
    if (this.request.guarantee !== 'exactly-once' || this.request.transactionalId !== undefined || this.renewedSinceCommit) return false
    if (error instanceof ProducerLostError) return true
    const code = error instanceof KafkitError ? error.kafkaCode : errorName((error as ClientError | undefined)?.code)
    return code === '_FATAL' || code === '_FENCED' || (error as ClientError | undefined)?.isFatal === true
  }

  /** A new transactional producer; what the old one's aborted transaction held is read again. */
  private async renewProducer(lost: Error): Promise<void> {
    this.request.notice(`the transaction was lost (${lost.message}); starting a new producer and reading again from the last commit`)
    this.renewedSinceCommit = true
    for (let attempt = 1; ; attempt++) {
      await disconnectClient(this.producer, 10_000)
      try {
        await this.openTransactionalProducer()
        break
      } catch (error) {
        // The broker may not be back yet.
        if (attempt >= RENEW_ATTEMPTS) throw error
      }
    }
    this.aborted++
    await this.readAgain()
    this.openedAt = undefined
    this.handledSinceCommit = 0
  }

  private commitDue(): boolean {
    if (this.openedAt === undefined) return false
    if (this.request.commitEvery !== undefined && this.handledSinceCommit >= this.request.commitEvery) return true
    return Date.now() - this.openedAt >= this.request.commitIntervalMs
  }

  /** Commits what was handled; after an abort, reads those records again. */
  private async commit(): Promise<void> {
    const offsets: TopicPartitionOffset[] = []
    for (const s of this.partitions.values()) {
      if (s.assigned && s.uncommittedFrom !== undefined && s.next !== undefined) offsets.push({topic: s.topic, partition: s.partition, offset: s.next})
    }
    const result = await this.committer.commit(offsets)
    if (result === 'aborted') {
      this.aborted++
      await this.readAgain()
    } else {
      if (result === 'committed') {
        this.commits++
        this.renewedSinceCommit = false
      }
      for (const s of this.partitions.values()) s.uncommittedFrom = undefined
    }
    this.openedAt = undefined
    this.handledSinceCommit = 0
  }

  /** After an abort: every partition goes back to its first uncommitted record. */
  private async readAgain(): Promise<void> {
    for (const s of this.partitions.values()) {
      if (s.uncommittedFrom === undefined) continue
      const from = s.uncommittedFrom
      s.uncommittedFrom = undefined
      s.next = from
      s.done = false
      if (!s.assigned) continue
      try {
        await seek(this.consumer, {topic: s.topic, partition: s.partition, offset: from}, 10_000)
      } catch (error) {
        throw new KafkitError('failure', `could not read ${s.topic} partition ${s.partition} again from offset ${from} after an aborted transaction: ${(error as Error).message}`, {
          hint: 'nothing after the last committed transaction was committed: run the pipe again to continue from there',
        })
      }
    }
  }

  /** The group takes the partitions away: commit what was handled for them first, then let go. */
  private async letGo(): Promise<void> {
    await this.commit()
    this.revokeRequested = false
    for (const s of this.partitions.values()) s.assigned = false
    this.awaitingAssignment = true
    this.consumer.unassign()
  }

  private rebalanceCallback() {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const run = this
    return function (this: PipeConsumer, err: LibrdKafkaError, assignment: TopicPartitionOffset[]): void {
      try {
        if (err.code === ASSIGN_PARTITIONS) run.assign(assignment)
        else if (err.code === REVOKE_PARTITIONS && !run.closing) run.revokeRequested = true
        else this.unassign()
      } catch {
        // The consumer is closing; librdkafka finishes the rebalance itself.
      }
    }
  }

  /** Partitions given to this member: start at the committed offset, else where -o says. */
  private assign(assignment: TopicPartitionOffset[]): void {
    this.assignedAt = Date.now()
    this.awaitingAssignment = false
    const states = assignment.map((tp) => {
      const s = this.partitions.obtain(tp)
      s.assigned = true
      // -e: caught up is judged anew for this assignment (its end may have moved).
      s.done = false
      s.next = undefined
      s.uncommittedFrom = undefined
      return s
    })
    if (!states.some((s) => s.plannedStart !== undefined)) {
      this.consumer.assign(assignment)
      return
    }
    const timeoutMs = this.sessions.source.timeoutMs
    committedOffsets(this.consumer, assignment.map((tp) => ({topic: tp.topic, partition: tp.partition, offset: -1001})), timeoutMs)
      .then((committed) => {
        const byKey = new Map(committed.map((c) => [key(c), c.offset]))
        this.consumer.assign(states.map((s) => {
          const stored = byKey.get(key(s)) ?? -1
          return {topic: s.topic, partition: s.partition, offset: stored >= 0 ? stored : (s.plannedStart ?? -1001)}
        }))
      })
      .catch((error: unknown) => {
        this.request.notice(`could not read the group's committed offsets (${(error as Error).message}); starting from them as librdkafka finds them`)
        this.consumer.assign(assignment)
      })
  }

  private markDone(eof: TopicPartitionOffset): void {
    const s = this.partitions.get(eof)
    if (s?.assigned) s.done = true
  }

  private allDone(): boolean {
    let assigned = 0
    for (const s of this.partitions.values()) {
      if (!s.assigned) continue
      assigned++
      if (!s.done) return false
    }
    // A member given nothing (more members than partitions) waits a moment, then has nothing to do.
    if (assigned === 0) return !this.awaitingAssignment && this.assignedAt !== undefined && Date.now() - this.assignedAt > EMPTY_ASSIGNMENT_GRACE_MS
    return true
  }

  private lag(): number {
    let lag = 0
    for (const s of this.partitions.values()) {
      if (!s.assigned || s.next === undefined) continue
      try {
        lag += Math.max(0, this.consumer.getWatermarkOffsets(s.topic, s.partition).highOffset - s.next)
      } catch {
        // Not fetched yet.
      }
    }
    return lag
  }

  /** One batch: note the positions, transform, and produce the results. */
  private async handle(batch: Message[]): Promise<void> {
    const messages: ConsumedRecord[] = []
    for (const m of batch as unknown as ConsumedRecord[]) {
      const s = this.partitions.get(m)
      // A record fetched for a partition let go since: its next owner reads it.
      if (!s?.assigned) continue
      s.uncommittedFrom ??= m.offset
      s.next = m.offset + 1
      messages.push(m)
    }
    if (messages.length === 0) return
    this.counts.in += messages.length
    this.handledSinceCommit += messages.length
    this.openedAt ??= Date.now()
    await this.committer.ensureOpen()
    const {request} = this
    const destination = request.destination
    if (request.transform === undefined && sameFormats(request)) {
      // The consumed record's own fields go to the producer as they are (same shapes, headers included).
      for (const m of messages) {
        const r = m as unknown as OutgoingRecord
        if (!request.keepPartitions) r.partition = -1
        if (!(m.timestamp! >= 0)) r.timestamp = 0
        if (!this.tryProduce(destination, r)) await this.produceWhenRoom(destination, r)
      }
      this.counts.out += messages.length
      return
    }
    // Decode, transform the records that decoded, encode the results; failures follow --on-error.
    await prepareDecoding(messages, request.input)
    const decoded = messages.map((m) => decodeRecord(m, request.input))
    const inputs: PipeRecord[] = []
    for (const d of decoded) if ('record' in d) inputs.push(d.record)
    const outcomes = request.transform ? await request.transform.apply(inputs) : inputs.map((r) => ({records: [r]}))
    await prepareEncoding(outcomes.flatMap((o) => ('records' in o ? o.records : [])), request.output)
    let next = 0
    for (let i = 0; i < messages.length; i++) {
      const d = decoded[i]!
      const outcome = 'error' in d ? d : outcomes[next++]!
      if ('error' in outcome) {
        await this.failed(messages[i]!, outcome.error)
        continue
      }
      if (outcome.records.length === 0) this.counts.dropped++
      // All of a record's outputs are encoded before any is produced: one that cannot be makes the
      // whole input record fail, never half of its fan-out. (Loops, not closures: this runs per record.)
      const encoded: OutgoingRecord[] = []
      let failure: string | undefined
      for (const r of outcome.records) {
        const e = encodeRecord(r, request.output, request.keepPartitions)
        if ('error' in e) {
          failure = e.error
          break
        }
        encoded.push(e.record)
      }
      if (failure !== undefined) {
        await this.failed(messages[i]!, `cannot write the transform's output: ${failure}`)
        continue
      }
      for (const r of encoded) if (!this.tryProduce(destination, r)) await this.produceWhenRoom(destination, r)
      this.counts.out += encoded.length
    }
  }

  /** A record the pipe could not handle: --on-error decides. */
  private async failed(m: ConsumedRecord, reason: string): Promise<void> {
    const policy = this.request.onError
    const where = `${m.topic} partition ${m.partition} offset ${m.offset}`
    if (policy.kind === 'fail') {
      throw new KafkitError('usage', `${where}: ${reason}`, {hint: 'fix the transform (nothing after the last commit was committed), or --on-error skip|dead-letter TOPIC'})
    }
    if (policy.kind === 'skip') {
      this.counts.dropped++
      this.request.notice(`${where}: ${reason} (skipped)`)
      return
    }
    const copy = deadLetterRecord(m, reason)
    if (!this.tryProduce(policy.topic, copy)) await this.produceWhenRoom(policy.topic, copy)
    this.counts.deadLettered++
  }

  /** Produces unless the producer's queue is full (false). */
  private tryProduce(topic: string, r: OutgoingRecord): boolean {
    try {
      this.producer.produce(topic, r.partition, keepEmpty(r.value) as Buffer, keepEmpty(r.key), r.timestamp, undefined, (r.headers?.length ? r.headers : undefined) as never)
      return true
    } catch (error) {
      if ((error as LibrdKafkaError).code === QUEUE_FULL) return false
      throw new KafkitError('failure', `cannot produce to ${topic}: ${(error as Error).message}`, {kafkaCode: errorName((error as LibrdKafkaError).code)})
    }
  }

  private async produceWhenRoom(topic: string, r: OutgoingRecord): Promise<void> {
    do {
      // Deliveries make room in the producer's queue.
      this.producer.poll()
      await new Promise((resolve) => setTimeout(resolve, 2))
    } while (!this.tryProduce(topic, r))
  }
}

/** No transform and the same formats in and out: the bytes are copied as they are. */
/** The output writes what the input read: the same serializers (a Schema Registry format given an output schema is another one). */
const sameFormats = ({input, output}: PipeRequest) => input.key === output.key && input.value === output.value

/**
 * The client library sends a zero-length Buffer without memory of its own (Buffer.alloc(0), an
 * empty consumed key or value) as null: an empty key or value became a null one. A zero-length
 * view into a real allocation is sent as the empty bytes it is. (Header values cannot be told
 * apart: the library's consumer gives null and empty header values both as empty Buffers, and
 * they are written as null.)
 */
const EMPTY = Buffer.alloc(1).subarray(1)
const keepEmpty = (b: Buffer | null): Buffer | null => (b !== null && b.length === 0 ? EMPTY : b)
