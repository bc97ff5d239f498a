import {KafkitError} from '../../errors.js'
import {parseOffsetSpec} from '../../offset-spec.js'
import {decodeRecord, encodeRecord, prepareDecoding, prepareEncoding, readFrames, type OutgoingRecord, type PipeRecord, type SourceRecord} from '../../records/pipe-codec.js'
import {partitionsToRead} from '../consume/partitions.js'
import {planPartitions, type TopicPartition} from '../consume/positions.js'
import type {NativeBatch, NativeConsumer} from '../consume/native.js'
import {ProduceBatch} from '../produce/batch.js'
import {resolveTopics} from '../topics/resolve.js'
import {createConsumer, PipeProducer} from './clients.js'
import {DeliveryCommitter, ProducerLostError, TransactionCommitter, type ProgressCommitter, type SourceOffset} from './commits.js'
import {pipeConsumerConfig, pipeProducerConfig} from './config.js'
import {deadLetterRecord} from './dead-letter.js'
import type {PipeCounts, PipeRequest, PipeSessions, PipeSummary} from './request.js'

// `kafkit pipe`: read source partitions as a member of the group, transform, write to the
// destination, and commit both together (commits.ts) every --commit-interval. Both clients are
// kafkit's C extensions (clients.ts): batches of record frames in, whole batches out; a copy
// without a transform never makes a JavaScript object per record. Rebalances are eager: when the
// group takes partitions away, the consumer holds the revoke until the open transaction is
// committed (or aborted), so the next owner starts exactly where this one's output ends.

/** Records per read, and their bytes: larger batches held more memory and were no faster. */
const BATCH = 2000
const BATCH_BYTES = 1 << 20
const POLL_MS = 200
/** A member given no partitions waits this long for some before -e lets it go. */
const EMPTY_ASSIGNMENT_GRACE_MS = 3000
const PROGRESS_MS = 1000
const READ_RETRY_MS = 60_000
/** Tries to start a new transactional producer after one was lost. */
const RENEW_ATTEMPTS = 3
/** produce()'s topic index of the dead-letter topic (0 is the destination). */
const DEAD_LETTER_TOPIC = 1

interface PartitionState extends TopicPartition {
  /** The consumer's index of the partition. */
  index: number
  assigned: boolean
  /** The consumer's generation of its assignment (raised by each assign and revoke). */
  generation: number
  /** -e: the end of the log was reached. */
  done: boolean
  /** The offset after the last record handled: what a commit stores. */
  next?: number
  /** The first offset handled since the last commit: where to read again after an abort. */
  uncommittedFrom?: number
  /** Where a partition with no committed offset starts, when -o named a position. */
  plannedStart?: number
}

export async function runPipe(sessions: PipeSessions, request: PipeRequest, debug?: (line: string) => void): Promise<PipeSummary> {
  const pipe = await PipeRun.prepare(sessions, request, debug)
  return pipe.run()
}

