import {PIPE_FRAME_FIXED} from '../native/contracts.js'
import {fromPayload, toPayload, type JsonlRecord, type RecordFormats} from './jsonl.js'
import {SERIALIZERS} from './serializers.js'

// `kafkit pipe`'s conversions: the native consume extension's binary record frames
// (native/src/kafkit_frame.h) -> source records; a source record -> the record a transform sees
// (key and value decoded by --key-format / --value-format, in the jsonl record shape); and a
// transform's record -> the bytes to produce (encoded by the output formats). The decoding and
// encoding report a value that does not fit its format instead of passing on something else.

/** A record as `kafkit pipe`'s transforms see it (the jsonl record shape); `timestamp` is epoch ms. */
export type PipeRecord = JsonlRecord

/** A header as bytes: name, value (null and empty kept apart). */
export type HeaderPair = [string, Buffer | null]

/** A source record as read: its bytes are views into the batch's memory, valid until the batch is recycled. */
export interface SourceRecord {
  /** The consumer's index of the partition. */
  index: number
  topic: string
  partition: number
  offset: number
  /** undefined: the record has none. */
  timestamp?: number
  key: Buffer | null
  value: Buffer | null
  headers: HeaderPair[]
}

/** The bytes of one record to produce. */
export interface OutgoingRecord {
  key: Buffer | null
  value: Buffer | null
  headers: HeaderPair[]
  /** -1: the partitioner decides. */
  partition: number
  /** 0: the producer's clock. */
  timestamp: number
}

export type Decoded = {record: PipeRecord} | {error: string}
export type Encoded = {record: OutgoingRecord} | {error: string}

const NO_HEADERS: HeaderPair[] = []

/** The records of one batch of frames; `topicOf` names the topic of a partition index. */
export function readFrames(data: Buffer, topicOf: (index: number) => string): SourceRecord[] {
  const records: SourceRecord[] = []
  let pos = 0
  while (pos + PIPE_FRAME_FIXED <= data.length) {
    const index = data.readInt32LE(pos)
    const timestamp = data.readDoubleLE(pos + 16)
    const keyLength = data.readInt32LE(pos + 24)
    const valueLength = data.readInt32LE(pos + 28)
    const headerCount = data.readInt32LE(pos + 32)
    const headerBytes = data.readInt32LE(pos + 36)
    let at = pos + PIPE_FRAME_FIXED
    let key: Buffer | null = null
    let value: Buffer | null = null
    if (keyLength >= 0) key = data.subarray(at, (at += keyLength))
    if (valueLength >= 0) value = data.subarray(at, (at += valueLength))
    let headers = NO_HEADERS
    if (headerCount > 0) {
      headers = []
      for (let h = 0; h < headerCount; h++) {
        const nameLength = data.readInt32LE(at)
        const length = data.readInt32LE(at + 4)
        at += 8
        const name = data.toString('utf8', at, (at += nameLength))
        headers.push([name, length < 0 ? null : data.subarray(at, (at += length))])
      }
    }
    records.push({index, topic: topicOf(index), partition: data.readInt32LE(pos + 4), offset: data.readDoubleLE(pos + 8), timestamp: timestamp >= 0 ? timestamp : undefined, key, value, headers})
    pos += PIPE_FRAME_FIXED + Math.max(0, keyLength) + Math.max(0, valueLength) + headerBytes
  }
  if (pos !== data.length) throw new Error('a record frame from the native consume extension is cut short')
  return records
}

// Why the last toPayload call fell back (module-level: a closure per record would cost more than the decoding).
let mismatch: string | undefined
const noteMismatch = (reason: string) => void (mismatch ??= reason)

export function decodeRecord(m: SourceRecord, formats: RecordFormats): Decoded {
  mismatch = undefined
  const key = toPayload(m.key, formats.key, noteMismatch)
  if (mismatch !== undefined) return {error: `the key does not fit --key-format ${formats.key.name}: ${mismatch}`}
  const value = toPayload(m.value, formats.value, noteMismatch)
  if (mismatch !== undefined) return {error: `the value does not fit --value-format ${formats.value.name}: ${mismatch}`}
  const record: PipeRecord = {topic: m.topic, partition: m.partition, offset: m.offset, key, value, headers: []}
  if (m.timestamp !== undefined) record.timestamp = m.timestamp
  if (m.headers.length > 0) record.headers = m.headers.map(([k, v]) => ({key: k, value: toPayload(v)}))
  return {record}
}

export function encodeRecord(r: PipeRecord, formats: RecordFormats, keepPartition: boolean): Encoded {
  try {
    let headers = NO_HEADERS
    if (r.headers !== undefined && r.headers !== null && (r.headers as unknown[]).length !== 0) {
      if (!Array.isArray(r.headers)) return {error: 'headers must be a list of {key, value}'}
      headers = []
      for (const h of r.headers) {
        if (typeof h?.key !== 'string') return {error: 'each header needs a string key'}
        headers.push([h.key, fromPayload(h.value, SERIALIZERS.str!, `header ${h.key}`)])
      }
    }
    let partition = -1
    if (keepPartition) {
      if (!Number.isInteger(r.partition) || r.partition! < 0) return {error: 'partition must be a non-negative integer with --keep-partitions'}
      partition = r.partition!
    }
    const timestamp = r.timestamp === undefined || r.timestamp === null ? 0 : r.timestamp
    if (!Number.isInteger(timestamp) || timestamp < 0) return {error: 'timestamp must be epoch milliseconds'}
    return {record: {key: fromPayload(r.key, formats.key, 'key'), value: fromPayload(r.value, formats.value, 'value'), headers, partition, timestamp}}
  } catch (error) {
    return {error: (error as Error).message}
  }
}
