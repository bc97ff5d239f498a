import {usageError} from '../errors.js'
import {CONSUME_OPS, CONSUME_TIMESTAMP_MODES} from '../native/contracts.js'
import {formatJsonlRecord, type RecordFormats, type TimestampType} from '../records/jsonl.js'
import {FORMAT_NAMES, SERIALIZERS, serializerFor, type Serializer} from '../records/serializers.js'

// How consumed records become output bytes. Three formatters, each compiled once per run:
//   - a -f format string with kcat's tokens (compileRecordFormat),
//   - the jsonl record format of docs/formats.md (jsonlFormatter),
//   - the readable terminal view (terminalFormatter).
// Format strings produce "byte strings": JS strings whose characters are bytes 0-255 (latin1),
// so raw keys and values pass through byte for byte and a whole batch becomes one Buffer with
// Buffer.from(text, 'latin1'). The others produce ordinary text, written as UTF-8.

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

export type MismatchAction = 'fallback' | 'skip'

export interface FormatterOptions {
  /** Deserializers for key and value (default: raw bytes). */
  keyFormat?: Serializer
  valueFormat?: Serializer
  /** Printed for a null key or value (kcat prints nothing; Apache prints "null"). */
  nullLiteral?: string
  /** Between a header's key and value in %h (kcat "=", Apache ":"). */
  headerKeySeparator?: string
  /** Between headers in %h. */
  headerSeparator?: string
  /** Printed by %h when a record has no headers (Apache: NO_HEADERS). */
  noHeadersLiteral?: string
  /** Printed for a null header value (kcat: NULL); defaults to nullLiteral. */
  headerNullLiteral?: string
  /**
   * Bytes that do not fit the chosen format: called with what and why; returns whether to print
   * a fallback (hex) or skip the record. May throw to stop.
   */
  onMismatch?: (field: string, reason: string, record: ConsumedRecord) => MismatchAction
}

export interface RecordFormatter {
  /** How the strings it returns become bytes. */
  readonly encoding: 'latin1' | 'utf8'
  /** The output for one record, or undefined to skip it. */
  format(record: ConsumedRecord): string | undefined
  /** The same format for the native consume loop, when it can express it (see native/src/kafkit_consume.c). */
  readonly nativeProgram?: NativeFormatProgram
  /** The format prints the timestamp type (%T{type}): records must carry it. */
  readonly needsTimestampType?: boolean
}

/** Ops and literal bytes for native/src/kafkit_consume.c (the op codes: CONSUME_OPS in consume-native.ts). */
export interface NativeFormatProgram {
  ops: Int32Array
  literals: Buffer
}

const OP = CONSUME_OPS
const TIMESTAMP_MODES = CONSUME_TIMESTAMP_MODES

/** Byte mode of a field in the native loop: raw, base64, hex; undefined when only JS can decode it. */
function nativeMode(format: Serializer | undefined): number | undefined {
  if (!format || format.name === 'str' || format.name === 'bytes') return 0
  if (format.name === 'base64') return 1
  if (format.name === 'hex') return 2
  return undefined
}

/** Collects the native program while a format string is compiled; gives up on anything it cannot express. */
class NativeProgramBuilder {
  private ops: number[] = []
  private chunks: Buffer[] = []
  private size = 0
  private possible = true

  constructor(options: FormatterOptions) {
    // The literal slots the C loop reads first (native/src/kafkit_consume.c, LITERAL_SLOTS).
    const slots = [
      options.nullLiteral ?? '',
      options.headerKeySeparator ?? '=',
      options.headerSeparator ?? ',',
      options.noHeadersLiteral ?? '',
      options.headerNullLiteral ?? options.nullLiteral ?? '',
    ]
    for (const text of slots) {
      this.ops.push(...this.literal(Buffer.from(text, 'utf8')))
    }
  }

  private literal(bytes: Buffer): [number, number] {
    const at = this.size
    this.chunks.push(bytes)
    this.size += bytes.length
    return [at, bytes.length]
  }

  text(byteString: string): void {
    this.ops.push(OP.LIT, ...this.literal(Buffer.from(byteString, 'latin1')))
  }

  /** An op; a mode of undefined (a decoder only JS has) makes the program impossible. */
  op(code: number, mode: number | undefined): void {
    if (mode === undefined) this.possible = false
    this.ops.push(code, mode ?? 0, 0)
  }

  build(): NativeFormatProgram | undefined {
    return this.possible ? {ops: Int32Array.from(this.ops), literals: Buffer.concat(this.chunks)} : undefined
  }
}

type Part = (record: ConsumedRecord) => string

