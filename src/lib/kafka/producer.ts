import {KafkitError} from '../errors.js'
import {parseJsonlRecord, toPayload, type RawRecord} from '../records/jsonl.js'
import {decodeUtf8, type Serializer} from '../records/serializers.js'
import {ConnectionDiagnosis, UNREACHABLE_CODES} from './connection-diagnosis.js'
import {kafkaError} from './kafka-errors.js'
import {FixedHeaders, ProduceBatch} from './produce-batch.js'
import {DESC_FIELDS, loadProduceBinding, type NativeFailure, type NativeProduceError, type PollResult, type ProducerHandle} from './produce-native.js'
import {RecordSplitter} from '../input/records.js'

// The produce engine: input chunks -> records -> the native producer (native/src/kafkit_produce.c)
// -> delivery reports. It never prints; it reports through the hooks and returns a summary.
//
// Accounting, the invariant the tests check: every record read ends up either delivered or
// failed (invalid input, a delivery error, purged after an interrupt, or rolled back with its
// transaction). `read = delivered + failed` when run() returns.
//
// Flow control: the native call stops taking records when librdkafka's queue stays full, and
// no more input is read until deliveries make room, so memory stays bounded whatever the input.

export type InputMode = 'lines' | 'jsonl'
export type OnError = 'fail' | 'skip'

export interface ProduceSettings {
  topic: string
  /** The complete librdkafka producer configuration (strings). */
  config: Record<string, string>
  input: InputMode
  delimiter: Buffer
  keySeparator?: Buffer
  /** -k: the same key (text, encoded with keyFormat) for every record. */
  fixedKey?: string
  headers: Array<[string, Buffer | null]>
  partition?: number
  nullMarker?: Buffer
  /** kcat -Z: an empty key or value is null. */
  emptyIsNull: boolean
  keyFormat: Serializer
  valueFormat: Serializer
  onError: OnError
  transactional: boolean
  printDelivery: boolean
  /** Bound on transaction calls. */
  timeoutMs: number
  /** How long in-flight records may take after an interrupt before they are purged. */
  drainTimeoutMs: number
  /** librdkafka's message.timeout.ms: a record not delivered by then fails. */
  deliveryTimeoutMs: number
}

export interface ProduceStats {
  read: number
  delivered: number
  failed: number
  elapsedMs: number
}

export interface ProduceHooks {
  chunks: AsyncIterable<Buffer>
  /** Aborted on SIGINT / SIGTERM. */
  stop: AbortSignal
  /** A second signal: stop waiting for in-flight records. */
  hardStop: AbortSignal
  /** --print-delivery lines, many at a time (each ends with a newline). */
  onDeliveries?(text: string): void
  /** Dead-letter jsonl lines, many at a time (each ends with a newline). */
  onDeadLetters?(text: string): void
  /** One line per invalid input record ("line 7: not a valid int value: ..."). */
  onInvalid(message: string): void
  onProgress?(stats: ProduceStats): void
  onLog?(line: string): void
  /** Resolves when the output written so far (delivery lines, dead letters) has drained, so memory stays bounded. */
  outputDrained?(): Promise<void>
}

export interface FailureReason {
  code: string
  message: string
  count: number
}

export interface ProduceSummary {
  topic: string
  read: number
  delivered: number
  failed: number
  /** Of the failed: input records that could not be read as records (bad JSON, not a number ...). */
  invalid: number
  elapsedMs: number
  recordsPerSecond: number
  interrupted: 'SIGINT' | 'SIGTERM' | null
  transaction: 'committed' | 'aborted' | null
  /** Delivery failures by librdkafka error name. */
  failures: FailureReason[]
  /** The first invalid input line's message. */
  firstInvalid: string | null
  /** A fatal client error that stopped the run. */
  fatal: string | null
}

/** Formats whose bytes are the input bytes themselves (after validation for json). */
const PASS_THROUGH = new Set(['str', 'bytes', 'json'])
/** Formats that send the input bytes without even looking at them. */
const RAW = new Set(['str', 'bytes'])
/** produceLines' state[1]: why it returned. */
const NATIVE_QUEUE_FULL = 1
const NATIVE_NO_SEPARATOR = 2
const PROGRESS_EVERY_MS = 500
const QUEUE_FULL_WAIT_MS = 100
const IDLE_POLL_MS = 100
const METADATA_SLICE_MS = 500

interface InvalidRecord extends Error {
  invalid: true
}

