import {usageError} from '../../errors.js'
import {unescapeBytes} from '../../input/escapes.js'
import {CONSUME_OPS as OP, CONSUME_TIMESTAMP_MODES} from '../../native/contracts.js'
import {bytesOf, type ConsumedRecord} from '../../records/consumed-record.js'
import type {FormatterOptions, RecordFormatter} from '../../records/record-formatter.js'
import {FORMAT_NAMES, serializerFor, wireSchemaId, type Serializer} from '../../records/serializers.js'
import {nativeMode, NativeProgramBuilder} from './native-program.js'
import {SKIP_RECORD} from './skip-record.js'

// The -f compiler: a kcat-style format string, compiled once into a formatter (and, when the
// native loop can express it, into its op-code program). It produces "byte strings": JS strings
// whose characters are bytes 0-255 (latin1), so raw keys and values pass through byte for byte
// and a whole batch becomes one Buffer with Buffer.from(text, 'latin1').

type Part = (record: ConsumedRecord) => string

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
  i: 'key schema id (Schema Registry wire format; -1 if none)',
  I: 'value schema id (-1 if none)',
  '%': 'a literal %',
}

export const FORMAT_TOKENS_HELP = Object.entries(TOKENS)
  .map(([token, meaning]) => `%${token} ${meaning}`)
  .join(', ')

const HINT = `tokens: ${FORMAT_TOKENS_HELP}; modifiers {${FORMAT_NAMES.join('|')}} on %k %s %v %h, {iso|s|ms} on %T; escapes \\n \\r \\t \\0 \\\\ \\xHH`

/** Text -> byte string (its UTF-8 bytes as latin1 characters). ASCII passes unchanged. */
function utf8ToByteString(text: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\u0000-\u007f]*$/.test(text) ? text : Buffer.from(text, 'utf8').toString('latin1')
}

/** Decoded bytes as a byte string; bytes the format cannot read go to onMismatch (hex, or skip the record). */
function decodedText(field: string, bytes: Buffer, format: Serializer | undefined, options: FormatterOptions, r: ConsumedRecord): string {
  // kcat writes the stored bytes as they are; so does kafkit for text (binary safe).
  if (!format || format.name === 'bytes' || format.name === 'str') return bytes.toString('latin1')
  try {
    return utf8ToByteString(format.toText(bytes))
  } catch (error) {
    if ((options.onMismatch?.(field, (error as Error).message, r) ?? 'fallback') === 'skip') throw SKIP_RECORD
    return `0x${bytes.toString('hex')}`
  }
}

function bytesPart(field: 'key' | 'value', pick: (r: ConsumedRecord) => Buffer | null, format: Serializer | undefined, options: FormatterOptions): Part {
  const nullText = utf8ToByteString(options.nullLiteral ?? '')
  return (r) => {
    const bytes = pick(r)
    return bytes === null ? nullText : decodedText(field, bytes, format, options, r)
  }
}

function headersPart(format: Serializer | undefined, options: FormatterOptions): Part {
  const kv = utf8ToByteString(options.headerKeySeparator ?? '=')
  const separator = utf8ToByteString(options.headerSeparator ?? ',')
  const none = utf8ToByteString(options.noHeadersLiteral ?? '')
  const nullText = utf8ToByteString(options.headerNullLiteral ?? options.nullLiteral ?? '')
  return (r) => {
    const headers = r.headers
    if (!headers || headers.length === 0) return none
    let out = ''
    for (let i = 0; i < headers.length; i++) {
      const header = headers[i]!
      for (const key in header) {
        const value = bytesOf(header[key])
        out += (i === 0 ? '' : separator) + utf8ToByteString(key) + kv + (value === null ? nullText : decodedText('header', value, format, options, r))
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
 * Compiles a kcat-style format string once into a formatter. Literal text is UTF-8 (as typed)
 * with the escapes of src/lib/input/escapes.ts; %k and %s write the stored bytes unless a
 * modifier or --key/--value-format asks for a decoding.
 */
export function compileRecordFormat(format: string, options: FormatterOptions = {}): RecordFormatter {
  const parts: Part[] = []
  let needsTimestampType = false
  const native = new NativeProgramBuilder(options)
  // Literal output so far (a byte string), and typed text whose escapes are still to be read.
  let literal = ''
  let typed = ''
  const readTyped = () => {
    if (typed !== '') literal += unescapeBytes(typed, `-f '${format}'`).toString('latin1')
    typed = ''
  }
  const flush = () => {
    readTyped()
    if (literal !== '') {
      const text = literal
      parts.push(() => text)
      native.text(text)
      literal = ''
    }
  }
  const topicText = new Map<string, string>()
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!
    if (c !== '%') {
      typed += c
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
      readTyped()
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
      case 'k':
      case 's':
      case 'v': {
        const isKey = token === 'k'
        const serializer = serializerModifier(modifier, token, format, isKey ? options.keyFormat : options.valueFormat)
        native.op(isKey ? OP.KEY : OP.VALUE, nativeMode(serializer))
        parts.push(isKey ? bytesPart('key', key, serializer, options) : bytesPart('value', value, serializer, options))
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
        native.op(OP.TIMESTAMP, CONSUME_TIMESTAMP_MODES[modifier ?? 'ms'] ?? 0)
        if (modifier === 'type') needsTimestampType = true
        break
      case 'h': {
        const serializer = serializerModifier(modifier, token, format)
        native.op(OP.HEADERS, nativeMode(serializer))
        parts.push(headersPart(serializer, options))
        break
      }
      case 'i':
      case 'I': {
        native.jsOnly()
        const pick = token === 'i' ? key : value
        parts.push((r) => String(wireSchemaId(pick(r)) ?? -1))
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
        if (error === SKIP_RECORD) return undefined
        throw error
      }
      return out
    },
  }
}
