// Splits input bytes into records at a delimiter, chunk by chunk, without copying: each record
// is reported as (buffer, start, end) into the chunk it lies in. The last piece of a chunk is
// kept and joined with the next chunk. A trailing delimiter at the end of the input does not
// make an extra empty record ("a\nb\n" is two records); an empty line in the middle is an empty
// record, never dropped.

export type RecordSink = (buffer: Buffer, start: number, end: number) => void

export class RecordSplitter {
  private rest: Buffer | undefined
  private readonly delimiter: Buffer
  private readonly single: number

  constructor(delimiter: Buffer) {
    this.delimiter = delimiter
    // One-byte delimiters (the usual case) search for a number: the fastest indexOf.
    this.single = delimiter.length === 1 ? delimiter[0]! : -1
  }

  /**
   * Calls `sink` for every complete record in `chunk` (after what was left over before) and
   * returns the buffer the records point into, which stays valid until the next push.
   */
  push(chunk: Buffer, sink: RecordSink): Buffer {
    const buffer = this.rest && this.rest.length > 0 ? Buffer.concat([this.rest, chunk]) : chunk
    const delimiterLength = this.delimiter.length
    let start = 0
    let end: number
    if (this.single >= 0) {
      const byte = this.single
      while ((end = buffer.indexOf(byte, start)) !== -1) {
        sink(buffer, start, end)
        start = end + 1
      }
    } else {
      while ((end = buffer.indexOf(this.delimiter, start)) !== -1) {
        sink(buffer, start, end)
        start = end + delimiterLength
      }
    }
    this.rest = start < buffer.length ? buffer.subarray(start) : undefined
    return buffer
  }

  /** At the end of the input: the last record when it had no delimiter after it. */
  finish(sink: RecordSink): Buffer | undefined {
    const rest = this.rest
    this.rest = undefined
    if (rest && rest.length > 0) sink(rest, 0, rest.length)
    return rest
  }
}
