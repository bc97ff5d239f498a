import {bytesOf, headerPairs, type ConsumedRecord} from './consumed-record.js'
import {fromPayload, toPayload, type JsonlRecord, type RecordFormats} from './jsonl.js'
import {SERIALIZERS, wireSchemaId, type Serializer} from './serializers.js'

// `kafkit pipe`'s two conversions: a consumed record -> the record a transform sees (key and
// value decoded by --key-format / --value-format, in the jsonl record shape), and a transform's
// record -> the bytes to produce (encoded by the output formats). Both report a value that does
// not fit its format instead of passing on something else.

/** A record as `kafkit pipe`'s transforms see it (the jsonl record shape); `timestamp` is epoch ms. */
export type PipeRecord = JsonlRecord

/** The bytes of one record to produce, in the client library's argument shapes. */
export interface OutgoingRecord {
  key: Buffer | null
  value: Buffer | null
  /** One single-key object per header, in order, as the client library takes them. */
  headers?: Array<Record<string, Buffer>>
  partition: number
  timestamp: number
}

export type Decoded = {record: PipeRecord} | {error: string}
export type Encoded = {record: OutgoingRecord} | {error: string}

// Why the last toPayload call fell back (module-level: a closure per record would cost more than the decoding).
let mismatch: string | undefined
const noteMismatch = (reason: string) => void (mismatch ??= reason)

/** Schema Registry formats: fetch the schemas a batch's keys and values name (once per id) before decodeRecord. */
export async function prepareDecoding(messages: readonly ConsumedRecord[], formats: RecordFormats): Promise<void> {
  await prepareIds(formats.key, messages, (m) => wireSchemaId(bytesOf(m.key)))
  await prepareIds(formats.value, messages, (m) => wireSchemaId(m.value))
}

/** Schema Registry formats: fetch the schemas the transform's records name (keySchemaId / valueSchemaId) before encodeRecord. */
export async function prepareEncoding(records: readonly PipeRecord[], formats: RecordFormats): Promise<void> {
  await prepareIds(formats.key, records, (r) => r.keySchemaId)
  await prepareIds(formats.value, records, (r) => r.valueSchemaId)
}

async function prepareIds<T>(format: Serializer, items: readonly T[], idOf: (item: T) => unknown): Promise<void> {
  if (!format.prepare) return
  const ids: number[] = []
  for (const item of items) {
    const id = idOf(item)
    if (Number.isInteger(id) && (id as number) >= 0) ids.push(id as number)
  }
  if (ids.length > 0) await format.prepare(ids)
}

export function decodeRecord(m: ConsumedRecord, formats: RecordFormats): Decoded {
  mismatch = undefined
  const key = toPayload(bytesOf(m.key), formats.key, noteMismatch)
  if (mismatch !== undefined) return {error: `the key does not fit --key-format ${formats.key.name}: ${mismatch}`}
  const value = toPayload(m.value, formats.value, noteMismatch)
  if (mismatch !== undefined) return {error: `the value does not fit --value-format ${formats.value.name}: ${mismatch}`}
  const record: PipeRecord = {topic: m.topic, partition: m.partition, offset: m.offset, key, value, headers: []}
  // As in jsonl: the schema a value was decoded with, which the output encodes with again unless told otherwise.
  if (formats.key.prepare && key !== null) record.keySchemaId = wireSchemaId(bytesOf(m.key))
  if (formats.value.prepare && value !== null) record.valueSchemaId = wireSchemaId(m.value)
  if (m.timestamp !== undefined && m.timestamp >= 0) record.timestamp = m.timestamp
  if (m.headers && m.headers.length > 0) record.headers = headerPairs(m.headers).map(([k, v]) => ({key: k, value: toPayload(v)}))
  return {record}
}

export function encodeRecord(r: PipeRecord, formats: RecordFormats, keepPartition: boolean): Encoded {
  try {
    const headers: Array<Record<string, Buffer>> = []
    if (r.headers !== undefined && r.headers !== null && (r.headers as unknown[]).length !== 0) {
      if (!Array.isArray(r.headers)) return {error: 'headers must be a list of {key, value}'}
      for (const h of r.headers) {
        if (typeof h?.key !== 'string') return {error: 'each header needs a string key'}
        headers.push({[h.key]: fromPayload(h.value, SERIALIZERS.str!, `header ${h.key}`) as Buffer})
      }
    }
    let partition = -1
    if (keepPartition) {
      if (!Number.isInteger(r.partition) || r.partition! < 0) return {error: 'partition must be a non-negative integer with --keep-partitions'}
      partition = r.partition!
    }
    const timestamp = r.timestamp === undefined || r.timestamp === null ? 0 : r.timestamp
    if (!Number.isInteger(timestamp) || timestamp < 0) return {error: 'timestamp must be epoch milliseconds'}
    const key = fromPayload(r.key, formats.key, 'key', r.keySchemaId)
    return {record: {key, value: fromPayload(r.value, formats.value, 'value', r.valueSchemaId), headers, partition, timestamp}}
  } catch (error) {
    return {error: (error as Error).message}
  }
}