function invalid(message: string): InvalidRecord {
  return Object.assign(new Error(message), {invalid: true as const})
}

export class ProduceRun {
  private readonly native = loadProduceBinding()
  private readonly handle: ProducerHandle
  private readonly batch = new ProduceBatch()
  private readonly fixedHeaders: FixedHeaders | null
  private readonly started = Date.now()
  private lastProgress = 0

  private lineNumber = 0
  private taken = 0
  private delivered = 0
  private deliveryFailed = 0
  private invalidCount = 0
  private firstInvalid: string | null = null
  private fatal: string | null = null
  private stopReading = false
  private readonly reasons = new Map<string, FailureReason>()
  /** With a transaction, delivery lines wait for the commit. */
  private readonly heldDeliveries: string[] = []

  constructor(
    private readonly settings: ProduceSettings,
    private readonly hooks: ProduceHooks,
  ) {
    this.fixedHeaders = settings.headers.length > 0 ? new FixedHeaders(settings.headers) : null
    try {
      this.handle = this.native.create(settings.config, settings.topic, settings.printDelivery)
    } catch (error) {
      throw new KafkitError('usage', `invalid producer configuration: ${(error as Error).message}`, {
        hint: 'check the -X / profile / --command-config properties against librdkafka\'s CONFIGURATION.md',
      })
    }
  }

  /**
   * Before any input is read: the cluster answers, the topic exists (producing never creates
   * one: allow.auto.create.topics is off), and --partition is one of its partitions. Asked on
   * the producer's own connection, in short slices, so a refused connection or failed
   * authentication is reported at once rather than after --timeout. The extra metadata answers
   * also make an idempotent producer request its producer id at once instead of on librdkafka's
   * 500 ms timer, which would otherwise dominate short runs.
   */
  async prepare(bootstrapServers: string): Promise<void> {
    try {
      const partitions = await this.topicPartitions(bootstrapServers)
      const {partition} = this.settings
      if (partition !== undefined && partition >= partitions) {
        throw new KafkitError('not_found', `topic ${this.settings.topic} has no partition ${partition} (it has ${partitions}: 0-${partitions - 1})`)
      }
      // One more metadata answer, now that the connection is up, starts an idempotent producer's
      // producer id request at once (measured: 40 of 40 short runs without a 500 ms stall; with
      // none, 3 of 12 stalled).
      if (this.settings.config['enable.idempotence'] !== 'false') {
        this.handlePoll(this.native.poll(this.handle, 0))
        this.native.refreshMetadata(this.handle, METADATA_SLICE_MS)
      }
    } catch (error) {
      this.close()
      throw error
    }
  }

  private async topicPartitions(bootstrapServers: string): Promise<number> {
    const deadline = Date.now() + this.settings.timeoutMs
    const diagnosis = new ConnectionDiagnosis(bootstrapServers, this.settings.timeoutMs)
    for (;;) {
      try {
        return this.native.refreshMetadata(this.handle, Math.max(1, Math.min(METADATA_SLICE_MS, deadline - Date.now())))
      } catch (error) {
        const code = (error as NativeProduceError).code
        if (code === 'UNKNOWN_TOPIC_OR_PART' || code === '_UNKNOWN_TOPIC') {
          throw new KafkitError('not_found', `topic ${this.settings.topic} does not exist`, {
            hint: 'create it first (kafkit topics create), or check the name with: kafkit topics list',
            kafkaCode: 'UNKNOWN_TOPIC_OR_PART',
          })
        }
        if (!UNREACHABLE_CODES.has(code)) throw kafkaError(error as NativeProduceError, `topic ${this.settings.topic}`)
        // What the client saw while trying: a refused connection, a failed authentication.
        for (const clientError of this.native.poll(this.handle, 0).errors) {
          const proven = diagnosis.observe(clientError.message, clientError.code)
          if (proven) throw proven
          if (clientError.code === '_ALL_BROKERS_DOWN' || clientError.code === '_TRANSPORT' || clientError.code === '_RESOLVE') throw diagnosis.unreachable(false)
        }
        if (Date.now() >= deadline) throw diagnosis.unreachable(true)
      }
    }
  }

