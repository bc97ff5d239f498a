import type {ConsumedRecord} from '../../records/consumed-record.js'
import type {NativeFormatProgram, RecordFormatter} from '../../records/record-formatter.js'
import {TextOutput} from '../../records/text-output.js'
import {compileRecordFormat} from './format-string.js'

// Records that only JavaScript can format (the Schema Registry formats) still read through the
// native consume loop, which is far faster at fetching than the client library's consume(): C
// writes each record framed (a header line with the topic, partition, offset, timestamp, key and
// value lengths and the headers, then the key and value bytes raw), and `unframe` turns a whole
// batch back into records, fetches the schemas the batch needs at once, and formats it with the
// JS formatter. Header names with the bytes 0x00, 0x01 or a newline cannot be framed (none seen).

const HEADER_KEY_SEPARATOR = '\u0000'
const HEADER_SEPARATOR = '\u0001'
/** Printed for a null header value: a byte base64 never contains. */
const HEADER_NULL = '\u0002'

export interface FramedOutput {
  program: NativeFormatProgram
  unframe(data: Buffer): Promise<Buffer>
  /** An output of unframe that is written: its memory may be used again. */
  recycle(output: Buffer): void
}

const TAB = 9
const NEWLINE = 10

function headersOf(text: string): ConsumedRecord['headers'] {
  if (text === '') return []
  return text.split(HEADER_SEPARATOR).map((pair) => {
    const at = pair.indexOf(HEADER_KEY_SEPARATOR)
    const value = pair.slice(at + 1)
    return {[Buffer.from(pair.slice(0, at), 'latin1').toString('utf8')]: value === HEADER_NULL ? null : Buffer.from(value, 'base64')}
  })
}

/** A decimal integer written in bytes start..end (a leading - allowed), read without making a string. */
function integerAt(data: Buffer, start: number, end: number): number {
  const negative = data[start] === 0x2d
  let n = 0
  for (let i = negative ? start + 1 : start; i < end; i++) n = n * 10 + data[i]! - 0x30
  return negative ? -n : n
}

function sameBytes(data: Buffer, start: number, end: number, bytes: Buffer): boolean {
  if (end - start !== bytes.length) return false
  for (let i = 0; i < bytes.length; i++) if (data[start + i] !== bytes[i]) return false
  return true
}

// The topic of the last record, reused while the records' topic stays the same.
let lastTopicBytes = Buffer.alloc(0)
let lastTopic = ''

/**
 * The framed records of a batch, one at a time: where each one's fields are, found by a byte scan
 * (a Buffer.indexOf per field cost more than the scan), and the record itself only when asked.
 */
class FrameCursor {
  private readonly starts = [0, 0, 0, 0, 0, 0]
  private readonly ends = [0, 0, 0, 0, 0, 0]
  private next = 0
  private start = 0
  private headersStart = 0
  private headersEnd = 0
  keyStart = 0
  /** -1: a null key. */
  keyLength = -1
  valueStart = 0
  /** -1: a null value. */
  valueLength = -1

  constructor(private readonly data: Buffer) {}

  /** Moves to the next record; false after the last. */
  advance(): boolean {
    const {data, starts, ends} = this
    const length = data.length
    if (this.next >= length) return false
    this.start = this.next
    // Seven fields: topic, partition, offset, timestamp, key length, value length, headers.
    let at = this.next
    for (let n = 0; n < 6; n++) {
      starts[n] = at
      while (at < length && data[at] !== TAB) at++
      ends[n] = at
      at++
    }
    let end = at
    while (end < length && data[end] !== NEWLINE) end++
    if (end >= length) throw new Error('a framed record from the native consume loop is cut short')
    this.headersStart = at
    this.headersEnd = end
    this.keyStart = end + 1
    this.keyLength = integerAt(data, starts[4]!, ends[4]!)
    this.valueStart = this.keyStart + Math.max(this.keyLength, 0)
    this.valueLength = integerAt(data, starts[5]!, ends[5]!)
    this.next = this.valueStart + Math.max(this.valueLength, 0)
    return true
  }

  /** Where the current record's frame starts. */
  get frameStart(): number {
    return this.start
  }

  /** The record whose frame starts at `frameStart` (the cursor moves there). */
  recordAt(frameStart: number): ConsumedRecord {
    this.next = frameStart
    this.advance()
    return this.record()
  }

  /** The current record. */
  record(): ConsumedRecord {
    const {data, starts, ends} = this
    if (!sameBytes(data, starts[0]!, ends[0]!, lastTopicBytes)) {
      lastTopicBytes = Buffer.from(data.subarray(starts[0], ends[0]))
      lastTopic = lastTopicBytes.toString('latin1')
    }
    // %T{type}: CreateTime:MS, LogAppendTime:MS or NO_TIMESTAMP.
    const kind = data[starts[3]!]
    let timestamp: number | undefined
    if (kind === 0x43 || kind === 0x4c) {
      let colon = starts[3]!
      while (data[colon] !== 0x3a) colon++
      timestamp = integerAt(data, colon + 1, ends[3]!)
    }
    // Every property at once, in one order: records of one shape, no property added later.
    return {
      topic: lastTopic,
      partition: integerAt(data, starts[1]!, ends[1]!),
      offset: integerAt(data, starts[2]!, ends[2]!),
      timestamp,
      timestampType: kind === 0x43 ? 'create' : kind === 0x4c ? 'log-append' : 'none',
      key: this.keyLength >= 0 ? data.subarray(this.keyStart, this.keyStart + this.keyLength) : null,
      value: this.valueLength >= 0 ? data.subarray(this.valueStart, this.valueStart + this.valueLength) : null,
      headers: this.headersStart === this.headersEnd ? [] : headersOf(data.toString('latin1', this.headersStart, this.headersEnd)),
    }
  }

