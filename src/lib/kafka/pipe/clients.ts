import {KafkitError} from '../../errors.js'
import {NativeConsumer, requireNativeConsume} from '../consume/native.js'
import type {ProduceBatch} from '../produce/batch.js'
import {ProducerClient} from '../produce/client.js'
import {DESC_FIELDS, type NativeProduceError} from '../produce/native.js'

// The pipe's two clients, both kafkit's own C extensions: the consume extension in pipe mode (a
// group member whose batches are binary record frames and whose revokes wait for the pipe to end
// its transaction: eager rebalancing, so every rebalance first takes all partitions away) and the
// produce extension on the destination (whole batches per call, transactions).

/** A transaction call's error, as the produce extension throws it. */
export type TransactionError = NativeProduceError

/** How long a produce call waits for room in librdkafka's full queue before handing back to JavaScript. */
const QUEUE_FULL_WAIT_MS = 100

const asStrings = (config: Record<string, string | number | boolean>) => Object.fromEntries(Object.entries(config).map(([k, v]) => [k, String(v)]))

export function createConsumer(config: Record<string, string | number | boolean>): NativeConsumer {
  try {
    return new NativeConsumer(requireNativeConsume(), config)
  } catch (error) {
    if (error instanceof KafkitError) throw error
    const {code, message} = error as Error & {code?: string}
    throw new KafkitError('usage', code === 'ERR_KAFKIT_CONFIG' ? message : `invalid consumer configuration: ${message}`, {
      hint: "check the -X / profile / --command-config properties against librdkafka's CONFIGURATION.md",
    })
  }
}

/** The destination's producer: topic index 0 is the destination, 1 the dead-letter topic (if any). */
export class PipeProducer {
  private readonly client: ProducerClient
  /** Records whose delivery failed since the producer started, and why the first did. */
  failures = 0
  firstFailure?: string

  constructor(
    config: Record<string, string | number | boolean>,
    destination: string,
    deadLetterTopic: string | undefined,
    private readonly debug?: (line: string) => void,
  ) {
    this.client = new ProducerClient(asStrings(config), destination, false, deadLetterTopic === undefined ? undefined : [deadLetterTopic])
  }

  private get native() {
    return this.client.native
  }

  /** Serves delivery reports (waiting up to timeoutMs; with `flush`, for the whole queue); returns the records not yet delivered. */
  poll(timeoutMs = 0, flush = false): number {
    const result = this.native.poll(this.client.handle, timeoutMs, flush)
    for (const f of result.failures) {
      this.failures++
      this.firstFailure ??= `${f.code}: ${f.message}`
    }
    if (this.debug) for (const e of result.errors) this.debug(`producer: ${e.code}: ${e.message}`)
    return result.queued
  }

  /** Waits up to timeoutMs for every record produced so far to be delivered (or to fail). */
  flush(timeoutMs: number): void {
    this.poll(timeoutMs, true)
  }

  /** Hands a batch of records to the producer, waiting while its queue is full. */
  async produceBatch(batch: ProduceBatch, topicIndex: number): Promise<void> {
    const {native, handle} = this.client
    const headerData = batch.hasOwnHeaders ? batch.headerData : null
    const headerDesc = batch.hasOwnHeaders ? batch.headerDesc : null
    const timestamps = batch.timestampsIfAny
    let done = 0
    while (done < batch.count) {
      const desc = done === 0 ? batch.desc : batch.desc.subarray(done * DESC_FIELDS)
      done += native.produce(handle, batch.data, desc, batch.count - done, headerData, headerDesc, timestamps && done > 0 ? timestamps.subarray(done) : timestamps, 0, QUEUE_FULL_WAIT_MS, topicIndex)
      if (done < batch.count) await this.waitForRoom()
    }
  }

  /** Copies a batch of record frames to the destination as they are. */
  async produceFrames(data: Buffer, keepPartitions: boolean): Promise<void> {
    let at = 0
    for (;;) {
      at = this.native.produceFrames(this.client.handle, data, at, keepPartitions, QUEUE_FULL_WAIT_MS)
      if (at >= data.length) return
      await this.waitForRoom()
    }
  }

  /** The queue stayed full: let signals and timers run, then go on. */
  private async waitForRoom(): Promise<void> {
    this.poll()
    await new Promise((resolve) => setImmediate(resolve))
  }

  /**
   * Asks for the destination's metadata first: librdkafka asks for the producer id at once when a
   * metadata answer arrives, but only on a 500 ms timer when its first try came before a broker
   * connection was up (as kafkit produce's preflight does).
   */
  async initTransactions(timeoutMs: number): Promise<void> {
    try {
      this.native.refreshMetadata(this.client.handle, Math.min(timeoutMs, 10_000))
    } catch {
      // initTransactions says what is wrong.
    }
    await this.native.initTransactionsAsync(this.client.handle, timeoutMs)
  }

  beginTransaction(): void {
    this.native.beginTransaction(this.client.handle)
  }

  sendOffsets(offsets: Array<{topic: string; partition: number; offset: number}>, groupMetadata: Buffer, timeoutMs: number): void {
    this.native.sendOffsetsToTransaction(
      this.client.handle,
      offsets.map((o) => o.topic),
      Int32Array.from(offsets, (o) => o.partition),
      Float64Array.from(offsets, (o) => o.offset),
      groupMetadata,
      timeoutMs,
    )
  }

  commitTransaction(timeoutMs: number): void {
    this.native.commitTransaction(this.client.handle, timeoutMs)
    // Failures the commit already accounted for.
    this.poll()
  }

  abortTransaction(timeoutMs: number): void {
    this.native.abortTransaction(this.client.handle, timeoutMs)
    // The aborted records' failures (purged) are not this run's losses: they are read again.
    this.poll()
    this.failures = 0
    this.firstFailure = undefined
  }

  close(): void {
    this.client.close()
  }
}