  async run(): Promise<ProduceSummary> {
    let transaction: ProduceSummary['transaction'] = null
    try {
      if (this.settings.transactional) this.beginTransaction()
      await this.readAll()
      const drainStarted = Date.now()
      await this.drain()
      this.hooks.onLog?.(`waited ${Math.round(this.queueFullMs)} ms for room in librdkafka's queue while reading, ${Date.now() - drainStarted} ms for the last deliveries`)
      if (this.settings.transactional) transaction = this.endTransaction()
    } finally {
      this.close()
    }
    return this.summary(transaction)
  }

  /** Destroys the client; safe to call more than once (and for a run that never started). */
  close(): void {
    if (this.closed) return
    this.closed = true
    this.native.close(this.handle)
  }

  private closed = false
  /** Time the input waited for the broker (librdkafka's queue full), for --debug. */
  private queueFullMs = 0

  // ---------- reading ----------

  private async readAll(): Promise<void> {
    // While the input is idle (a person typing, a slow pipe), deliveries are still reported.
    const idlePoll = setInterval(() => {
      this.handlePoll(this.native.poll(this.handle, 0))
      this.reportProgress()
    }, IDLE_POLL_MS)
    try {
      await this.readAllInput()
    } finally {
      clearInterval(idlePoll)
    }
  }

  private async readAllInput(): Promise<void> {
    const {settings} = this
    if (settings.input === 'lines' && settings.fixedKey === undefined && RAW.has(settings.keyFormat.name) && RAW.has(settings.valueFormat.name)) {
      await this.readLinesNatively()
      return
    }
    const splitter = new RecordSplitter(settings.delimiter)
    const sink = settings.input === 'jsonl' ? this.jsonlSink() : this.lineSink()
    const sliceMode = settings.input === 'lines' && settings.fixedKey === undefined && PASS_THROUGH.has(settings.keyFormat.name) && PASS_THROUGH.has(settings.valueFormat.name)
    const firstOfBatch = () => this.lineNumber + 1
    for await (const chunk of this.hooks.chunks) {
      if (this.shouldStopReading()) break
      this.batch.reset(null)
      const firstId = firstOfBatch()
      const buffer = splitter.push(chunk, (b, s, e) => sink(b, s, e, firstId))
      // In slice mode the descriptors point into the buffer the splitter handed out.
      if (sliceMode) this.batch.useChunk(buffer)
      await this.send(firstId)
      this.reportProgress()
      await this.hooks.outputDrained?.()
    }
    if (!this.shouldStopReading()) {
      this.batch.reset(null)
      const firstId = firstOfBatch()
      const rest = splitter.finish((b, s, e) => sink(b, s, e, firstId))
      if (sliceMode && rest) this.batch.useChunk(rest)
      await this.send(firstId)
    }
  }

  /**
   * The fast path for lines sent byte for byte: C splits the lines and produces them, so no
   * JavaScript runs per record. JavaScript only joins chunks and handles the rare bad line.
   */
  private async readLinesNatively(): Promise<void> {
    const {settings, native, handle} = this
    const state = new Float64Array(2)
    const delimiter = settings.delimiter
    const headers = this.fixedHeaders
    const produceAll = async (buffer: Buffer, final: boolean, start = 0): Promise<number> => {
      let position = start
      for (;;) {
        position = native.produceLines(handle, buffer, position, buffer.length, delimiter, settings.keySeparator ?? null, settings.nullMarker ?? null, settings.emptyIsNull, settings.partition ?? -1,
          headers?.data ?? null, headers?.desc ?? null, headers?.count ?? 0, this.lineNumber + 1, QUEUE_FULL_WAIT_MS, final, state)
        this.lineNumber += state[0]!
        this.taken += state[0]!
        this.handlePoll(native.poll(handle, 0))
        const why = state[1]
        if (why === NATIVE_NO_SEPARATOR) {
          const line = ++this.lineNumber
          const found = buffer.indexOf(delimiter, position)
          const end = found < 0 ? buffer.length : found
          this.rejectInput(`line ${line}: no key separator in the line`, null, buffer.subarray(position, end), line)
          position = found < 0 ? buffer.length : found + delimiter.length
        } else if (why === NATIVE_QUEUE_FULL) {
          this.reportProgress()
          await yieldToEventLoop()
        } else {
          return position
        }
        if (this.shouldStopReading()) return buffer.length
      }
    }
    // The unfinished record at the end of a chunk is completed with the head of the next chunk in
    // a small buffer of its own, so chunks are never copied (with a one-byte delimiter; a longer
    // one may straddle two chunks, and then the chunks are joined).
    let rest: Buffer | undefined
    for await (const chunk of this.hooks.chunks) {
      if (this.shouldStopReading()) return
      let buffer = chunk
      let start = 0
      if (rest && delimiter.length === 1) {
        const end = chunk.indexOf(delimiter[0]!)
        if (end < 0) {
          rest = Buffer.concat([rest, chunk])
          continue
        }
        await produceAll(Buffer.concat([rest, chunk.subarray(0, end + 1)]), false)
        if (this.shouldStopReading()) return
        start = end + 1
      } else if (rest) {
        buffer = Buffer.concat([rest, chunk])
      }
      const position = await produceAll(buffer, false, start)
      rest = position < buffer.length ? buffer.subarray(position) : undefined
      this.reportProgress()
      await this.hooks.outputDrained?.()
    }
    if (rest && !this.shouldStopReading()) await produceAll(rest, true)
  }