/** Thrown inside a part to drop the record (--on-error skip). */
class SkipRecord extends Error {}
const SKIP = new SkipRecord()

const TOKENS: Record<string, string> = {
  t: 'topic',
  p: 'partition',
  o: 'offset',
  k: 'key',
  s: 'value',
  v: 'value (same as %s)',
  K: 'key length in bytes (-1 for null)',
  S: 'value length in bytes (-1 for null)',
  T: 'timestamp in ms ({iso}, {s} for others)',
  h: 'headers k=v,k=v',
  R: 'value length as 4 bytes big-endian',
  '%': 'a literal %',
}

export const FORMAT_TOKENS_HELP = Object.entries(TOKENS)
  .map(([token, meaning]) => `%${token} ${meaning}`)
  .join(', ')

const HINT = `tokens: ${FORMAT_TOKENS_HELP}; modifiers {${FORMAT_NAMES.join('|')}} on %k %s %v %h, {iso|s|ms} on %T; escapes \\n \\r \\t \\0 \\\\ \\xNN`

/** Text -> byte string (its UTF-8 bytes as latin1 characters). ASCII passes unchanged. */
export function utf8ToByteString(text: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\u0000-\u007f]*$/.test(text) ? text : Buffer.from(text, 'utf8').toString('latin1')
}

function bytesOf(value: Buffer | string | null | undefined): Buffer | null {
  if (value === null || value === undefined) return null
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value
}

/** Unescapes \n \r \t \0 \\ \xNN in literal text; unknown escapes stay as typed. */
function unescape(text: string, whole: string): string {
  return text.replaceAll(/\\(x[0-9a-fA-F]{0,2}|.)/g, (match, code: string) => {
    if (code.startsWith('x')) {
      if (code.length !== 3) throw usageError(`invalid format '${whole}': \\x needs two hex digits`, HINT)
      return String.fromCharCode(Number.parseInt(code.slice(1), 16))
    }
    switch (code) {
      case 'n':
        return '\n'
      case 'r':
        return '\r'
      case 't':
        return '\t'
      case '0':
        return '\0'
      case '\\':
        return '\\'
      default:
        return match
    }
  })
}

/** Decodes bytes with a serializer into a byte string; raw formats pass the bytes through. */
function bytesPart(field: 'key' | 'value', pick: (r: ConsumedRecord) => Buffer | null, format: Serializer | undefined, options: FormatterOptions): Part {
  const nullText = utf8ToByteString(options.nullLiteral ?? '')
  if (!format || format.name === 'bytes' || format.name === 'str') {
    // kcat writes the stored bytes as they are; so does kafkit for text (binary safe).
    return (r) => {
      const bytes = pick(r)
      return bytes === null ? nullText : bytes.toString('latin1')
    }
  }
  return (r) => {
    const bytes = pick(r)
    if (bytes === null) return nullText
    try {
      return utf8ToByteString(format.toText(bytes))
    } catch (error) {
      const action = options.onMismatch?.(field, (error as Error).message, r) ?? 'fallback'
      if (action === 'skip') throw SKIP
      return `0x${bytes.toString('hex')}`
    }
  }
}

function headersPart(format: Serializer | undefined, options: FormatterOptions): Part {
  const kv = utf8ToByteString(options.headerKeySeparator ?? '=')
  const separator = utf8ToByteString(options.headerSeparator ?? ',')
  const none = utf8ToByteString(options.noHeadersLiteral ?? '')
  const nullText = utf8ToByteString(options.headerNullLiteral ?? options.nullLiteral ?? '')
  const valueText = (value: Buffer | null, r: ConsumedRecord) => {
    if (value === null) return nullText
    if (!format || format.name === 'bytes' || format.name === 'str') return value.toString('latin1')
    try {
      return utf8ToByteString(format.toText(value))
    } catch (error) {
      if ((options.onMismatch?.('header', (error as Error).message, r) ?? 'fallback') === 'skip') throw SKIP
      return `0x${value.toString('hex')}`
    }
  }
  return (r) => {
    const headers = r.headers
    if (!headers || headers.length === 0) return none
    let out = ''
    for (let i = 0; i < headers.length; i++) {
      const header = headers[i]!
      for (const key in header) {
        out += (i === 0 ? '' : separator) + utf8ToByteString(key) + kv + valueText(bytesOf(header[key]), r)
      }
    }
    return out
  }
}