class PipeRun {
  /** By the consumer's partition index. */
  private readonly partitions: PartitionState[] = []
  private readonly counts: PipeCounts = {in: 0, out: 0, dropped: 0, deadLettered: 0}
  private commits = 0
  private aborted = 0
  private revokeRequested = false
  private renewedSinceCommit = false
  /** When the group last gave this member partitions (possibly none). */
  private assignedAt?: number
  /** Between letting partitions go in a rebalance and the next assignment: not caught up, just waiting. */
  private awaitingAssignment = false
  private handledSinceCommit = 0
  private openedAt?: number
  private readFailingSince?: number
  /** The next batch, being read while the last one is handled. */
  private pending?: Promise<NativeBatch>
  private consumer!: NativeConsumer
  private producer?: PipeProducer
  private committer!: ProgressCommitter
  /** Settles once the producer can take records (a transactional one starts while the first batch is read). */
  private ready: Promise<void> = Promise.resolve()
  private readonly outputs = new ProduceBatch()
  private readonly deadLetters = new ProduceBatch()
  /** One input record's encoded outputs (reused). */
  private readonly encoded: OutgoingRecord[] = []

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
    for (const p of sourcePartitions) this.addPartition(p)
    for (const plan of plans) {
      const s = this.partitions.find((p) => p.topic === plan.topic && p.partition === plan.partition)
      if (s && plan.start !== undefined) s.plannedStart = plan.start
    }
  }

  private addPartition(p: TopicPartition): PartitionState {
    const s: PartitionState = {topic: p.topic, partition: p.partition, index: this.partitions.length, assigned: false, generation: 0, done: false}
    this.partitions.push(s)
    return s
  }

  async run(): Promise<PipeSummary> {
    const {request, sessions} = this
    this.consumer = createConsumer(pipeConsumerConfig(sessions.source, request))
    try {
      const subscription = request.pattern === undefined ? request.sources : [...request.sources, `^(${request.pattern})$`]
      this.consumer.subscribePipe(
        subscription,
        this.partitions.map((s) => ({topic: s.topic, partition: s.partition, start: s.plannedStart})),
      )
      // The group is joined in the background meanwhile (its assignment waits for the first read).
      this.openProducer()
      const stoppedBy = await this.loop()
      await this.commit()
      return {...this.counts, guarantee: request.guarantee, commits: this.commits, aborted: this.aborted, stoppedBy}
    } catch (error) {
      // Whatever was produced since the last commit is given up: read again next time.
      await this.committer?.abandon().catch(() => {})
      throw error
    } finally {
      await this.request.transform?.close().catch(() => {})
      // Leaving the group hands the partitions to the other members at once.
      await this.consumer.close()
      this.producer?.close()
    }
  }

  private openProducer(): void {
    const {sessions, request} = this
    const deadLetterTopic = request.onError.kind === 'dead-letter' ? request.onError.topic : undefined
    this.producer = new PipeProducer(pipeProducerConfig(sessions.destination, request), request.destination, deadLetterTopic, this.debug)
    if (request.guarantee === 'exactly-once') {
      const transactions = new TransactionCommitter(this.producer, this.consumer, this.commitTimeoutMs, request.notice)
      this.ready = transactions.init()
      // Awaited before the first transaction; a failure is not unhandled meanwhile.
      this.ready.catch(() => {})
      this.committer = transactions
    } else {
      this.committer = new DeliveryCommitter(this.producer, this.consumer, request.destination, this.commitTimeoutMs, request.notice)
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
        const batch = await this.read()
        if (batch) await this.handle(batch)
      } catch (error) {
        if (!this.renewable(error)) throw error
        await this.renewProducer(error as Error)
      }
      if (this.request.progress && Date.now() - lastProgress >= PROGRESS_MS) {
        lastProgress = Date.now()
        this.request.progress({...this.counts, lag: this.consumer.lag(), assigned: this.partitions.filter((s) => s.assigned).length})
      }
    }
  }

  /**
   * The next batch, with what it says of the group applied. A read error (a broker restarting, a
   * partition moving) is retried for up to a minute: librdkafka reconnects on its own.
   * Authorization and unknown topics end the pipe.
   */
  private async read(): Promise<NativeBatch | undefined> {
    const batch = await this.take()
    // The next batch is read (in C, on a worker thread) while this one is handled; never past a
    // revoke (it waits for this side), nor once -e is done (the read would only wait).
    if (!this.revokeRequested && !batch.errorCode && !(this.request.exitAtEnd && this.allDone())) this.pending = this.consumer.consume(BATCH, BATCH_BYTES, POLL_MS, -1)
    if (batch.errorCode) {
      if (batch.count === 0) this.consumer.recycle(batch.data)
      const name = batch.errorCode
      this.readFailingSince ??= Date.now()
      if (/AUTHORIZATION|UNKNOWN_TOPIC/.test(name) || Date.now() - this.readFailingSince > READ_RETRY_MS) {
        throw this.sessions.source.translate({code: name, message: batch.errorMessage}, 'reading the source')
      }
      this.debug?.(`read failed (${name}: ${batch.errorMessage}); retrying`)
      await new Promise((resolve) => setTimeout(resolve, 500))
      return batch.count > 0 ? batch : undefined
    }
    this.readFailingSince = undefined
    return batch
  }

  /** The batch being read (or a new one), with what it says of the group applied. */
  private async take(): Promise<NativeBatch> {
    const batch = await (this.pending ?? this.consumer.consume(BATCH, BATCH_BYTES, POLL_MS, -1))
    this.pending = undefined
    for (const tp of batch.added) this.addPartition(tp)
    for (let i = 0; i < batch.assignment.length; i += 3) {
      const s = this.partitions[batch.assignment[i]!]!
      s.assigned = batch.assignment[i + 1] === 1
      s.generation = batch.assignment[i + 2]!
      // A new assignment starts at the committed offset; -e judges its end anew.
      s.done = false
      s.next = undefined
      s.uncommittedFrom = undefined
    }
    if (batch.assignedNow) {
      this.assignedAt = Date.now()
      this.awaitingAssignment = false
    }
    if (batch.revokePending) this.revokeRequested = true
    for (const index of batch.eofs) {
      const s = this.partitions[index]!
      if (s.assigned) s.done = true
    }
    return batch
  }

  /** Bound on a commit's calls: --timeout, but at least 30 s (a commit waits for every record produced since the last). */
  private get commitTimeoutMs(): number {
    return Math.max(this.sessions.destination.timeoutMs, 30_000)
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
    const e = error as {code?: string; fatal?: boolean; kafkaCode?: string} | undefined
    const code = error instanceof KafkitError ? error.kafkaCode : e?.code
    return code === '_FATAL' || code === '_FENCED' || e?.fatal === true
  }

  /** A new transactional producer; what the old one's aborted transaction held is read again. */
  private async renewProducer(lost: Error): Promise<void> {
    this.request.notice(`the transaction was lost (${lost.message}); starting a new producer and reading again from the last commit`)
    this.renewedSinceCommit = true
    for (let attempt = 1; ; attempt++) {
      this.producer?.close()
      this.producer = undefined
      try {
        this.openProducer()
        await this.ready
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
    await this.ready
    const offsets: SourceOffset[] = []
    for (const s of this.partitions) {
      if (s.assigned && s.uncommittedFrom !== undefined && s.next !== undefined) offsets.push({topic: s.topic, partition: s.partition, offset: s.next, index: s.index, generation: s.generation})
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
      for (const s of this.partitions) s.uncommittedFrom = undefined
    }
    this.openedAt = undefined
    this.handledSinceCommit = 0
  }

  /**
   * After an abort: every partition goes back to its first uncommitted record. A batch read
   * meanwhile is dropped (it was read before the seeks): its partitions go back to its first records.
   */
  private async readAgain(): Promise<void> {
    const seekTo = new Map<number, number>()
    if (this.pending) {
      const stale = await this.take()
      const firsts = stale.firsts ?? []
      for (let i = 0; i < firsts.length; i += 2) seekTo.set(firsts[i]!, firsts[i + 1]!)
      this.consumer.recycle(stale.data)
    }
    for (const s of this.partitions) {
      if (s.uncommittedFrom === undefined) continue
      seekTo.set(s.index, s.uncommittedFrom)
      s.next = s.uncommittedFrom
      s.uncommittedFrom = undefined
    }
    for (const [index, from] of seekTo) {
      const s = this.partitions[index]!
      s.done = false
      if (!s.assigned) continue
      const failure = this.consumer.seek(s.index, from, 10_000)
      if (failure !== undefined) {
        throw new KafkitError('failure', `could not read ${s.topic} partition ${s.partition} again from offset ${from} after an aborted transaction: ${failure}`, {
          hint: 'nothing after the last committed transaction was committed: run the pipe again to continue from there',
        })
      }
    }
  }

  /** The group takes the partitions away: commit what was handled for them first, then let go. */
  private async letGo(): Promise<void> {
    await this.commit()
    this.revokeRequested = false
    for (const s of this.partitions) s.assigned = false
    this.awaitingAssignment = true
    this.consumer.release()
  }

  private allDone(): boolean {
    let assigned = 0
    for (const s of this.partitions) {
      if (!s.assigned) continue
      assigned++
      if (!s.done) return false
    }
    // A member given nothing (more members than partitions) waits a moment, then has nothing to do.
    if (assigned === 0) return !this.awaitingAssignment && this.assignedAt !== undefined && Date.now() - this.assignedAt > EMPTY_ASSIGNMENT_GRACE_MS
    return true
  }

  /** One batch: note the positions, transform, and produce the results. */
  private async handle(batch: NativeBatch): Promise<void> {
    try {
      if (batch.count === 0) return
      const {positions, firsts = []} = batch
      for (let i = 0; i < firsts.length; i += 2) this.partitions[firsts[i]!]!.uncommittedFrom ??= firsts[i + 1]!
      for (let i = 0; i < positions.length; i += 4) this.partitions[positions[i]!]!.next = positions[i + 1]!
      this.counts.in += batch.count
      this.handledSinceCommit += batch.count
      this.openedAt ??= Date.now()
      await this.ready
      this.committer.ensureOpen()
      const {request} = this
      const producer = this.producer!
      if (request.transform === undefined && sameFormats(request)) {
        // The frames go to the producer as they are: no JavaScript per record.
        await producer.produceFrames(batch.data, request.keepPartitions)
        this.counts.out += batch.count
      } else {
        await this.transform(readFrames(batch.data, (index) => this.partitions[index]!.topic))
      }
      producer.poll()
    } finally {
      this.consumer.recycle(batch.data)
    }
  }

  /** Decode, transform the records that decoded, encode the results; failures follow --on-error. */
  private async transform(messages: SourceRecord[]): Promise<void> {
    const {request, outputs, deadLetters} = this
    outputs.reset(null)
    deadLetters.reset(null)
    await prepareDecoding(messages, request.input)
    const decoded = messages.map((m) => decodeRecord(m, request.input))
    const inputs: PipeRecord[] = []
    for (const d of decoded) if ('record' in d) inputs.push(d.record)
    const outcomes = request.transform ? await request.transform.apply(inputs) : inputs.map((r) => ({records: [r]}))
    if (request.output.key.prepare || request.output.value.prepare) await prepareEncoding(outcomes.flatMap((o) => ('records' in o ? o.records : [])), request.output)
    let next = 0
    for (let i = 0; i < messages.length; i++) {
      const d = decoded[i]!
      const outcome = 'error' in d ? d : outcomes[next++]!
      if ('error' in outcome) {
        this.failed(messages[i]!, outcome.error)
        continue
      }
      if (outcome.records.length === 0) this.counts.dropped++
      // All of a record's outputs are encoded before any is added: one that cannot be makes the
      // whole input record fail, never half of its fan-out. (Loops, not closures, and one list
      // for all: this runs per record.)
      const encoded = this.encoded
      encoded.length = 0
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
        this.failed(messages[i]!, `cannot write the transform's output: ${failure}`)
        continue
      }
      for (const r of encoded) addRecord(outputs, r)
      this.counts.out += encoded.length
    }
    await this.producer!.produceBatch(outputs, 0)
    if (deadLetters.count > 0) await this.producer!.produceBatch(deadLetters, DEAD_LETTER_TOPIC)
  }

  /** A record the pipe could not handle: --on-error decides. */
  private failed(m: SourceRecord, reason: string): void {
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
    addRecord(this.deadLetters, deadLetterRecord(m, reason))
    this.counts.deadLettered++
  }
}

/** The output writes what the input read: the same serializers (a Schema Registry format given an output schema is another one). */
const sameFormats = ({input, output}: PipeRequest) => input.key === output.key && input.value === output.value

function addRecord(batch: ProduceBatch, r: OutgoingRecord): void {
  const index = batch.count
  const headerStart = r.headers.length > 0 ? batch.addHeaders(r.headers) : 0
  batch.addPayload(r.key, r.value, r.partition, headerStart, r.headers.length)
  if (r.timestamp > 0) batch.setTimestamp(index, r.timestamp)
  else batch.noTimestamp(index)
}