  private shouldStopReading(): boolean {
    return this.stopReading || this.hooks.stop.aborted || this.fatal !== null
  }

  /** The per-record function for line input. Created once; the hot path allocates nothing in slice mode. */
  private lineSink(): (buffer: Buffer, start: number, end: number, firstId: number) => void {
    const {settings, batch} = this
    const keySeparator = settings.keySeparator
    const separatorByte = keySeparator?.length === 1 ? keySeparator[0]! : -1
    const nullMarker = settings.nullMarker
    const emptyIsNull = settings.emptyIsNull
    const partition = settings.partition ?? -1
    const headerStart = 0
    const headerCount = this.fixedHeaders?.count ?? 0
    const keyPass = settings.fixedKey === undefined && PASS_THROUGH.has(settings.keyFormat.name)
    const valuePass = PASS_THROUGH.has(settings.valueFormat.name)
    const validateKeyJson = settings.keyFormat.name === 'json'
    const validateValueJson = settings.valueFormat.name === 'json'
    const sliceMode = keyPass && valuePass && settings.fixedKey === undefined
    const fixedKey = settings.fixedKey === undefined ? null : this.encodeText(settings.fixedKey, settings.keyFormat, 'key', 0, true)

    const isNull = (buffer: Buffer, start: number, end: number): boolean =>
      (emptyIsNull && start === end) || (nullMarker !== undefined && end - start === nullMarker.length && nullMarker.compare(buffer, start, end) === 0)

    return (buffer, start, end, firstId) => {
      if (this.stopReading) return
      const line = ++this.lineNumber
      try {
        let keyStart = -1
        let keyEnd = -1
        let valueStart = start
        if (keySeparator) {
          let at = -1
          if (separatorByte >= 0) {
            for (let i = start; i < end; i++) {
              if (buffer[i] === separatorByte) {
                at = i
                break
              }
            }
          } else {
            at = buffer.subarray(start, end).indexOf(keySeparator)
            if (at >= 0) at += start
          }
          if (at < 0) throw invalid(`line ${line}: no key separator in the line`)
          keyStart = start
          keyEnd = at
          valueStart = at + keySeparator.length
        }
        const keyIsNull = keyStart < 0 || isNull(buffer, keyStart, keyEnd)
        const valueIsNull = isNull(buffer, valueStart, end)
        if (validateKeyJson && !keyIsNull) this.validateJson(buffer, keyStart, keyEnd, line, 'key')
        if (validateValueJson && !valueIsNull) this.validateJson(buffer, valueStart, end, line, 'value')
        if (sliceMode) {
          // Offsets are into `buffer`, the chunk the splitter hands out; the batch is reset to it before sending.
          batch.addSlice(keyIsNull ? 0 : keyStart, keyIsNull ? -1 : keyEnd - keyStart, valueIsNull ? 0 : valueStart, valueIsNull ? -1 : end - valueStart, partition, headerStart, headerCount, line - firstId)
          return
        }
        const key = fixedKey ?? (keyIsNull ? null : keyPass ? buffer.subarray(keyStart, keyEnd) : this.encodeBytes(buffer, keyStart, keyEnd, settings.keyFormat, 'key', line))
        if (valueIsNull) batch.addBytes(key, null, 0, 0, partition, headerStart, headerCount, line - firstId)
        else if (valuePass) batch.addBytes(key, buffer, valueStart, end, partition, headerStart, headerCount, line - firstId)
        else {
          const value = this.encodeBytes(buffer, valueStart, end, settings.valueFormat, 'value', line)
          batch.addBytes(key, value, 0, value.length, partition, headerStart, headerCount, line - firstId)
        }
      } catch (error) {
        if (!(error as InvalidRecord).invalid) throw error
        this.rejectInput((error as Error).message, null, buffer.subarray(start, end), line)
      }
    }
  }

