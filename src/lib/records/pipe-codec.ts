import {PIPE_FRAME_FIXED} from '../native/contracts.js'
import {fromPayload, isBase64Payload, toPayload, type JsonlRecord, type Payload, type RecordFormats} from './jsonl.js'
import {schemaIdsOf, SERIALIZERS, wireSchemaId, type Serializer} from './serializers.js'

// `kafkit pipe`'s conversions: the native consume extension's binary record frames
// (native/src/kafkit_frame.h) -> source records; a source record -> the record a transform sees
// (key and value decoded by --key-format / --value-format, in the jsonl record shape); and a
// transform's record -> the bytes to produce (encoded by the output formats). The decoding and
// encoding report a value that does not fit its format instead of passing on something else.

/** A record as `kafkit pipe`'s transforms see it (the jsonl record shape); `timestamp` is epoch ms. */
export type PipeRecord = JsonlRecord

/** A header as bytes: name, value (null and empty kept apart). */
export type HeaderPair = [string, Buffer | null]

/**
 * A source record as read. Its key and value are ranges of the batch's memory (`data`), valid
 * until the batch is recycled: views of them (keyOf, valueOf) are made only when needed, since
 * one object per field per record was a large part of the garbage.
 */
export interface SourceRecord {
  /** The consumer's index of the partition. */
  index: number
  topic: string
  partition: number
  offset: number
  /** undefined: the record has none. */
  timestamp?: number
  data: Buffer
  keyAt: number
  /** -1: null. */
  keyLength: number
  valueAt: number
  /** -1: null. */
  valueLength: number
  /** FRAME_KEY_UTF8 | FRAME_VALUE_UTF8: checked by C already. */
  utf8: number
  headers: HeaderPair[]
}

const FRAME_KEY_UTF8 = 1
const FRAME_VALUE_UTF8 = 2

export const keyOf = (m: SourceRecord): Buffer | null => (m.keyLength < 0 ? null : m.data.subarray(m.keyAt, m.keyAt + m.keyLength))
export const valueOf = (m: SourceRecord): Buffer | null => (m.valueLength < 0 ? null : m.data.subarray(m.valueAt, m.valueAt + m.valueLength))

/** The bytes of one record to produce; a string stands for its UTF-8 bytes (written straight into the batch). */
export interface OutgoingRecord {
  key: Buffer | string | null
  value: Buffer | string | null
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
    const keyAt = pos + PIPE_FRAME_FIXED
    const valueAt = keyAt + Math.max(0, keyLength)
    let at = valueAt + Math.max(0, valueLength)
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
    records.push({
      index,
      topic: topicOf(index),
      partition: data.readInt32LE(pos + 4),
      offset: data.readDoubleLE(pos + 8),
      timestamp: timestamp >= 0 ? timestamp : undefined,
      data,
      keyAt,
      keyLength,
      valueAt,
      valueLength,
      utf8: data.readInt32LE(pos + 40),
      headers,
    })
    pos += PIPE_FRAME_FIXED + Math.max(0, keyLength) + Math.max(0, valueLength) + headerBytes
  }
  if (pos !== data.length) throw new Error('a record frame from the native consume extension is cut short')
  return records
}

// Why the last toPayload call fell back (module-level: a closure per record would cost more than the decoding).
let mismatch: string | undefined
const noteMismatch = (reason: string) => void (mismatch ??= reason)

/** Schema Registry formats: fetch the schemas a batch's keys and values name (once per id) before decodeRecord. */
export async function prepareDecoding(messages: readonly SourceRecord[], formats: RecordFormats): Promise<void> {
  await prepareIds(formats.key, messages, (m) => wireSchemaId(keyOf(m)))
  await prepareIds(formats.value, messages, (m) => wireSchemaId(valueOf(m)))
}

/** Schema Registry formats: fetch the schemas the transform's records name (keySchemaId / valueSchemaId) before encodeRecord. */
export async function prepareEncoding(records: readonly PipeRecord[], formats: RecordFormats): Promise<void> {
  await prepareIds(formats.key, records, (r) => r.keySchemaId)
  await prepareIds(formats.value, records, (r) => r.valueSchemaId)
}

async function prepareIds<T>(format: Serializer, items: readonly T[], idOf: (item: T) => unknown): Promise<void> {
  if (!format.prepare) return
  const ids = schemaIdsOf(items, idOf)
  if (ids.length > 0) await format.prepare(ids)
}

/**
 * toPayload of a key or value, quicker for text that C found to be UTF-8: read as a string from
 * the batch's memory (no view, no second check). Anything else, and JSON that does not parse or
 * is a bare number (toPayload writes -0 and the like as text), takes toPayload itself.
 */
function decodeField(m: SourceRecord, at: number, length: number, utf8: boolean, format: Serializer): Payload {
  if (length < 0) return null
  if (utf8) {
    if (format.name === 'str' || format.name === 'bytes') return m.data.toString('utf8', at, at + length)
    if (format.name === 'json') {
      try {
        const parsed = JSON.parse(m.data.toString('utf8', at, at + length)) as Payload
        if (typeof parsed !== 'number') return parsed
      } catch {
        // toPayload says why.
      }
    }
  }
  return toPayload(m.data.subarray(at, at + length), format, noteMismatch)
}

export function decodeRecord(m: SourceRecord, formats: RecordFormats): Decoded {
  mismatch = undefined
  const key = decodeField(m, m.keyAt, m.keyLength, (m.utf8 & FRAME_KEY_UTF8) !== 0, formats.key)
  if (mismatch !== undefined) return {error: `the key does not fit --key-format ${formats.key.name}: ${mismatch}`}
  const value = decodeField(m, m.valueAt, m.valueLength, (m.utf8 & FRAME_VALUE_UTF8) !== 0, formats.value)
  if (mismatch !== undefined) return {error: `the value does not fit --value-format ${formats.value.name}: ${mismatch}`}
  // One literal per shape (the transform's code then sees records of one or two shapes, not more).
  const record: PipeRecord =
    m.timestamp === undefined
      ? {topic: m.topic, partition: m.partition, offset: m.offset, key, value, headers: []}
      : {topic: m.topic, partition: m.partition, offset: m.offset, timestamp: m.timestamp, key, value, headers: []}
  if (m.headers.length > 0) record.headers = m.headers.map(([k, v]) => ({key: k, value: toPayload(v)}))
  // As in jsonl: the schema a value was decoded with, which the output encodes with again unless told otherwise.
  if (formats.key.prepare && key !== null) record.keySchemaId = wireSchemaId(keyOf(m))
  if (formats.value.prepare && value !== null) record.valueSchemaId = wireSchemaId(valueOf(m))
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
    const key = encodeField(r.key, formats.key, 'key', r.keySchemaId)
    return {record: {key, value: encodeField(r.value, formats.value, 'value', r.valueSchemaId), headers, partition, timestamp}}
  } catch (error) {
    return {error: (error as Error).message}
  }
}

/** fromPayload, except that JSON and str text is left a string (the batch writes it as UTF-8 in place). */
function encodeField(payload: unknown, format: Serializer, field: string, schemaId?: unknown): Buffer | string | null {
  if (format.name === 'str' && typeof payload === 'string') return payload
  if (format.name === 'json' && !format.encodeJson && payload !== null && payload !== undefined) {
    const text = JSON.stringify(payload) as string | undefined
    // {"base64": "..."} stands for bytes: told by its text first (looking for a missing property on
    // every output object cost more than the whole test).
    if (text !== undefined && !(text.startsWith('{"base64":"') && isBase64Payload(payload))) return text
  }
  return fromPayload(payload, format, field, schemaId)
}