  /** The schema id of the current key (Schema Registry wire format), or -1. */
  keyId(): number {
    return this.keyLength >= 5 && this.data[this.keyStart] === 0 ? this.data.readInt32BE(this.keyStart + 1) : -1
  }

  /** The schema id of the current value, or -1. */
  valueId(): number {
    return this.valueLength >= 5 && this.data[this.valueStart] === 0 ? this.data.readInt32BE(this.valueStart + 1) : -1
  }
}

const grow = (places: Int32Array) => {
  const grown = new Int32Array(places.length * 2)
  grown.set(places)
  return grown
}

/** The framed records of one native batch. */
export function unframeRecords(data: Buffer): ConsumedRecord[] {
  const records: ConsumedRecord[] = []
  const cursor = new FrameCursor(data)
  while (cursor.advance()) records.push(cursor.record())
  return records
}

/** The native program and the batch conversion for a JS formatter; `prepare` runs once per batch. */
export function framedOutput(formatter: RecordFormatter, prepare: (records: ConsumedRecord[]) => Promise<void>): FramedOutput {
  const program = compileRecordFormat('%t\\t%p\\t%o\\t%T{type}\\t%K\\t%S\\t%h{base64}\\n%k%s', {
    nullLiteral: '',
    headerKeySeparator: HEADER_KEY_SEPARATOR,
    headerSeparator: HEADER_SEPARATOR,
    noHeadersLiteral: '',
    headerNullLiteral: HEADER_NULL,
  }).nativeProgram!
  let scratch = Buffer.allocUnsafe(1 << 20)
  const output = new TextOutput(0)
  let places = new Int32Array(3 * 4096)
  const spare: ArrayBuffer[] = []
  const issued = new WeakSet<ArrayBuffer>()
  return {
    program,
    async unframe(data) {
      // A formatter that writes bytes itself writes each batch into a buffer of its own, used again
      // once written (fresh memory for every batch cost more in page faults than the copying).
      const take = () => {
        const memory = spare.pop()
        output.use(memory ? Buffer.from(memory) : Buffer.allocUnsafeSlow(1 << 20))
      }
      const done = () => {
        issued.add(output.buffer.buffer as ArrayBuffer)
        return output.buffer.subarray(0, output.length)
      }
      if (formatter.writeValueAt) {
        // Only the values are needed: records are made only to fetch the schemas (one per change
        // of schema ids) and for values that do not decode.
        const cursor = new FrameCursor(data)
        const samples: ConsumedRecord[] = []
        let keyId = -2
        let valueId = -2
        // Per record: where its frame starts, where its value starts and its length (-1: null).
        let count = 0
        while (cursor.advance()) {
          if (places.length < (count + 1) * 3) places = grow(places)
          places[count * 3] = cursor.frameStart
          places[count * 3 + 1] = cursor.valueStart
          places[count * 3 + 2] = cursor.valueLength
          count++
          if (cursor.keyId() !== keyId || cursor.valueId() !== valueId) {
            keyId = cursor.keyId()
            valueId = cursor.valueId()
            samples.push(cursor.record())
          }
        }
        await prepare(samples)
        take()
        let index = 0
        const record = () => cursor.recordAt(places[index * 3]!)
        for (; index < count; index++) {
          const start = places[index * 3 + 1]!
          const length = places[index * 3 + 2]!
          formatter.writeValueAt(data, length < 0 ? -1 : start, start + length, output, record)
        }
        return done()
      }
      const records = unframeRecords(data)
      await prepare(records)
      if (formatter.writeTo) {
        take()
        for (const record of records) formatter.writeTo(record, output)
        return done()
      }
      // Each record's text is written into one reused buffer as it is made (one long string of the
      // whole batch cost more to flatten and encode than the formatting itself), then copied out
      // at its exact size: the write pipeline keeps it until written.
      let at = 0
      for (const record of records) {
        const text = formatter.format(record)
        if (text === undefined) continue
        const most = formatter.encoding === 'utf8' ? text.length * 3 : text.length
        if (at + most > scratch.length) {
          const grown = Buffer.allocUnsafe(Math.max(scratch.length * 2, at + most))
          scratch.copy(grown, 0, 0, at)
          scratch = grown
        }
        at += scratch.write(text, at, formatter.encoding)
      }
      return Buffer.from(scratch.subarray(0, at))
    },
    recycle(chunk) {
      const memory = chunk.buffer as ArrayBuffer
      if (issued.has(memory) && spare.length < 3) spare.push(memory)
    },
  }
}
