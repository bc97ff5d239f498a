import {bytesOf, headerPairs} from '../../records/consumed-record.js'
import type {FormatterOptions, MismatchAction, RecordFormatter} from '../../records/record-formatter.js'
import {SERIALIZERS, type Serializer} from '../../records/serializers.js'
import {SKIP_RECORD} from './skip-record.js'

// consume's readable view on a terminal: a dim `partition:offset time` prefix (and the topic
// when several are read), the key in colour, the value, and headers dimmed.

export interface TerminalStyle {
  dim(text: string): string
  cyan(text: string): string
  yellow(text: string): string
}

const CONTROL_ESCAPES: Record<string, string> = {'\t': '\\t', '\n': '\\n', '\r': '\\r'}

/** Bytes as readable text for the terminal view: decoded, or a marked hex dump when they do not fit. */
function readable(bytes: Buffer | null, format: Serializer | undefined, style: TerminalStyle, onMismatch: () => MismatchAction): string {
  if (bytes === null) return style.dim('(null)')
  const serializer = !format || format.name === 'bytes' ? SERIALIZERS.str! : format
  try {
    const text = serializer.toText(bytes)
    // Empty is shown, so an empty value (or key) cannot be mistaken for a missing one.
    if (text.length === 0) return style.dim('""')
    // Control characters would move the cursor or change colours, and a newline would look like
    // the start of another record: show them escaped.
    // eslint-disable-next-line no-control-regex
    return text.replaceAll(/[\u0000-\u001f\u007f]/g, (c) => CONTROL_ESCAPES[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
  } catch {
    if (onMismatch() === 'skip') throw SKIP_RECORD
    return style.yellow(`0x${bytes.toString('hex')}`)
  }
}

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
        if (error === SKIP_RECORD) return undefined
        throw error
      }
    },
  }
}
