import {loadExtension} from '../../native/load.js'

// The typed face of native/src/kafkit_produce.c: the produce hot loop in C. See that file for
// the threading model and the descriptor layout. Nothing here blocks longer than the
// timeout it is given.

export {PRODUCE_DESC_FIELDS as DESC_FIELDS, PRODUCE_HEADER_FIELDS as HEADER_FIELDS} from '../../native/contracts.js'

export type ProducerHandle = {readonly __producer: unique symbol}

export interface NativeFailure {
  /** The record's id: its input line number. */
  id: number
  partition: number
  /** librdkafka's error name, e.g. MSG_SIZE_TOO_LARGE, _MSG_TIMED_OUT, _PURGE_QUEUE. */
  code: string
  message: string
  key: Buffer | null
  value: Buffer | null
  headers: Array<[string, Buffer | null]>
}

export interface NativeClientError {
  code: string
  message: string
  fatal: boolean
}

export interface PollResult {
  delivered: number
  /** With delivery reports requested: [id, partition, offset, timestamp] per delivered record. */
  deliveries: Float64Array | null
  failures: NativeFailure[]
  errors: NativeClientError[]
  logs: Array<{level: number; message: string}>
  /** Records not yet delivered (librdkafka's out queue). */
  queued: number
  /** Milliseconds spent, since the producer was created, waiting for room in librdkafka's full queue. */
  queueFullMs: number
}

/** A native error: `code` is librdkafka's error name; transaction errors say what to do next. */
export interface NativeProduceError extends Error {
  code: string
  retriable?: boolean
  abortable?: boolean
  fatal?: boolean
}

interface ProduceBinding {
  /** otherTopics: more topics to write to, by topicIndex 1, 2, ... in produce(). */
  create(config: Record<string, string>, topic: string, wantDeliveries: boolean, otherTopics?: string[]): ProducerHandle
  produce(
    handle: ProducerHandle,
    data: Buffer,
    desc: Int32Array,
    count: number,
    headerData: Buffer | null,
    headerDesc: Int32Array | null,
    timestamps: Float64Array | null,
    firstId: number,
    maxWaitMs: number,
    topicIndex?: number,
  ): number
  /** `kafkit pipe`'s copy: the record frames of data[start..] to the first topic; returns the position after the last one taken. */
  produceFrames(handle: ProducerHandle, data: Buffer, start: number, keepPartitions: boolean, maxWaitMs: number): number
  sendOffsetsToTransaction(handle: ProducerHandle, topics: string[], partitions: Int32Array, offsets: Float64Array, groupMetadata: Buffer, timeoutMs: number): void
  produceLines(
    handle: ProducerHandle,
    data: Buffer,
    start: number,
    end: number,
    delimiter: Buffer,
    keySeparator: Buffer | null,
    nullMarker: Buffer | null,
    emptyIsNull: boolean,
    partition: number,
    headerData: Buffer | null,
    headerDesc: Int32Array | null,
    headerCount: number,
    firstId: number,
    maxWaitMs: number,
    final: boolean,
    state: Float64Array,
  ): number
  /** With `flush`, waits up to timeoutMs for the whole queue and sends partial batches without waiting for linger.ms. */
  poll(handle: ProducerHandle, timeoutMs: number, flush?: boolean): PollResult
  /** The topic's partition count; also remembers which partitions have a leader (for sticky null-key batches). */
  refreshMetadata(handle: ProducerHandle, timeoutMs: number): number
  purge(handle: ProducerHandle): void
  close(handle: ProducerHandle): void
  initTransactions(handle: ProducerHandle, timeoutMs: number): void
  /** initTransactions on a worker thread; no other transaction call until it settles. */
  initTransactionsAsync(handle: ProducerHandle, timeoutMs: number): Promise<void>
  beginTransaction(handle: ProducerHandle): void
  commitTransaction(handle: ProducerHandle, timeoutMs: number): void
  abortTransaction(handle: ProducerHandle, timeoutMs: number): void
  versions(): {librdkafka: string}
}

let binding: ProduceBinding | undefined

export function loadProduceBinding(): ProduceBinding {
  binding ??= loadExtension<ProduceBinding>('produce')
  return binding
}
