import {keyOf, valueOf, type OutgoingRecord, type SourceRecord} from '../../records/pipe-codec.js'

// `pipe --on-error dead-letter TOPIC`: the record the pipe could not handle, kept as it was read
// (key, value, headers and timestamp, byte for byte), plus headers that say why and where from.
// Written in the pipe's transaction, so a dead letter too appears exactly once.

const DEAD_LETTER_HEADERS = {
  error: 'kafkit.error',
  topic: 'kafkit.source.topic',
  partition: 'kafkit.source.partition',
  offset: 'kafkit.source.offset',
} as const

export function deadLetterRecord(m: SourceRecord, reason: string): OutgoingRecord {
  const headers = [
    ...m.headers,
    [DEAD_LETTER_HEADERS.error, Buffer.from(reason)],
    [DEAD_LETTER_HEADERS.topic, Buffer.from(m.topic)],
    [DEAD_LETTER_HEADERS.partition, Buffer.from(String(m.partition))],
    [DEAD_LETTER_HEADERS.offset, Buffer.from(String(m.offset))],
  ] as OutgoingRecord['headers']
  return {key: keyOf(m), value: valueOf(m), headers, partition: -1, timestamp: m.timestamp ?? 0}
}
