import {KafkitError} from '../../errors.js'
import {parseJsonlRecord, type RawRecord} from '../../records/jsonl.js'
import {decodeUtf8, type Serializer} from '../../records/serializers.js'
import type {FixedHeaders, ProduceBatch} from './batch.js'
import type {ProduceSettings, ReadCursor} from './settings.js'

// Input records -> the batch, in JavaScript: line input that a serializer has to convert (or
// validate), and jsonl input. (Lines sent byte for byte take the native line path instead.)
// A record that cannot be made from its line goes to `reject` and is not added.

/** Formats whose bytes are the input bytes themselves (after validation for json). */
const PASS_THROUGH = new Set(['str', 'bytes', 'json'])

/** One record (bytes start..end of buffer); `firstId` is the line number of the batch's first record. */
export type RecordSink = (buffer: Buffer, start: number, end: number, firstId: number) => void

/** An input record that is not a valid record: its message starts with "line N: ". */
export type RejectRecord = (message: string, raw: Buffer, line: number) => void

interface InvalidRecord extends Error {
  invalid: true
}

function invalid(message: string): InvalidRecord {
  return Object.assign(new Error(message), {invalid: true as const})
}

/**
 * Whether line records are ranges of the input chunk itself (no copy): the key and value bytes
 * are sent unchanged. The batch then points into the chunk the splitter hands out.
 */
export function linesAreSlices(settings: ProduceSettings): boolean {
  return settings.input === 'lines' && settings.fixedKey === undefined && PASS_THROUGH.has(settings.keyFormat.name) && PASS_THROUGH.has(settings.valueFormat.name)
}

export class RecordParser {
  constructor(
    private readonly settings: ProduceSettings,
    private readonly batch: ProduceBatch,
    private readonly fixedHeaders: FixedHeaders | null,
    private readonly cursor: ReadCursor,
    private readonly reject: RejectRecord,
  ) {}

  sink(): RecordSink {
    return this.settings.input === 'jsonl' ? this.jsonlSink() : this.lineSink()
  }

  /** The per-record function for line input. Created once; the hot path allocates nothing in slice mode. */
  private lineSink(): RecordSink {
    const {settings, batch, cursor} = this
    const keySeparator = settings.keySeparator
    const separatorByte = keySeparator?.length === 1 ? keySeparator[0]! : -1
    const nullMarker = settings.nullMarker
    const emptyIsNull = settings.emptyIsNull
    const partition = settings.partition ?? -1
    const headerStart = 0
    const headerCount = this.fixedHeaders?.count ?? 0
    const keyPass = settings.fixedKey === undefined && PASS_THROUGH.has(settings.keyFormat.name)
    const valuePass = PASS_THROUGH.has(settings.valueFormat.name)
    const validateKeyJson = settings.keyFormat.name === 'json'
    const validateValueJson = settings.valueFormat.name === 'json'
    const sliceMode = linesAreSlices(settings)
    const fixedKey = settings.fixedKey === undefined ? null : this.encodeText(settings.fixedKey, settings.keyFormat, 'key', 0, true)

    const isNull = (buffer: Buffer, start: number, end: number): boolean =>
      (emptyIsNull && start === end) || (nullMarker !== undefined && end - start === nullMarker.length && nullMarker.compare(buffer, start, end) === 0)

    return (buffer, start, end, firstId) => {
      if (cursor.stop) return
      const line = ++cursor.line
      try {
        let keyStart = -1
        let keyEnd = -1
        let valueStart = start
        if (keySeparator) {
          let at = -1
          if (separatorByte >= 0) {
            for (let i = start; i < end; i++) {
              if (buffer[i] === separatorByte) {
                at = i
                break
              }
            }
          } else {
            at = buffer.subarray(start, end).indexOf(keySeparator)
            if (at >= 0) at += start
          }
          if (at < 0) throw invalid(`line ${line}: no key separator in the line`)
          keyStart = start
          keyEnd = at
          valueStart = at + keySeparator.length
        }
        const keyIsNull = keyStart < 0 || isNull(buffer, keyStart, keyEnd)
        const valueIsNull = isNull(buffer, valueStart, end)
        if (validateKeyJson && !keyIsNull) this.validateJson(buffer, keyStart, keyEnd, line, 'key')
        if (validateValueJson && !valueIsNull) this.validateJson(buffer, valueStart, end, line, 'value')
        if (sliceMode) {
          // Offsets are into `buffer`, the chunk the splitter hands out; the batch is reset to it before sending.
          batch.addSlice(keyIsNull ? 0 : keyStart, keyIsNull ? -1 : keyEnd - keyStart, valueIsNull ? 0 : valueStart, valueIsNull ? -1 : end - valueStart, partition, headerStart, headerCount, line - firstId)
          return
        }
        const key = fixedKey ?? (keyIsNull ? null : keyPass ? buffer.subarray(keyStart, keyEnd) : this.encodeBytes(buffer, keyStart, keyEnd, settings.keyFormat, 'key', line))
        if (valueIsNull) batch.addBytes(key, null, 0, 0, partition, headerStart, headerCount, line - firstId)
        else if (valuePass) batch.addBytes(key, buffer, valueStart, end, partition, headerStart, headerCount, line - firstId)
        else {
          const value = this.encodeBytes(buffer, valueStart, end, settings.valueFormat, 'value', line)
          batch.addBytes(key, value, 0, value.length, partition, headerStart, headerCount, line - firstId)
        }
      } catch (error) {
        if (!(error as InvalidRecord).invalid) throw error
        this.reject((error as Error).message, buffer.subarray(start, end), line)
      }
    }
  }

