import type {FailedRecord} from '../../records/dead-letter.js'
import type {DeliveryReports} from '../../records/delivery-reports.js'
import type {Serializer} from '../../records/serializers.js'
import type {FixedHeaders} from './batch.js'
import type {ProducerClient} from './client.js'
import type {ProduceStats} from './tally.js'

// What one produce run is given (its settings, and the hooks through which it reads input and
// reports: it never prints, the command turns what the hooks receive into output), and what the
// run's reading paths share with it.

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
  /** Bound on transaction calls. */
  timeoutMs: number
  /** How long in-flight records may take after an interrupt before they are purged. */
  drainTimeoutMs: number
  /** librdkafka's message.timeout.ms: a record not delivered by then fails. */
  deliveryTimeoutMs: number
}

export interface ProduceHooks {
  chunks: AsyncIterable<Buffer>
  stop: AbortSignal
  /** A second signal: stop waiting for in-flight records. */
  hardStop: AbortSignal
  /** Delivered records, many at a time (with a transaction: after the commit); asks the client for per-record reports. */
  onDeliveries?(reports: DeliveryReports): void
  /** Records not delivered or not valid, many at a time; their buffers are valid during the call only. */
  onFailedRecords?(records: FailedRecord[]): void
  /** One call per invalid input record; `message` starts with "line N: ". */
  onInvalid(line: number, message: string): void
  onProgress?(stats: ProduceStats): void
  onLog?(line: string): void
  /** Resolves when the output written so far (delivery lines, dead letters) has drained, so memory stays bounded. */
  outputDrained?(): Promise<void>
}

/** Where reading is, shared by the parts that read: the last line number given out, and whether to stop. */
export interface ReadCursor {
  line: number
  /** Set by --on-error fail after a bad record or a failed delivery. */
  stop: boolean
}

/** What a reading path (native lines, or records parsed in JavaScript) needs from the run. */
export interface ReadingRun {
  readonly client: ProducerClient
  readonly settings: ProduceSettings
  readonly fixedHeaders: FixedHeaders | null
  readonly cursor: ReadCursor
  /** `count` records were handed to the client. */
  accepted(count: number): void
  /** Takes the client's reports (deliveries, failures) without waiting. */
  poll(): void
  /** An input record that is not a valid record; `message` starts with "line N: ". */
  reject(message: string, raw: Buffer, line: number): void
  /** The client's queue is full: report progress and let signals and output run. */
  waitForRoom(): Promise<void>
  /** After each chunk: progress, and the output drained. */
  chunkDone(): Promise<void>
  /** Reading stops: --on-error fail saw a failure, an interrupt, or a fatal client error. */
  shouldStopReading(): boolean
  /** An interrupt or a fatal client error: records not yet handed to the client are dropped. */
  halted(): boolean
}
