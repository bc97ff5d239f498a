import {CONSUME_OPS} from '../../native/contracts.js'
import {bytesOf, headerPairs, type ConsumedRecord} from '../../records/consumed-record.js'
import {formatJsonlRecord, writeJsonlRecord, type JsonlRecord, type RecordFormats} from '../../records/jsonl.js'
import type {FormatterOptions, NativeFormatProgram, RecordFormatter} from '../../records/record-formatter.js'
import {SERIALIZERS} from '../../records/serializers.js'
import {NativeProgramBuilder} from './native-program.js'

// consume --output jsonl: one line per record in the format of docs/formats.md (through the
// shared formatJsonlRecord), and the same records as objects for --json.

function resolve(formats: Partial<RecordFormats>): RecordFormats {
  return {key: formats.key ?? SERIALIZERS.str!, value: formats.value ?? SERIALIZERS.str!}
}

function jsonlLine(record: ConsumedRecord, formats: RecordFormats, onMismatch?: (reason: string, field: 'key' | 'value') => void): string {
  return formatJsonlRecord(record, {key: bytesOf(record.key), value: record.value, headers: headerPairs(record.headers)}, formats, onMismatch)
}

export function jsonlFormatter(formats: Partial<RecordFormats>, options: Pick<FormatterOptions, 'onMismatch'> = {}): RecordFormatter {
  const resolved = resolve(formats)
  // The lossless default (str keys and values) is also written by the native loop, which alone
  // sees null header values (the client library hands them over as empty buffers).
  const lossless = [resolved.key, resolved.value].every((f) => f.name === 'str' || f.name === 'bytes')
  let nativeProgram: NativeFormatProgram | undefined
  if (lossless) {
    const program = new NativeProgramBuilder({})
    program.op(CONSUME_OPS.JSONL, 0)
    nativeProgram = program.build()
  }
  // One mismatch callback for every record (no closure per record): formatting is synchronous.
  let current: ConsumedRecord | undefined
  let skip = false
  const onMismatch = options.onMismatch
    ? (reason: string, field: 'key' | 'value') => {
        if (options.onMismatch!(field, reason, current!) === 'skip') skip = true
      }
    : undefined
  return {
    encoding: 'utf8',
    nativeProgram,
    format(record) {
      current = record
      skip = false
      const line = jsonlLine(record, resolved, onMismatch)
      return skip ? undefined : line + '\n'
    },
    writeTo(record, out) {
      current = record
      skip = false
      const start = out.length
      writeJsonlRecord(record, {key: bytesOf(record.key), value: record.value, headers: headerPairs(record.headers)}, resolved, out, onMismatch)
      if (skip) {
        out.length = start
        return false
      }
      out.byte(0x0a)
      return true
    },
  }
}

/** A collector of records in the jsonl shape, for consume --json (the records are returned, not streamed). */
export function jsonlCollector(formats: Partial<RecordFormats>): {records: JsonlRecord[]; add(record: ConsumedRecord): void} {
  const resolved = resolve(formats)
  const records: JsonlRecord[] = []
  return {
    records,
    add: (record) => records.push(JSON.parse(jsonlLine(record, resolved)) as JsonlRecord),
  }
}
