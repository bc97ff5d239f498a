import {CONSUME_LITERAL_SLOTS} from '../../native/contracts.js'
import {loadExtension} from '../../native/load.js'
import type {NativeFormatProgram} from '../../records/record-formatter.js'

// The native consume extension (native/src/kafkit_consume.c): reads and formats whole batches in
// C on a worker thread and hands back one buffer. Used for direct assignment and for group mode
// (subscription, rebalances and commits in C) with output it can express; everything else takes
// the JS loop (kafka/consume/js-loop.ts). When the extension is not built, `loadNativeConsume`
// returns undefined and the JS loop is used.

export interface NativeBatch {
  /** The formatted records, ready to write. */
  data: Buffer
  count: number
  /** Bytes of record values read (for sizing the next batch). */
  bytes: number
  /** Quads: partition index, next offset, 1 when the partition reached its stop, the generation of its records. */
  positions: number[]
  /** Partition indexes that reached the end of their log in this batch. */
  eofs: number[]
  /** Group mode, triples: partition index, 1 assigned / 0 revoked, generation; the state after this batch. */
  assignment: number[]
  /** Partitions C learned of in this batch (a topic the pattern matches), indexed on from the ones known. */
  added: Array<{topic: string; partition: number}>
  /** Whether the group rebalanced during this batch. */
  rebalanced: boolean
  /** A revoke's commit that failed. */
  commitError?: string
  /** Pipe mode, pairs: partition index, the first offset of its records in this batch. */
  firsts?: number[]
  /** Pipe mode: the group gave this member its partitions (possibly none) during this batch. */
  assignedNow?: boolean
  /** Pipe mode: the group takes the partitions away; they stay this member's until release(). */
  revokePending?: boolean
  errorCode?: string
  errorMessage?: string
}

type Plan = [topics: string[], partitions: Int32Array, starts: Float64Array, stops: Float64Array, ops: Int32Array, literals: Buffer, exitAtEnd: boolean]

interface NativeConsumeModule {
  create(config: Record<string, string>): unknown
  assign(handle: unknown, ...plan: Plan): void
  subscribe(handle: unknown, subscription: string[], ...planAndPipe: [...Plan, boolean?]): void
  consume(handle: unknown, maxRecords: number, maxBytes: number, timeoutMs: number, limit: number): Promise<NativeBatch>
  written(handle: unknown, notices: Float64Array): void
  recycle(handle: unknown, data: Buffer): void
  commit(handle: unknown, sync: boolean): string | undefined
  close(handle: unknown): void
  release(handle: unknown): void
  seek(handle: unknown, index: number, offset: number, timeoutMs: number): string | undefined
  groupMetadata(handle: unknown): Buffer
  lag(handle: unknown): number
}

let loaded: NativeConsumeModule | null | undefined

export function loadNativeConsume(): NativeConsumeModule | undefined {
  if (loaded !== undefined) return loaded ?? undefined
  loaded = null
  // Without it (not built, or not loadable) the JS loop reads instead; a stale one is an error.
  loaded = loadExtension<NativeConsumeModule>('consume', {optional: true}) ?? null
  return loaded ?? undefined
}

/** The extension, required: `kafkit pipe` has no other way to read. */
export function requireNativeConsume(): NativeConsumeModule {
  return loadNativeConsume() ?? loadExtension<NativeConsumeModule>('consume')
}

export interface NativePartition {
  topic: string
  partition: number
  /** Where to start; undefined: the group's committed offset. */
  start?: number
  /** Exclusive; undefined for none. */
  stop?: number
}

/** One native consumer: created with a librdkafka config, assigned or subscribed once, read batch by batch. */
export class NativeConsumer {
  private handle: unknown
  private busy?: Promise<unknown>
  private closed = false

  constructor(
    private readonly lib: NativeConsumeModule,
    config: Record<string, string | number | boolean>,
  ) {
    const strings: Record<string, string> = {}
    for (const [k, v] of Object.entries(config)) strings[k] = String(v)
    this.handle = lib.create(strings)
  }

  /** Direct mode: reads exactly these partitions; their indexes in batches follow this order. */
  assign(partitions: NativePartition[], program: NativeFormatProgram, exitAtEnd: boolean): void {
    this.lib.assign(this.handle, ...plan(partitions, program, exitAtEnd))
  }

  /** Group mode: joins the group; `planned` partitions keep their index, others are added as assigned. */
  subscribe(subscription: string[], planned: NativePartition[], program: NativeFormatProgram, exitAtEnd: boolean): void {
    this.lib.subscribe(this.handle, subscription, ...plan(planned, program, exitAtEnd))
  }

  /**
   * Pipe mode (`kafkit pipe`): joins the group; batches hold binary record frames
   * (records/pipe-frames.ts); -o starts (`planned` with a start) apply only without a committed
   * offset; a revoke waits for release().
   */
  subscribePipe(subscription: string[], planned: NativePartition[]): void {
    const none: NativeFormatProgram = {ops: new Int32Array(CONSUME_LITERAL_SLOTS * 2), literals: Buffer.alloc(0)}
    this.lib.subscribe(this.handle, subscription, ...plan(planned, none, false), true)
  }

  /** Pipe mode: the revoke a batch reported (revokePending) goes ahead; its partitions are let go. */
  release(): void {
    if (!this.closed) this.lib.release(this.handle)
  }

  /** Reads the partition (by index) again from `offset`; returns the failure's message. */
  seek(index: number, offset: number, timeoutMs: number): string | undefined {
    return this.lib.seek(this.handle, index, offset, timeoutMs)
  }

  /** The member's group metadata now, serialized (for a transaction's offsets). */
  groupMetadata(): Buffer {
    return this.lib.groupMetadata(this.handle)
  }

  /** Records behind the end of the assigned partitions, as last fetched. */
  lag(): number {
    return this.closed ? 0 : this.lib.lag(this.handle)
  }

  consume(maxRecords: number, maxBytes: number, timeoutMs: number, limit: number): Promise<NativeBatch> {
    const batch = this.lib.consume(this.handle, maxRecords, maxBytes, timeoutMs, limit)
    this.busy = batch.catch(() => {})
    return batch
  }

  /** Group mode: these (partition index, next offset, generation) triples reached the output. */
  written(notices: number[]): void {
    // A write that completes after close (a run ended by an error) has nothing left to commit.
    if (notices.length > 0 && !this.closed) this.lib.written(this.handle, Float64Array.from(notices))
  }

  /**
   * A batch's data reached the output: its memory formats a later batch (finished batches would
   * otherwise wait for the garbage collector: most of the peak memory). `data` is not read again.
   */
  recycle(data: Buffer): void {
    if (!this.closed) this.lib.recycle(this.handle, data)
  }

  /** Group mode: commits what was written; returns the failure's message. */
  commit(sync: boolean): string | undefined {
    return this.lib.commit(this.handle, sync)
  }

  /** Closes (leaving the group) once no batch is being read. */
  async close(): Promise<void> {
    await this.busy
    this.closed = true
    this.lib.close(this.handle)
  }
}

function plan(partitions: NativePartition[], program: NativeFormatProgram, exitAtEnd: boolean): Plan {
  return [
    partitions.map((p) => p.topic),
    Int32Array.from(partitions.map((p) => p.partition)),
    Float64Array.from(partitions.map((p) => p.start ?? -1)),
    Float64Array.from(partitions.map((p) => p.stop ?? -1)),
    program.ops,
    program.literals,
    exitAtEnd,
  ]
}
