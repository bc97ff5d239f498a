import type {OffsetSpec} from '../../offset-spec.js'
import type {PartitionRange} from '../../partition-spec.js'
import type {ConsumedRecord} from '../../records/consumed-record.js'
import type {NativeFormatProgram, RecordFormatter} from '../../records/record-formatter.js'

// What `kafkit consume` asks of the consume core, what it hands the output, and what it gets back.

export interface ConsumeRequest {
  /** Topics to read; none with a Spark JSON -o spec means the topics it names. */
  topics: string[]
  /** Regular expression for topic names (whole name), instead of or besides `topics`. */
  pattern?: string
  /** Only these partitions (of every topic read). */
  partitions?: PartitionRange[]
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
  /** Whether the native loop may be used (when it can express the output); false forces the JS loop. */
  allowNative: boolean
  /** Aborting stops fetching; what was written is committed and the group is left cleanly. */
  signal: AbortSignal
  notice(text: string): void
  /** Debug lines (--debug): which read loop runs and why. */
  debug?: (line: string) => void
  /** Whether the output's reader has gone (`| head`): then the run ends like on EPIPE, committing nothing more. */
  outputClosed?: () => boolean
  /** Records carry their topic's timestamp type (jsonl output); costs one DescribeConfigs. */
  needsTimestampType?: boolean
  /** Called once each time the read has caught up (a read found nothing new), until records arrive again. */
  caughtUp?: () => void
  /** A function called for every record printed (for --json collection). */
  onRecord?: (record: ConsumedRecord) => void
  /** Only records it accepts are printed and counted (--grep, --filter); the others are passed over. */
  filter?: (record: ConsumedRecord) => boolean
}

export interface ConsumeSink {
  formatter: RecordFormatter
  /**
   * Fetches, before a batch is formatted, what formatting it needs (the schemas of a Schema
   * Registry format, once per id), so each batch formats without a promise per record.
   */
  prepare?(records: ConsumedRecord[]): Promise<void>
  /**
   * For a formatter without a native program: the native loop may read all the same, running
   * `program` (the records framed) and handing each batch to `unframe`, which formats it in JS;
   * once written, its output goes back to `recycle`.
   */
  framed?: {program: NativeFormatProgram; unframe(data: Buffer): Promise<Buffer>; recycle(output: Buffer): void}
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
