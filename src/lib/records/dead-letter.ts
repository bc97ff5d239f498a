import {toPayload} from './jsonl.js'

// A record that was not delivered (or could not be read as a record), and the dead-letter jsonl
// text that keeps it for replay (docs/formats.md#dead-letter-files): `produce --input jsonl`
// reads the lines back, ignoring `line` and `error`.

export interface FailedRecord {
  key: Buffer | null
  /** For invalid input: the input bytes of the line. */
  value: Buffer | null
  headers: Array<[string, Buffer | null]>
  /** Only when the record was meant for one partition (-p, or a jsonl record's own). */
  partition?: number
  /** The input line number. */
  line: number
  error: string
}

/** One jsonl line per record, each ending with a newline. */
export function deadLetterLines(records: readonly FailedRecord[]): string {
  let text = ''
  for (const record of records) {
    text +=
      JSON.stringify({
        key: toPayload(record.key),
        value: toPayload(record.value),
        headers: record.headers.map(([key, value]) => ({key, value: toPayload(value)})),
        ...(record.partition === undefined ? {} : {partition: record.partition}),
        line: record.line,
        error: record.error,
      }) + '\n'
  }
  return text
}
