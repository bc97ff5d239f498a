import type {ConsumedRecord} from './consumed-record.js'
import type {Serializer} from './serializers.js'
import type {TextOutput} from './text-output.js'

// What the consume loop needs from a formatter (the formatters themselves live in
// src/lib/output/format/): text per record for the JS loop, an op-code program for the native one.

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
  /**
   * The same output written as UTF-8 straight into `out` (the framed loop's batch buffer), when
   * the formatter can: false when the record is skipped (nothing written).
   */
  writeTo?(record: ConsumedRecord, out: TextOutput): boolean
  /**
   * For formats that print the value only: writes it from where it is in a batch (`start` -1: a
   * null value), `record()` making the whole record when it is needed (a value that does not fit).
   */
  writeValueAt?(data: Buffer, start: number, end: number, out: TextOutput, record: () => ConsumedRecord): boolean
  /** The same format for the native consume loop, when it can express it (see native/src/kafkit_consume.c). */
  readonly nativeProgram?: NativeFormatProgram
  /** The format prints the timestamp type (%T{type}): records must carry it. */
  readonly needsTimestampType?: boolean
}

/** Ops and literal bytes for native/src/kafkit_consume.c (the op codes: CONSUME_OPS in src/lib/native/contracts.ts). */
export interface NativeFormatProgram {
  ops: Int32Array
  literals: Buffer
}
