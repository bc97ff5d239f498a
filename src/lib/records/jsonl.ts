import {KafkitError} from '../errors.js'
import {decodeUtf8, SERIALIZERS, wireSchemaId, type Serializer} from './serializers.js'
import {TextOutput} from './text-output.js'

// kafkit's JSON Lines record format, written by `consume --output jsonl` and read by
// `produce --input jsonl` (docs/formats.md defines it). One record per line:
//
//   {"topic":"t","partition":0,"offset":42,"timestamp":1700000000000,
//    "timestampIso":"2023-11-14T22:13:20.000Z","timestampType":"create",
//    "key":"k","value":"text","headers":[{"key":"h","value":"v"}]}
//
// key, value and each header value is null, a UTF-8 string, or {"base64": "..."} for bytes
// that are not UTF-8. With --key-format / --value-format other than str, the decoded value is
// embedded instead (a JSON document for json, a number for int/long/double). With a Schema
// Registry format (avro, protobuf, json-schema, registry) the decoded value is embedded and the
// record carries keySchemaId / valueSchemaId, which produce --input jsonl encodes with again.

export type Payload = string | number | boolean | null | {base64: string} | unknown[] | Record<string, unknown>

export interface JsonlHeader {
  key: string
  value: Payload
}

export type TimestampType = 'create' | 'log-append' | 'none'

export interface JsonlRecord {
  topic?: string
  partition?: number
  offset?: number
  timestamp?: number
  timestampIso?: string
  timestampType?: TimestampType
  key: Payload
  value: Payload
  /** The schema id of a key or value decoded from the Schema Registry wire format. */
  keySchemaId?: number
  valueSchemaId?: number
  headers: JsonlHeader[]
}

/** A record as bytes: what is produced, and what was consumed. */
export interface RawRecord {
  key: Buffer | null
  value: Buffer | null
  headers: Array<[string, Buffer | null]>
  partition?: number
  timestamp?: number
}

// The base64 test comes first: most payloads are not, and Object.keys allocates.
export const isBase64Payload = (v: unknown): v is {base64: string} =>
  typeof (v as {base64?: unknown} | null)?.base64 === 'string' && typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 1

/**
 * Bytes -> the JSON payload. With `str` (the default) the result is lossless: a string when the
 * bytes are UTF-8, else the base64 form. Other formats embed the decoded value; bytes that do
 * not fit the format fall back to the base64 form and `onMismatch` is told why.
 */
export function toPayload(bytes: Buffer | null, format: Serializer = SERIALIZERS.str!, onMismatch?: (reason: string) => void): Payload {
  if (bytes === null) return null
  if (format.name === 'str' || format.name === 'bytes') {
    try {
      return decodeUtf8(bytes)
    } catch {
      return {base64: bytes.toString('base64')}
    }
  }
  try {
    const decoded = format.decode(bytes)
    if (typeof decoded === 'bigint') return Number.isSafeInteger(Number(decoded)) ? Number(decoded) : decoded.toString()
    // JSON has no NaN or infinities, and JSON.stringify(-0) is `0`: those are written as the format's text.
    if (typeof decoded === 'number' && (!Number.isFinite(decoded) || Object.is(decoded, -0))) return format.toText(bytes)
    return decoded as Payload
  } catch (error) {
    onMismatch?.((error as Error).message)
    return {base64: bytes.toString('base64')}
  }
}

/** The JSON payload -> bytes to produce, read with the same format rules as toPayload. */
export function fromPayload(payload: unknown, format: Serializer, field: string, schemaId?: unknown): Buffer | null {
  if (payload === null || payload === undefined) return null
  if (isBase64Payload(payload)) return Buffer.from(payload.base64, 'base64')
  if (format.encodeJson) {
    if (schemaId !== undefined && schemaId !== null && !(Number.isInteger(schemaId) && (schemaId as number) >= 0)) throw new KafkitError('usage', `${field}SchemaId must be a schema id (a non-negative integer)`)
    try {
      return format.encodeJson(payload, (schemaId ?? undefined) as number | undefined)
    } catch (error) {
      throw new KafkitError('usage', `${field}: ${(error as Error).message}`)
    }
  }
  if (format.name === 'json') return Buffer.from(JSON.stringify(payload), 'utf8')
  if (typeof payload === 'string') return format.encode(payload)
  // String(-0) is '0': a hand-written `-0` must still store negative zero.
  if (typeof payload === 'number' && Object.is(payload, -0)) return format.encode('-0')
  if (typeof payload === 'number' || typeof payload === 'boolean') return format.encode(String(payload))
  throw new KafkitError('usage', `${field} is a JSON ${Array.isArray(payload) ? 'array' : 'object'}`, {
    hint: 'use --value-format json (or --key-format json) to send it as JSON text, or {"base64": "..."} for bytes',
  })
}

export interface RecordFormats {
  key: Serializer
  value: Serializer
}

