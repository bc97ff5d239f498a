import type {InterruptSignal} from '../../errors.js'
import {FixedHeaders} from './batch.js'
import {ProducerClient} from './client.js'
import {drain} from './drain.js'
import {produceLinesNatively, takesNativeLinePath} from './line-path.js'
import type {Connection} from '../../config/connection.js'
import {preflight} from './preflight.js'
import {produceRecords} from './record-path.js'
import {ProduceReports} from './reports.js'
import type {ProduceHooks, ProduceSettings, ReadCursor, ReadingRun} from './settings.js'
import {Tally, type ProduceSummary} from './tally.js'
import {beginTransaction, endTransaction} from './transaction.js'

// The produce engine: input chunks -> records -> the native producer (native/src/kafkit_produce.c)
// -> delivery reports, in phases: preflight, (transaction,) reading, drain, (commit or abort).
// It never prints; it reports through the hooks and returns a summary (tally.ts: every record
// read ends up delivered or failed).
//
// Flow control: the native call stops taking records when librdkafka's queue stays full, and
// no more input is read until deliveries make room, so memory stays bounded whatever the input.
//
// The parts: config.ts (librdkafka settings), client.ts, preflight.ts, line-path.ts (lines in C)
// or record-path.ts + parse.ts + batch.ts (records in JavaScript), reports.ts (deliveries and
// failed records to the hooks), drain.ts, transaction.ts, tally.ts (the accounting and the
// summary), outcome.ts (the exit decision).

const PROGRESS_EVERY_MS = 500
const IDLE_POLL_MS = 100

export class ProduceRun implements ReadingRun {
  readonly client: ProducerClient
  readonly fixedHeaders: FixedHeaders | null
  readonly cursor: ReadCursor = {line: 0, stop: false}
  private readonly tally = new Tally()
  private readonly reports: ProduceReports
  private lastProgress = 0

  constructor(
    readonly settings: ProduceSettings,
    private readonly hooks: ProduceHooks,
  ) {
    this.fixedHeaders = settings.headers.length > 0 ? new FixedHeaders(settings.headers) : null
    this.reports = new ProduceReports(settings, hooks, this.tally, this.cursor)
    this.client = new ProducerClient(settings.config, settings.topic, hooks.onDeliveries !== undefined)
  }

  /** The cluster answers, the topic exists, -p is one of its partitions (preflight.ts). */
  async prepare(connection: Connection): Promise<void> {
    try {
      await preflight(this.client, {
        connection,
        topic: this.settings.topic,
        partition: this.settings.partition,
        timeoutMs: this.settings.timeoutMs,
        idempotent: this.settings.config['enable.idempotence'] !== 'false',
        onPoll: (result) => this.reports.take(result),
      })
    } catch (error) {
      this.client.close()
      throw error
    }
  }

  async run(): Promise<ProduceSummary> {
    const {settings, hooks} = this
    let transaction: ProduceSummary['transaction'] = null
    try {
      if (settings.transactional) beginTransaction(this.client, settings.config['transactional.id'] ?? '', settings.timeoutMs)
      await this.readAll()
      const drainStarted = Date.now()
      await drain(this.client, {
        stop: hooks.stop,
        hardStop: hooks.hardStop,
        deliveryTimeoutMs: settings.deliveryTimeoutMs,
        drainTimeoutMs: settings.drainTimeoutMs,
        fatal: () => this.tally.fatal !== null,
        onPoll: (result) => this.reports.take(result),
        pause: () => this.waitForRoom(),
      })
      hooks.onLog?.(`waited ${Math.round(this.reports.queueFullMs)} ms for room in librdkafka's queue while reading, ${Date.now() - drainStarted} ms for the last deliveries`)
      if (settings.transactional) transaction = this.endTransaction()
    } finally {
      this.client.close()
    }
    return this.tally.summary(settings.topic, transaction, this.interruptedBy())
  }

  // ---------- what the reading paths use (ReadingRun) ----------

  accepted(count: number): void {
    this.tally.taken += count
  }

  poll(): void {
    this.reports.take(this.client.native.poll(this.client.handle, 0))
  }

  reject(message: string, raw: Buffer, line: number): void {
    this.reports.invalid(message, raw, line)
  }

  async waitForRoom(): Promise<void> {
    this.reportProgress()
    await new Promise((resolve) => setImmediate(resolve))
  }

  async chunkDone(): Promise<void> {
    this.reportProgress()
    await this.hooks.outputDrained?.()
  }

  shouldStopReading(): boolean {
    return this.cursor.stop || this.halted()
  }

  halted(): boolean {
    return this.hooks.stop.aborted || this.tally.fatal !== null
  }

  // ---------- phases ----------

  private async readAll(): Promise<void> {
    // While the input is idle (a person typing, a slow pipe), deliveries are still reported.
    const idlePoll = setInterval(() => {
      this.poll()
      this.reportProgress()
    }, IDLE_POLL_MS)
    try {
      if (takesNativeLinePath(this.settings)) await produceLinesNatively(this, this.hooks.chunks)
      else await produceRecords(this, this.hooks.chunks)
    } finally {
      clearInterval(idlePoll)
    }
  }

  private endTransaction(): 'committed' | 'aborted' {
    const end = endTransaction(this.client, this.tally.clean && !this.hooks.stop.aborted, this.settings.timeoutMs)
    if (end.fatal) this.tally.fatal ??= end.fatal
    if (end.transaction === 'committed') this.reports.releaseHeld()
    return end.transaction
  }

  /** A stop for any other reason (stdout closed: 'EPIPE') is an early end of input, not an interrupt. */
  private interruptedBy(): InterruptSignal | null {
    const reason: unknown = this.hooks.stop.aborted ? this.hooks.stop.reason : null
    return reason === 'SIGTERM' || reason === 'SIGINT' ? reason : null
  }

  private reportProgress(): void {
    if (!this.hooks.onProgress) return
    const now = Date.now()
    if (now - this.lastProgress < PROGRESS_EVERY_MS) return
    this.lastProgress = now
    this.hooks.onProgress(this.tally.stats())
  }
}