  private jsonlSink(): (buffer: Buffer, start: number, end: number, firstId: number) => void {
    const {settings, batch} = this
    const formats = {key: settings.keyFormat, value: settings.valueFormat}
    return (buffer, start, end, firstId) => {
      if (this.stopReading) return
      const line = ++this.lineNumber
      // Blank lines separate nothing in JSON Lines; they are not records.
      if (isBlank(buffer, start, end)) return
      let record: RawRecord
      try {
        let text: string
        try {
          text = decodeUtf8(buffer.subarray(start, end))
        } catch {
          throw invalid(`line ${line}: not UTF-8 text`)
        }
        try {
          record = parseJsonlRecord(text, line, formats)
        } catch (error) {
          if (error instanceof KafkitError) throw invalid(error.message)
          throw error
        }
      } catch (error) {
        if (!(error as InvalidRecord).invalid) throw error
        this.rejectInput((error as Error).message, null, buffer.subarray(start, end), line)
        return
      }
      const headers = this.fixedHeaders ? [...record.headers, ...settings.headers] : record.headers
      const headerStart = headers.length > 0 ? batch.addHeaders(headers) : 0
      const index = batch.count
      batch.addBytes(record.key, record.value, 0, record.value?.length ?? 0, settings.partition ?? record.partition ?? -1, headerStart, headers.length, line - firstId)
      if (record.timestamp !== undefined) batch.setTimestamp(index, record.timestamp)
      else batch.noTimestamp(index)
    }
  }

  private validateJson(buffer: Buffer, start: number, end: number, line: number, field: string): void {
    try {
      JSON.parse(decodeUtf8(buffer.subarray(start, end)))
    } catch (error) {
      throw invalid(`line ${line}: ${field} is not valid JSON: ${(error as Error).message}`)
    }
  }

  private encodeBytes(buffer: Buffer, start: number, end: number, format: Serializer, field: string, line: number): Buffer {
    let text: string
    try {
      text = decodeUtf8(buffer.subarray(start, end))
    } catch {
      throw invalid(`line ${line}: ${field} is not UTF-8 text, which --${field}-format ${format.name} expects`)
    }
    return this.encodeText(text, format, field, line, false)
  }

  private encodeText(text: string, format: Serializer, field: string, line: number, fromFlag: boolean): Buffer {
    try {
      return format.encode(text)
    } catch (error) {
      if (fromFlag) throw new KafkitError('usage', `--key: ${(error as Error).message}`)
      throw invalid(`line ${line}: ${field}: ${(error as Error).message}`)
    }
  }

  /** An input record that is not a valid record: reported, dead-lettered, counted as failed. */
  private rejectInput(message: string, key: Buffer | null, raw: Buffer, line: number): void {
    this.invalidCount++
    this.firstInvalid ??= message
    this.hooks.onInvalid(message)
    this.hooks.onDeadLetters?.(JSON.stringify({key: toPayload(key), value: toPayload(raw), headers: [], line, error: message}) + '\n')
    if (this.settings.onError === 'fail') this.stopReading = true
  }

  // ---------- sending ----------

  private async send(firstId: number): Promise<void> {
    const {batch, native, handle} = this
    const headers = this.fixedHeaders
    const headerData = batch.hasOwnHeaders ? batch.headerData : (headers?.data ?? null)
    const headerDesc = batch.hasOwnHeaders ? batch.headerDesc : (headers?.desc ?? null)
    const data = batch.data
    const timestamps = batch.timestampsIfAny
    let done = 0
    while (done < batch.count) {
      const desc = done === 0 ? batch.desc : batch.desc.subarray(done * DESC_FIELDS)
      const took = native.produce(handle, data, desc, batch.count - done, headerData, headerDesc, timestamps && done > 0 ? timestamps.subarray(done) : timestamps, firstId, QUEUE_FULL_WAIT_MS)
      done += took
      this.taken += took
      this.handlePoll(native.poll(handle, 0))
      if (done < batch.count) {
        // The queue is full: let signals and output run, then try again. A stop drops the rest
        // of the batch: those records were never handed over, so they do not count as read.
        this.reportProgress()
        await yieldToEventLoop()
        if (this.hooks.stop.aborted || this.fatal !== null) break
      }
    }
  }

