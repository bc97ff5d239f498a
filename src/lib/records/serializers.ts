import {KafkitError} from '../errors.js'
import type {TextOutput} from './text-output.js'

// The serializer registry: one entry per --key-format / --value-format name. Each turns the
// text a user typed into the bytes Kafka stores (encode), and stored bytes back into what
// kafkit shows (decode). Byte for byte what the Java serializers (IntegerSerializer,
// LongSerializer, DoubleSerializer, StringSerializer), confluent-kafka's and QuixStreams'
// int / double / str / json / bytes serializers write: big-endian, UTF-8, no framing.

export class SerializationError extends KafkitError {
  constructor(message: string) {
    super('usage', message)
  }
}

export interface Serializer {
  readonly name: string
  readonly description: string
  /** Text given on the command line or in an input line -> the bytes to send. */
  encode(text: string): Buffer
  /**
   * Stored bytes -> the value to show: a string for the text forms, a number for the numeric
   * ones, any JSON value for json. Throws SerializationError when the bytes do not fit.
   */
  decode(bytes: Buffer): string | number | bigint | unknown
  /** Stored bytes -> one line of text (decode, then as text). */
  toText(bytes: Buffer): string
  /**
   * Schema Registry formats only: writes what toText gives, as UTF-8, into `out` (the consume
   * output's buffer), without making a string; `asPayload`: as jsonl embeds the value instead
   * (records/jsonl.ts toPayload: a top-level NaN, infinity or -0 as its text, in a string).
   * The stored bytes are bytes[start..end] (default: all of them, read in place). Throws as
   * decode does; `out` may then hold part of the text.
   */
  writeText?(bytes: Buffer, out: TextOutput, asPayload?: boolean, start?: number, end?: number): void
  /**
   * Schema Registry formats only (src/lib/registry/record-codecs.ts): fetches the schemas with
   * these ids (once each), so that decode and encodeJson, which are synchronous, can use them.
   */
  prepare?(ids: readonly number[]): Promise<void>
  /**
   * Schema Registry formats only: a JSON value (a jsonl record's key or value) -> the bytes to
   * send, with the schema of `schemaId` (prepared) or the one chosen on the command line.
   */
  encodeJson?(value: unknown, schemaId?: number): Buffer
}

/**
 * The schema ids that items name, for a Schema Registry format's `prepare`: non-negative
 * integers only, and since a batch's records mostly share one id, only changes are kept.
 */
export function schemaIdsOf<T>(items: readonly T[], idOf: (item: T) => unknown): number[] {
  const found: number[] = []
  for (const item of items) {
    const id = idOf(item)
    if (Number.isInteger(id) && (id as number) >= 0 && id !== found[found.length - 1]) found.push(id as number)
  }
  return found
}

/**
 * The schema id of bytes in the Schema Registry wire format (magic byte 0, then the id as 4 bytes
 * big-endian), or undefined when they are not in it.
 */
export function wireSchemaId(bytes: Buffer | null | undefined): number | undefined {
  return bytes && bytes.length >= 5 && bytes[0] === 0 ? bytes.readInt32BE(1) : undefined
}

// fatal: invalid bytes are an error, never replaced; ignoreBOM: a leading BOM is kept as data (the
// default would drop it, and three bytes of the record with it).
const utf8Decoder = new TextDecoder('utf-8', {fatal: true, ignoreBOM: true})

/** Strict UTF-8: invalid sequences are an error, never replaced silently. */
export function decodeUtf8(bytes: Uint8Array): string {
  return utf8Decoder.decode(bytes)
}

function fail(format: string, reason: string): never {
  throw new SerializationError(`not a valid ${format} value: ${reason}`)
}

const INT32_TEXT = /^[+-]?\d+$/

function encodeInteger(text: string, bytes: 4 | 8): Buffer {
  const name = bytes === 4 ? 'int' : 'long'
  const trimmed = text.trim()
  if (!INT32_TEXT.test(trimmed)) fail(name, `'${truncate(text)}' is not an integer`)
  const value = BigInt(trimmed)
  const limit = 1n << BigInt(bytes * 8 - 1)
  if (value < -limit || value >= limit) fail(name, `${trimmed} is outside the ${bytes * 8}-bit signed range`)
  const out = Buffer.allocUnsafe(bytes)
  if (bytes === 4) out.writeInt32BE(Number(value))
  else out.writeBigInt64BE(value)
  return out
}

