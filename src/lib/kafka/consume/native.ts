import {loadExtension} from '../../native/load.js'
import type {NativeFormatProgram} from '../../records/record-formatter.js'

// The native consume extension (native/src/kafkit_consume.c): reads and formats whole batches in
// C on a worker thread and hands back one buffer. Used for direct assignment (no group) with
// output it can express; everything else takes the JS loop (kafka/consume/js-loop.ts). When the
// extension is not built, `loadNativeConsume` returns undefined and the JS loop is used.

export interface NativeBatch {
  /** The formatted records, ready to write. */
  data: Buffer
  count: number
  /** Bytes of record values read (for sizing the next batch). */
  bytes: number
  /** Triples: partition index (as assigned), next offset, 1 when the partition reached its stop. */
  positions: number[]
  /** Partition indexes that reached the end of their log in this batch. */
  eofs: number[]
  errorCode?: string
  errorMessage?: string
}

interface NativeConsumeModule {
  create(config: Record<string, string>): unknown
  assign(handle: unknown, topics: string[], partitions: Int32Array, starts: Float64Array, stops: Float64Array, ops: Int32Array, literals: Buffer): void
  consume(handle: unknown, maxRecords: number, maxBytes: number, timeoutMs: number, limit: number): Promise<NativeBatch>
  close(handle: unknown): void
}

let loaded: NativeConsumeModule | null | undefined

export function loadNativeConsume(): NativeConsumeModule | undefined {
  if (loaded !== undefined) return loaded ?? undefined
  loaded = null
  // Without it (not built, or not loadable) the JS loop reads instead; a stale one is an error.
  loaded = loadExtension<NativeConsumeModule>('consume', {optional: true}) ?? null
  return loaded ?? undefined
}

export interface NativeAssignment {
  topic: string
  partition: number
  start: number
  /** Exclusive; -1 for none. */
  stop: number
}

/** One native consumer: created with a librdkafka config, assigned once, read batch by batch. */
export class NativeConsumer {
  private handle: unknown
  private busy?: Promise<unknown>

  constructor(
    private readonly lib: NativeConsumeModule,
    config: Record<string, string | number | boolean>,
  ) {
    const strings: Record<string, string> = {}
    for (const [k, v] of Object.entries(config)) strings[k] = String(v)
    this.handle = lib.create(strings)
  }

  assign(assignment: NativeAssignment[], program: NativeFormatProgram): void {
    this.lib.assign(
      this.handle,
      assignment.map((a) => a.topic),
      Int32Array.from(assignment.map((a) => a.partition)),
      Float64Array.from(assignment.map((a) => a.start)),
      Float64Array.from(assignment.map((a) => a.stop)),
      program.ops,
      program.literals,
    )
  }

  consume(maxRecords: number, maxBytes: number, timeoutMs: number, limit: number): Promise<NativeBatch> {
    const batch = this.lib.consume(this.handle, maxRecords, maxBytes, timeoutMs, limit)
    this.busy = batch.catch(() => {})
    return batch
  }

  /** Closes once no batch is being read. */
  async close(): Promise<void> {
    await this.busy
    this.lib.close(this.handle)
  }
}