  private handlePoll(result: PollResult): void {
    this.delivered += result.delivered
    this.queueFullMs = result.queueFullMs
    if (result.deliveries && this.settings.printDelivery) this.printDeliveries(result.deliveries)
    if (result.failures.length > 0) this.recordFailures(result.failures)
    for (const error of result.errors) {
      if (error.fatal) this.fatal ??= `${error.code}: ${error.message}`
      else this.hooks.onLog?.(`librdkafka error ${error.code}: ${error.message}`)
    }
    for (const log of result.logs) this.hooks.onLog?.(`librdkafka: ${log.message}`)
  }

  private printDeliveries(deliveries: Float64Array): void {
    const topic = JSON.stringify(this.settings.topic)
    let text = ''
    for (let i = 0; i < deliveries.length; i += 4) {
      text += `{"topic":${topic},"partition":${deliveries[i + 1]},"offset":${deliveries[i + 2]},"timestamp":${deliveries[i + 3]},"line":${deliveries[i]}}\n`
    }
    if (this.settings.transactional) this.heldDeliveries.push(text)
    else this.hooks.onDeliveries?.(text)
  }

  private recordFailures(failures: NativeFailure[]): void {
    this.deliveryFailed += failures.length
    let text = ''
    for (const failure of failures) {
      const reason = this.reasons.get(failure.code) ?? {code: failure.code, message: failure.message, count: 0}
      reason.count++
      this.reasons.set(failure.code, reason)
      const partition = this.settings.partition !== undefined || (this.settings.input === 'jsonl' && failure.partition >= 0) ? {partition: failure.partition} : {}
      text +=
        JSON.stringify({
          key: toPayload(failure.key),
          value: toPayload(failure.value),
          headers: failure.headers.map(([key, value]) => ({key, value: toPayload(value)})),
          ...partition,
          line: failure.id,
          error: `${failure.code}: ${failure.message}`,
        }) + '\n'
    }
    this.hooks.onDeadLetters?.(text)
    if (this.settings.onError === 'fail') this.stopReading = true
  }

  /** Waits for every record handed over; after an interrupt only up to the drain timeout, then purges the rest. */
  private async drain(): Promise<void> {
    const {native, handle} = this
    const interrupted = () => this.hooks.stop.aborted
    const normalDeadline = Date.now() + this.settings.deliveryTimeoutMs + 5000
    let drainDeadline = interrupted() ? Date.now() + this.settings.drainTimeoutMs : Number.POSITIVE_INFINITY
    let purged = false
    let wait = 0
    for (;;) {
      // Flushing: the last partial batches go out now instead of after linger.ms.
      const result = native.poll(handle, wait, !purged)
      wait = 100
      this.handlePoll(result)
      if (result.queued === 0) return
      this.reportProgress()
      await yieldToEventLoop()
      if (interrupted() && drainDeadline === Number.POSITIVE_INFINITY) drainDeadline = Date.now() + this.settings.drainTimeoutMs
      const now = Date.now()
      if (!purged && (this.hooks.hardStop.aborted || now >= drainDeadline || now >= normalDeadline || this.fatal !== null)) {
        native.purge(handle)
        purged = true
        // Purged records come back as failures (_PURGE_QUEUE / _PURGE_INFLIGHT) on the next polls.
        drainDeadline = now + 5000
      } else if (purged && now >= drainDeadline) {
        return
      }
    }
  }

  // ---------- transactions ----------

  private beginTransaction(): void {
    try {
      this.native.initTransactions(this.handle, this.settings.timeoutMs)
      this.native.beginTransaction(this.handle)
    } catch (error) {
      this.close()
      throw kafkaError(error as NativeProduceError, `transaction ${this.settings.config['transactional.id']}`)
    }
  }

  private endTransaction(): 'committed' | 'aborted' {
    const clean = this.deliveryFailed === 0 && this.invalidCount === 0 && !this.hooks.stop.aborted && this.fatal === null
    if (clean) {
      try {
        this.native.commitTransaction(this.handle, this.settings.timeoutMs)
        for (const text of this.heldDeliveries) this.hooks.onDeliveries?.(text)
        return 'committed'
      } catch (error) {
        this.fatal ??= `commit failed: ${(error as NativeProduceError).code}: ${(error as Error).message}`
      }
    }
    try {
      this.native.abortTransaction(this.handle, this.settings.timeoutMs)
    } catch (error) {
      this.fatal ??= `abort failed: ${(error as NativeProduceError).code}: ${(error as Error).message}`
    }
    return 'aborted'
  }