function expectLength(bytes: Buffer, length: number, format: string): void {
  if (bytes.length !== length) fail(format, `expected ${length} bytes, got ${bytes.length}`)
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}...` : text
}

const str: Serializer = {
  name: 'str',
  description: 'UTF-8 text (StringSerializer); the default',
  encode: (text) => Buffer.from(text, 'utf8'),
  decode: (bytes) => {
    try {
      return decodeUtf8(bytes)
    } catch {
      return fail('str', 'the bytes are not UTF-8 (show them with --value-format base64 or hex)')
    }
  },
  toText: (bytes) => str.decode(bytes) as string,
}

const json: Serializer = {
  name: 'json',
  description: 'JSON text, validated; sent as the UTF-8 JSON text itself',
  encode: (text) => {
    try {
      JSON.parse(text)
    } catch (error) {
      fail('json', (error as Error).message)
    }
    return Buffer.from(text, 'utf8')
  },
  decode: (bytes) => {
    const text = str.decode(bytes) as string
    try {
      return JSON.parse(text)
    } catch (error) {
      return fail('json', (error as Error).message)
    }
  },
  // Shown as stored (already JSON text), after checking it parses.
  toText: (bytes) => {
    json.decode(bytes)
    return bytes.toString('utf8')
  },
}

const int: Serializer = {
  name: 'int',
  description: '32-bit signed integer, 4 bytes big-endian (IntegerSerializer)',
  encode: (text) => encodeInteger(text, 4),
  decode: (bytes) => {
    expectLength(bytes, 4, 'int')
    return bytes.readInt32BE(0)
  },
  toText: (bytes) => String(int.decode(bytes)),
}

const long: Serializer = {
  name: 'long',
  description: '64-bit signed integer, 8 bytes big-endian (LongSerializer)',
  encode: (text) => encodeInteger(text, 8),
  decode: (bytes) => {
    expectLength(bytes, 8, 'long')
    return bytes.readBigInt64BE(0)
  },
  toText: (bytes) => String(long.decode(bytes)),
}

const DOUBLE_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$|^[+-]?(Infinity|inf)$|^NaN$/i

const double: Serializer = {
  name: 'double',
  description: '64-bit IEEE-754 float, 8 bytes big-endian (DoubleSerializer)',
  encode: (text) => {
    const trimmed = text.trim()
    if (!DOUBLE_TEXT.test(trimmed)) fail('double', `'${truncate(text)}' is not a number`)
    const value = /nan/i.test(trimmed) ? Number.NaN : /inf/i.test(trimmed) ? (trimmed.startsWith('-') ? -Infinity : Infinity) : Number(trimmed)
    const out = Buffer.allocUnsafe(8)
    out.writeDoubleBE(value)
    return out
  },
  decode: (bytes) => {
    expectLength(bytes, 8, 'double')
    return bytes.readDoubleBE(0)
  },
  toText: (bytes) => doubleText(double.decode(bytes) as number),
}

/**
 * A double as text. String() would print negative zero as `0`, and a copy made from that text
 * would store +0.0: it is written `-0.0`, as Java's DoubleDeserializer prints it.
 */
function doubleText(value: number): string {
  return Object.is(value, -0) ? '-0.0' : String(value)
}

const bytes: Serializer = {
  name: 'bytes',
  description: 'raw bytes, unchanged (input lines are taken byte for byte; output is written raw)',
  // Raw input lines arrive as Buffers in produce; from text (e.g. --key) the UTF-8 bytes are meant.
  encode: (text) => Buffer.from(text, 'utf8'),
  decode: (b) => b,
  toText: (b) => b.toString('latin1'),
}

const BASE64_TEXT = /^[A-Za-z0-9+/]*={0,2}$/
const BASE64URL_TEXT = /^[A-Za-z0-9_-]*={0,2}$/

const base64: Serializer = {
  name: 'base64',
  description: 'bytes, written and shown as base64 (standard or URL-safe alphabet accepted)',
  encode: (text) => {
    const trimmed = text.trim()
    if (trimmed.length % 4 === 1 || !(BASE64_TEXT.test(trimmed) || BASE64URL_TEXT.test(trimmed))) fail('base64', `'${truncate(text)}' is not base64`)
    return Buffer.from(trimmed, BASE64_TEXT.test(trimmed) ? 'base64' : 'base64url')
  },
  decode: (b) => b.toString('base64'),
  toText: (b) => b.toString('base64'),
}

const hex: Serializer = {
  name: 'hex',
  description: 'bytes, written and shown as hexadecimal (spaces and a 0x prefix are accepted on input)',
  encode: (text) => {
    const compact = text.trim().replace(/^0x/i, '').replaceAll(/\s+/g, '')
    if (!/^([0-9a-fA-F]{2})*$/.test(compact)) fail('hex', `'${truncate(text)}' is not an even number of hex digits`)
    return Buffer.from(compact, 'hex')
  },
  decode: (b) => b.toString('hex'),
  toText: (b) => b.toString('hex'),
}

export const SERIALIZERS: Readonly<Record<string, Serializer>> = {str, json, int, long, double, bytes, base64, hex}

/** Accepted aliases, so people can type what other tools call these. */
const ALIASES: Record<string, string> = {string: 'str', text: 'str', utf8: 'str', integer: 'int', int32: 'int', int64: 'long', float64: 'double', raw: 'bytes', binary: 'bytes'}

export const FORMAT_NAMES = Object.keys(SERIALIZERS)

export function serializerFor(name: string, flag = '--value-format'): Serializer {
  const key = ALIASES[name] ?? name
  const serializer = SERIALIZERS[key]
  if (!serializer) throw new KafkitError('usage', `unknown ${flag} '${name}'`, {hint: `choose one of: ${FORMAT_NAMES.join(', ')}`})
  return serializer
}