function timestampPart(modifier: string | undefined, whole: string): Part {
  switch (modifier) {
    case undefined:
    case 'ms':
      return (r) => String(r.timestamp ?? -1)
    case 's':
    case 'unix':
      return (r) => (r.timestamp === undefined || r.timestamp < 0 ? '-1' : String(Math.floor(r.timestamp / 1000)))
    case 'iso':
      return (r) => (r.timestamp === undefined || r.timestamp < 0 ? '' : new Date(r.timestamp).toISOString())
    case 'type':
      // The Apache console consumer's print.timestamp: CreateTime:MS, LogAppendTime:MS or NO_TIMESTAMP.
      return (r) =>
        r.timestamp === undefined || r.timestamp < 0 || r.timestampType === 'none'
          ? 'NO_TIMESTAMP'
          : `${r.timestampType === 'log-append' ? 'LogAppendTime' : 'CreateTime'}:${r.timestamp}`
    default:
      throw usageError(`invalid format '${whole}': %T{${modifier}} is not a timestamp form`, 'use %T (ms), %T{iso}, %T{s} or %T{type}')
  }
}

function serializerModifier(modifier: string | undefined, token: string, whole: string, fallback?: Serializer): Serializer | undefined {
  if (modifier === undefined) return fallback
  try {
    return serializerFor(modifier, `format %${token}`)
  } catch {
    throw usageError(`invalid format '${whole}': %${token}{${modifier}} is not a format`, `modifiers: ${FORMAT_NAMES.join(', ')}`)
  }
}

const key = (r: ConsumedRecord) => bytesOf(r.key)
const value = (r: ConsumedRecord) => r.value

function lengthBytes(n: number): string {
  return String.fromCharCode((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff)
}

/**
 * Compiles a kcat-style format string once into a formatter. Literal text is UTF-8 (as typed);
 * %k and %s write the stored bytes unless a modifier or --key/--value-format asks for a decoding.
 */
export function compileRecordFormat(format: string, options: FormatterOptions = {}): RecordFormatter {
  const parts: Part[] = []
  let needsTimestampType = false
  const native = new NativeProgramBuilder(options)
  let literal = ''
  const flush = () => {
    if (literal !== '') {
      const text = utf8ToByteString(unescape(literal, format))
      parts.push(() => text)
      native.text(text)
      literal = ''
    }
  }
  const topicText = new Map<string, string>()
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!
    if (c !== '%') {
      literal += c
      continue
    }
    const token = format[i + 1]
    if (token === undefined) throw usageError(`invalid format '${format}': it ends with a lone %`, HINT)
    i++
    let modifier: string | undefined
    if (format[i + 1] === '{') {
      const close = format.indexOf('}', i + 2)
      if (close === -1) throw usageError(`invalid format '${format}': unclosed {`, HINT)
      modifier = format.slice(i + 2, close)
      i = close
    }
    if (token === '%') {
      literal += '%'
      continue
    }
    flush()
    switch (token) {
      case 't':
        native.op(OP.TOPIC, 0)
        parts.push((r) => {
          let text = topicText.get(r.topic)
          if (text === undefined) topicText.set(r.topic, (text = utf8ToByteString(r.topic)))
          return text
        })
        break
      case 'p':
        native.op(OP.PARTITION, 0)
        parts.push((r) => String(r.partition))
        break
      case 'o':
        native.op(OP.OFFSET, 0)
        parts.push((r) => String(r.offset))
        break
      case 'k': {
        const serializer = serializerModifier(modifier, token, format, options.keyFormat)
        native.op(OP.KEY, nativeMode(serializer))
        parts.push(bytesPart('key', key, serializer, options))
        break
      }
      case 's':
      case 'v': {
        const serializer = serializerModifier(modifier, token, format, options.valueFormat)
        native.op(OP.VALUE, nativeMode(serializer))
        parts.push(bytesPart('value', value, serializer, options))
        break
      }
      case 'K':
        native.op(OP.KEY_LEN, 0)
        parts.push((r) => String(bytesOf(r.key)?.length ?? -1))
        break
      case 'S':
        native.op(OP.VALUE_LEN, 0)
        parts.push((r) => String(r.value?.length ?? -1))
        break
      case 'T':
        parts.push(timestampPart(modifier, format))
        native.op(OP.TIMESTAMP, TIMESTAMP_MODES[modifier ?? 'ms'] ?? 0)
        if (modifier === 'type') needsTimestampType = true
        break
      case 'h': {
        const serializer = serializerModifier(modifier, token, format)
        native.op(OP.HEADERS, nativeMode(serializer))
        parts.push(headersPart(serializer, options))
        break
      }
      case 'R':
        native.op(OP.VALUE_LEN_BE32, 0)
        parts.push((r) => lengthBytes(r.value?.length ?? 0))
        break
      default:
        throw usageError(`invalid format '${format}': unknown token %${token}`, HINT)
    }
  }
  flush()
  const count = parts.length
  return {
    encoding: 'latin1',
    nativeProgram: native.build(),
    needsTimestampType,
    format(record) {
      let out = ''
      try {
        for (let i = 0; i < count; i++) out += parts[i]!(record)
      } catch (error) {
        if (error === SKIP) return undefined
        throw error
      }
      return out
    },
  }
}

