import type {ProduceSettings, ReadingRun} from './settings.js'

// The fast path for lines sent byte for byte: C splits the lines and produces them, so no
// JavaScript runs per record. JavaScript only joins chunks and handles the rare bad line.

/** Formats that send the input bytes without even looking at them. */
const RAW = new Set(['str', 'bytes'])
/** produceLines' state[1]: why it returned. */
const NATIVE_QUEUE_FULL = 1
const NATIVE_NO_SEPARATOR = 2
const QUEUE_FULL_WAIT_MS = 100

export function takesNativeLinePath(settings: ProduceSettings): boolean {
  return settings.input === 'lines' && settings.fixedKey === undefined && RAW.has(settings.keyFormat.name) && RAW.has(settings.valueFormat.name)
}

export async function produceLinesNatively(run: ReadingRun, chunks: AsyncIterable<Buffer>): Promise<void> {
  const {settings, cursor} = run
  const {native, handle} = run.client
  const state = new Float64Array(2)
  const delimiter = settings.delimiter
  const headers = run.fixedHeaders
  const produceAll = async (buffer: Buffer, final: boolean, start = 0): Promise<number> => {
    let position = start
    for (;;) {
      position = native.produceLines(handle, buffer, position, buffer.length, delimiter, settings.keySeparator ?? null, settings.nullMarker ?? null, settings.emptyIsNull, settings.partition ?? -1,
        headers?.data ?? null, headers?.desc ?? null, headers?.count ?? 0, cursor.line + 1, QUEUE_FULL_WAIT_MS, final, state)
      cursor.line += state[0]!
      run.accepted(state[0]!)
      run.poll()
      const why = state[1]
      if (why === NATIVE_NO_SEPARATOR) {
        const line = ++cursor.line
        const found = buffer.indexOf(delimiter, position)
        const end = found < 0 ? buffer.length : found
        run.reject(`line ${line}: no key separator in the line`, buffer.subarray(position, end), line)
        position = found < 0 ? buffer.length : found + delimiter.length
      } else if (why === NATIVE_QUEUE_FULL) {
        await run.waitForRoom()
      } else {
        return position
      }
      if (run.shouldStopReading()) return buffer.length
    }
  }
  // The unfinished record at the end of a chunk is completed with the head of the next chunk in
  // a buffer reused from record to record (a new buffer per record made 900 KB records cost
  // their size again in garbage), so chunks are never copied whole (with a one-byte delimiter;
  // a longer one may straddle two chunks, and then each chunk goes through that buffer).
  const carry = new CarryBuffer()
  for await (const chunk of chunks) {
    if (run.shouldStopReading()) return
    let start = 0
    if (delimiter.length !== 1) {
      carry.append(chunk)
      carry.dropHead(await produceAll(carry.view(), false))
      await run.chunkDone()
      continue
    }
    if (carry.length > 0) {
      const end = chunk.indexOf(delimiter[0]!)
      if (end < 0) {
        carry.append(chunk)
        continue
      }
      carry.append(chunk.subarray(0, end + 1))
      await produceAll(carry.view(), false)
      carry.clear()
      if (run.shouldStopReading()) return
      start = end + 1
    }
    const position = await produceAll(chunk, false, start)
    // The chunk's buffer is reused for a later read: keep a copy of the unfinished record.
    if (position < chunk.length) carry.append(chunk.subarray(position))
    await run.chunkDone()
  }
  if (carry.length > 0 && !run.shouldStopReading()) await produceAll(carry.view(), true)
}

/** A growable byte buffer, reused: it grows to the longest unfinished record and stays. */
class CarryBuffer {
  private buffer = Buffer.allocUnsafeSlow(64 * 1024)
  length = 0

  append(bytes: Buffer): void {
    const needed = this.length + bytes.length
    if (needed > this.buffer.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(needed, this.buffer.length * 2))
      this.buffer.copy(grown, 0, 0, this.length)
      this.buffer = grown
    }
    bytes.copy(this.buffer, this.length)
    this.length = needed
  }

  /** Drops the first `count` bytes, keeping the rest at the start. */
  dropHead(count: number): void {
    this.buffer.copyWithin(0, count, this.length)
    this.length -= count
  }

  clear(): void {
    this.length = 0
  }

  view(): Buffer {
    return this.buffer.subarray(0, this.length)
  }
}