  // ---------- reporting ----------

  private reportProgress(): void {
    if (!this.hooks.onProgress) return
    const now = Date.now()
    if (now - this.lastProgress < PROGRESS_EVERY_MS) return
    this.lastProgress = now
    this.hooks.onProgress(this.stats())
  }

  stats(): ProduceStats {
    return {read: this.taken + this.invalidCount, delivered: this.delivered, failed: this.deliveryFailed + this.invalidCount, elapsedMs: Date.now() - this.started}
  }

  private summary(transaction: ProduceSummary['transaction']): ProduceSummary {
    const stats = this.stats()
    let {delivered, failed} = stats
    if (transaction === 'aborted') {
      // Rolled back: nothing is visible to read_committed consumers.
      failed += delivered
      delivered = 0
    }
    // A stop for any other reason (stdout closed: 'EPIPE') is an early end of input, not an interrupt.
    const reason = this.hooks.stop.aborted ? (this.hooks.stop.reason as string) : null
    const signal = reason === 'SIGTERM' || reason === 'SIGINT' ? reason : null
    return {
      topic: this.settings.topic,
      read: stats.read,
      delivered,
      failed,
      invalid: this.invalidCount,
      elapsedMs: stats.elapsedMs,
      recordsPerSecond: stats.elapsedMs > 0 ? Math.round((stats.read / stats.elapsedMs) * 1000) : 0,
      interrupted: signal,
      transaction,
      failures: [...this.reasons.values()].sort((a, b) => b.count - a.count),
      firstInvalid: this.firstInvalid,
      fatal: this.fatal,
    }
  }
}

function isBlank(buffer: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = buffer[i]
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false
  }
  return true
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/**
 * The error for a summary that is not a clean success, or undefined. Exit codes:
 * interrupted 130/143; records not delivered 6 (or the Kafka error's own code when nothing was
 * delivered and every failure had the same cause, e.g. 4 for an unauthorized topic); only
 * invalid input 2.
 */
export function produceOutcomeError(summary: ProduceSummary, deadLetterFile?: string, onError: OnError = 'fail'): KafkitError | undefined {
  const counts = `read ${summary.read}, delivered ${summary.delivered}, failed ${summary.failed}`
  const replay = deadLetterFile ? `the failed records are in ${deadLetterFile}; replay them with: kafkit produce ${summary.topic} --input jsonl --file ${deadLetterFile}` : 'add --dead-letter FILE to keep failed records for replay'
  if (summary.interrupted) {
    return new KafkitError('interrupted', `interrupted by ${summary.interrupted}: ${counts}`, {
      exitCode: summary.interrupted === 'SIGTERM' ? 143 : 130,
      hint: summary.failed > 0 ? replay : undefined,
    })
  }
  if (summary.fatal) return new KafkitError('failure', `the producer stopped: ${summary.fatal} (${counts})`, {hint: summary.failed > 0 ? replay : undefined})
  const main = summary.failures[0]
  if (main) {
    const translated = kafkaError({code: main.code, message: main.message}, `topic ${summary.topic}`)
    const single = summary.failures.length === 1 && summary.invalid === 0 && summary.delivered === 0
    const what = `${summary.failed} of ${summary.read} records were not delivered: ${translated.message}`
    return new KafkitError(single ? translated.kind : 'partial', what, {kafkaCode: main.code, hint: translated.hint ? `${translated.hint}; ${replay}` : replay})
  }
  const aborted = summary.transaction === 'aborted' ? ' (the transaction was aborted: nothing was written)' : ''
  if (summary.invalid > 0) {
    const more = summary.invalid > 1 ? ` (and ${summary.invalid - 1} more invalid record${summary.invalid > 2 ? 's' : ''})` : ''
    return new KafkitError('usage', `${summary.firstInvalid}${more}${aborted}`, {
      hint: deadLetterFile ? replay : onError === 'fail' ? 'fix the input, or pass --on-error skip to go on past bad records' : 'fix those lines; --dead-letter FILE keeps them for replay',
    })
  }
  if (aborted) return new KafkitError('partial', `the transaction was aborted: nothing was written (${counts})`)
  return undefined
}
