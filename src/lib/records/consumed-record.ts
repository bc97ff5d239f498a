import type {TimestampType} from './jsonl.js'

// The record as the consume loop hands it to filters and formatters: the Kafka client's shape.

/** A consumed record, in the shape the Kafka client delivers it. */
export interface ConsumedRecord {
  topic: string
  partition: number
  offset: number
  timestamp?: number
  /** Known only when the caller looked it up (the client does not report it). */
  timestampType?: TimestampType
  key?: Buffer | string | null
  value: Buffer | null
  /** One single-key object per header, in order (duplicates allowed). */
  headers?: Array<Record<string, Buffer | string | null>>
}

/** A key or header value as bytes (the client hands some over as strings). */
export function bytesOf(value: Buffer | string | null | undefined): Buffer | null {
  if (value === null || value === undefined) return null
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value
}

/** Headers as ordered [name, bytes] pairs, the shape the jsonl format takes. */
export function headerPairs(headers: ConsumedRecord['headers']): Array<[string, Buffer | null]> {
  const out: Array<[string, Buffer | null]> = []
  if (!headers) return out
  for (const header of headers) for (const k in header) out.push([k, bytesOf(header[k])])
  return out
}
