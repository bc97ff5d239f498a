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
  // a small buffer of its own, so chunks are never copied (with a one-byte delimiter; a longer
  // one may straddle two chunks, and then the chunks are joined).
  let rest: Buffer | undefined
  for await (const chunk of chunks) {
    if (run.shouldStopReading()) return
    let buffer = chunk
    let start = 0
    if (rest && delimiter.length === 1) {
      const end = chunk.indexOf(delimiter[0]!)
      if (end < 0) {
        rest = Buffer.concat([rest, chunk])
        continue
      }
      await produceAll(Buffer.concat([rest, chunk.subarray(0, end + 1)]), false)
      if (run.shouldStopReading()) return
      start = end + 1
    } else if (rest) {
      buffer = Buffer.concat([rest, chunk])
    }
    const position = await produceAll(buffer, false, start)
    rest = position < buffer.length ? buffer.subarray(position) : undefined
    await run.chunkDone()
  }
  if (rest && !run.shouldStopReading()) await produceAll(rest, true)
}