/** Reads one jsonl input line into a record to produce. `lineNumber` goes into errors. */
export function parseJsonlRecord(line: string, lineNumber: number, formats: RecordFormats): RawRecord {
  let doc: unknown
  try {
    doc = JSON.parse(line)
  } catch (error) {
    throw new KafkitError('usage', `line ${lineNumber}: not JSON: ${(error as Error).message}`)
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new KafkitError('usage', `line ${lineNumber}: a record must be a JSON object with key, value and headers`)
  }
  const record = doc as Record<string, unknown>
  try {
    const headers: Array<[string, Buffer | null]> = []
    if (record.headers !== undefined && record.headers !== null) {
      if (!Array.isArray(record.headers)) throw new KafkitError('usage', 'headers must be a list of {"key", "value"} objects')
      for (const header of record.headers) {
        const h = header as {key?: unknown; value?: unknown}
        if (typeof h !== 'object' || h === null || typeof h.key !== 'string') throw new KafkitError('usage', 'each header needs a string "key"')
        headers.push([h.key, fromPayload(h.value, SERIALIZERS.str!, `header ${h.key}`)])
      }
    }
    const out: RawRecord = {
      key: fromPayload(record.key, formats.key, 'key', record.keySchemaId),
      value: fromPayload(record.value, formats.value, 'value', record.valueSchemaId),
      headers,
    }
    if (record.partition !== undefined && record.partition !== null) {
      if (!Number.isInteger(record.partition) || (record.partition as number) < 0) throw new KafkitError('usage', 'partition must be a non-negative integer')
      out.partition = record.partition as number
    }
    if (record.timestamp !== undefined && record.timestamp !== null) {
      if (!Number.isInteger(record.timestamp) || (record.timestamp as number) < 0) throw new KafkitError('usage', 'timestamp must be epoch milliseconds')
      out.timestamp = record.timestamp as number
    }
    return out
  } catch (error) {
    if (error instanceof KafkitError) throw new KafkitError(error.kind, `line ${lineNumber}: ${error.message}`, {hint: error.hint})
    throw error
  }
}

export interface ConsumedMeta {
  topic: string
  partition: number
  offset: number
  timestamp?: number
  timestampType?: TimestampType
}

// The last timestamp's JSON, and the last topic's line start: records of a batch mostly share them.
let lastTimestamp = Number.NaN
let lastTimestampJson = Buffer.alloc(0)
let lastTimestampType = ''
let lastTopic = ''
let lastTopicJson = Buffer.from('{"topic":"","partition":')
// Which field a mismatch is about, without a closure per record (formatting is synchronous).
let mismatchReport: ((reason: string, field: 'key' | 'value') => void) | undefined
let mismatchField: 'key' | 'value' = 'key'
let mismatchSeen = false
const reportMismatch = (reason: string) => {
  mismatchSeen = true
  mismatchReport?.(reason, mismatchField)
}

/** A key or value as its JSON payload, written into `out` (what JSON.stringify(toPayload(...)) gives). */
function writePayload(bytes: Buffer | null, format: Serializer, out: TextOutput): void {
  if (bytes === null) {
    out.ascii('null')
    return
  }
  if (format.writeText) {
    // Registry formats write their decoded value straight into the output.
    const start = out.length
    try {
      format.writeText(bytes, out, true)
      return
    } catch (error) {
      out.length = start
      reportMismatch((error as Error).message)
      out.text(JSON.stringify({base64: bytes.toString('base64')}))
      return
    }
  }
  const payload = toPayload(bytes, format, reportMismatch)
  if (typeof payload === 'string') out.string(payload)
  else out.text(JSON.stringify(payload))
}

/**
 * One consumed record as a jsonl line (without the newline), written into `out`. Built field by
 * field, in the order of the JsonlRecord type (what JSON.stringify of that object gives, at a
 * fraction of the cost per record).
 */
export function writeJsonlRecord(meta: ConsumedMeta, record: RawRecord, formats: RecordFormats, out: TextOutput, onMismatch?: (reason: string, field: 'key' | 'value') => void): void {
  mismatchReport = onMismatch
  // Written piece by piece: the pieces are ASCII (topic names are), the numbers digits.
  if (meta.topic !== lastTopic) {
    lastTopic = meta.topic
    lastTopicJson = Buffer.from(`{"topic":${JSON.stringify(meta.topic)},"partition":`, 'utf8')
  }
  out.bytes(lastTopicJson)
  out.number(meta.partition)
  out.ascii(',"offset":')
  out.number(meta.offset)
  const timestamp = meta.timestamp
  if (timestamp !== undefined && timestamp >= 0) {
    const type = meta.timestampType ?? 'create'
    if (timestamp !== lastTimestamp || type !== lastTimestampType) {
      lastTimestamp = timestamp
      lastTimestampType = type
      lastTimestampJson = Buffer.from(`,"timestamp":${timestamp},"timestampIso":"${new Date(timestamp).toISOString()}","timestampType":"${type}","key":`)
    }
    out.bytes(lastTimestampJson)
  } else {
    out.ascii(',"key":')
  }
  mismatchField = 'key'
  mismatchSeen = false
  writePayload(record.key, formats.key, out)
  // A schema id only for what was decoded with it: bytes shown raw carry their own header.
  const keySchemaId = formats.key.prepare && !mismatchSeen ? wireSchemaId(record.key) : undefined
  out.ascii(',"value":')
  mismatchField = 'value'
  mismatchSeen = false
  writePayload(record.value, formats.value, out)
  const valueSchemaId = formats.value.prepare && !mismatchSeen ? wireSchemaId(record.value) : undefined
  mismatchReport = undefined
  if (keySchemaId !== undefined) {
    out.ascii(',"keySchemaId":')
    out.number(keySchemaId)
  }
  if (valueSchemaId !== undefined) {
    out.ascii(',"valueSchemaId":')
    out.number(valueSchemaId)
  }
  if (record.headers.length === 0) out.ascii(',"headers":[]}')
  else out.text(`,"headers":${JSON.stringify(record.headers.map(([name, bytes]) => ({key: name, value: toPayload(bytes)})))}}`)
}

const scratch = new TextOutput(64 * 1024)

/** One consumed record as a jsonl line (without the newline): writeJsonlRecord's text. */
export function formatJsonlRecord(meta: ConsumedMeta, record: RawRecord, formats: RecordFormats, onMismatch?: (reason: string, field: 'key' | 'value') => void): string {
  scratch.reset()
  writeJsonlRecord(meta, record, formats, scratch, onMismatch)
  return scratch.buffer.toString('utf8', 0, scratch.length)
}