  private jsonlSink(): RecordSink {
    const {settings, batch, cursor} = this
    const formats = {key: settings.keyFormat, value: settings.valueFormat}
    return (buffer, start, end, firstId) => {
      if (cursor.stop) return
      const line = ++cursor.line
      // Blank lines separate nothing in JSON Lines; they are not records.
      if (isBlank(buffer, start, end)) return
      let record: RawRecord
      try {
        let text: string
        try {
          text = decodeUtf8(buffer.subarray(start, end))
        } catch {
          throw invalid(`line ${line}: not UTF-8 text`)
        }
        try {
          record = parseJsonlRecord(text, line, formats)
        } catch (error) {
          if (error instanceof KafkitError) throw invalid(error.message)
          throw error
        }
      } catch (error) {
        if (!(error as InvalidRecord).invalid) throw error
        this.reject((error as Error).message, buffer.subarray(start, end), line)
        return
      }
      const headers = this.fixedHeaders ? [...record.headers, ...settings.headers] : record.headers
      const headerStart = headers.length > 0 ? batch.addHeaders(headers) : 0
      const index = batch.count
      batch.addBytes(record.key, record.value, 0, record.value?.length ?? 0, settings.partition ?? record.partition ?? -1, headerStart, headers.length, line - firstId)
      if (record.timestamp !== undefined) batch.setTimestamp(index, record.timestamp)
      else batch.noTimestamp(index)
    }
  }

  private validateJson(buffer: Buffer, start: number, end: number, line: number, field: string): void {
    try {
      JSON.parse(decodeUtf8(buffer.subarray(start, end)))
    } catch (error) {
      throw invalid(`line ${line}: ${field} is not valid JSON: ${(error as Error).message}`)
    }
  }

  private encodeBytes(buffer: Buffer, start: number, end: number, format: Serializer, field: string, line: number): Buffer {
    let text: string
    try {
      text = decodeUtf8(buffer.subarray(start, end))
    } catch {
      throw invalid(`line ${line}: ${field} is not UTF-8 text, which --${field}-format ${format.name} expects`)
    }
    return this.encodeText(text, format, field, line, false)
  }

  private encodeText(text: string, format: Serializer, field: string, line: number, fromFlag: boolean): Buffer {
    try {
      return format.encode(text)
    } catch (error) {
      if (fromFlag) throw new KafkitError('usage', `--key: ${(error as Error).message}`)
      throw invalid(`line ${line}: ${field}: ${(error as Error).message}`)
    }
  }

}

function isBlank(buffer: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = buffer[i]
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false
  }
  return true
}