/** Headers in the shape the jsonl format takes. */
export function headerPairs(headers: ConsumedRecord['headers']): Array<[string, Buffer | null]> {
  const out: Array<[string, Buffer | null]> = []
  if (!headers) return out
  for (const header of headers) for (const k in header) out.push([k, bytesOf(header[k])])
  return out
}

/** One jsonl line per record (docs/formats.md), through the shared formatJsonlRecord. */
export function jsonlFormatter(formats: Partial<RecordFormats>, options: Pick<FormatterOptions, 'onMismatch'> = {}): RecordFormatter {
  const resolved: RecordFormats = {key: formats.key ?? SERIALIZERS.str!, value: formats.value ?? SERIALIZERS.str!}
  // The lossless default (str keys and values) is also written by the native loop, which alone
  // sees null header values (the client library hands them over as empty buffers).
  const lossless = [resolved.key, resolved.value].every((f) => f.name === 'str' || f.name === 'bytes')
  let nativeProgram: NativeFormatProgram | undefined
  if (lossless) {
    const program = new NativeProgramBuilder({})
    program.op(OP.JSONL, 0)
    nativeProgram = program.build()
  }
  return {
    encoding: 'utf8',
    nativeProgram,
    format(record) {
      let skip = false
      const line = formatJsonlRecord(
        {topic: record.topic, partition: record.partition, offset: record.offset, timestamp: record.timestamp, timestampType: record.timestampType},
        {key: bytesOf(record.key), value: record.value, headers: headerPairs(record.headers)},
        resolved,
        (reason) => {
          if ((options.onMismatch?.('value', reason, record) ?? 'fallback') === 'skip') skip = true
        },
      )
      return skip ? undefined : line + '\n'
    },
  }
}

export interface TerminalStyle {
  dim(text: string): string
  cyan(text: string): string
  yellow(text: string): string
}

/** Bytes as readable text for the terminal view: decoded, or a marked hex dump when they do not fit. */
function readable(bytes: Buffer | null, format: Serializer | undefined, style: TerminalStyle, onMismatch: () => MismatchAction): string {
  if (bytes === null) return style.dim('(null)')
  const serializer = !format || format.name === 'bytes' ? SERIALIZERS.str! : format
  try {
    // Control characters would move the cursor or change colours: show them escaped.
    // eslint-disable-next-line no-control-regex
    return serializer.toText(bytes).replaceAll(/[\u0000-\u0008\u000b-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
  } catch {
    if (onMismatch() === 'skip') throw SKIP
    return style.yellow(`0x${bytes.toString('hex')}`)
  }
}

/**
 * The readable view on a terminal: a dim `partition:offset time` prefix (and the topic when
 * several are read), the key in colour, the value, and headers dimmed.
 */
export function terminalFormatter(style: TerminalStyle, options: FormatterOptions & {showTopic?: boolean} = {}): RecordFormatter {
  return {
    encoding: 'utf8',
    format(record) {
      const mismatch = (field: string) => () => options.onMismatch?.(field, `not valid ${field === 'key' ? (options.keyFormat?.name ?? 'str') : (options.valueFormat?.name ?? 'str')}`, record) ?? 'fallback'
      try {
        const time = record.timestamp === undefined || record.timestamp < 0 ? '' : ` ${new Date(record.timestamp).toISOString()}`
        const where = `${options.showTopic ? `${record.topic} ` : ''}${record.partition}:${record.offset}${time}`
        const keyBytes = bytesOf(record.key)
        const keyText = keyBytes === null ? '' : `${style.cyan(readable(keyBytes, options.keyFormat, style, mismatch('key')))} `
        const pairs = headerPairs(record.headers)
        const headers = pairs.length === 0 ? '' : ` ${style.dim(pairs.map(([k, v]) => `${k}=${v === null ? '(null)' : readable(v, undefined, style, () => 'fallback')}`).join(' '))}`
        return `${style.dim(where)} ${keyText}${readable(record.value, options.valueFormat, style, mismatch('value'))}${headers}\n`
      } catch (error) {
        if (error === SKIP) return undefined
        throw error
      }
    },
  }
}
