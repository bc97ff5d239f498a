import type {ConsumedRecord} from '../../records/consumed-record.js'
import type {FormatterOptions, RecordFormatter} from '../../records/record-formatter.js'

// consume's default piped output for the formats only JavaScript decodes (the Schema Registry
// formats): the decoded value per line, as -f '%s\n' prints it, but made as UTF-8 text rather
// than a byte string (which would cost a scan and a re-encoding of every line).

export function valueLineFormatter(options: FormatterOptions): RecordFormatter {
  const format = options.valueFormat!
  const nullLine = `${options.nullLiteral ?? ''}\n`
  /** Bytes that do not decode: onMismatch says whether to print them as hex or skip the record. */
  const mismatch = (record: ConsumedRecord, bytes: Buffer, error: unknown): string | undefined =>
    (options.onMismatch?.('value', (error as Error).message, record) ?? 'fallback') === 'skip' ? undefined : `0x${bytes.toString('hex')}\n`
  return {
    encoding: 'utf8',
    format(record) {
      const bytes = record.value
      if (bytes === null) return nullLine
      try {
        return `${format.toText(bytes)}\n`
      } catch (error) {
        return mismatch(record, bytes, error)
      }
    },
    writeValueAt(data, start, end, out, record) {
      if (start < 0) {
        out.text(nullLine)
        return true
      }
      const at = out.length
      try {
        if (format.writeText) format.writeText(data, out, false, start, end)
        else out.text(format.toText(data.subarray(start, end)))
        out.byte(NEWLINE)
        return true
      } catch (error) {
        // What was written of this record goes.
        out.length = at
        const text = mismatch(record(), data.subarray(start, end), error)
        if (text === undefined) return false
        out.ascii(text)
        return true
      }
    },
    writeTo(record, out) {
      const bytes = record.value
      if (bytes === null) {
        out.text(nullLine)
        return true
      }
      const start = out.length
      try {
        if (format.writeText) format.writeText(bytes, out)
        else out.text(format.toText(bytes))
        out.byte(NEWLINE)
        return true
      } catch (error) {
        // What was written of this record goes.
        out.length = start
        const text = mismatch(record, bytes, error)
        if (text === undefined) return false
        out.ascii(text)
        return true
      }
    },
  }
}

const NEWLINE = 10
