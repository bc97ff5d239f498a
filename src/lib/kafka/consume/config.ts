import type {OffsetReset} from './positions.js'
import type {ConsumeRequest} from './request.js'
import type {KafkaSession} from '../session.js'

// The librdkafka settings of either consume loop, and the batch sizes they read with.

/** Records per consume(n) call; lowered for large records so one batch stays near BATCH_BYTES. */
export const MAX_BATCH = 10_000
export const BATCH_BYTES = 1024 * 1024
/**
 * The native loop formats in C and hands over one buffer per batch; up to three exist at once
 * (being read, waiting, being written), so their size is a term of the memory bound. Half a MiB
 * is thousands of small records per batch: larger batches were no faster.
 */
export const NATIVE_MAX_BATCH = 50_000
export const NATIVE_BATCH_BYTES = 512 * 1024
/** How long one consume(n) call waits for the first record, so signals and idle checks stay prompt. */
export const POLL_MS = 200
/**
 * librdkafka's read-ahead (queued.max.messages.kbytes: one bound for all assigned partitions, as
 * kafkit reads through the consumer queue). librdkafka keeps each queued record in a 1 KiB
 * structure of its own besides the record, so for small records the queue costs about ten
 * times its nominal size: 1 MiB of 100-byte records is ~10,000 records, ~11 MB.
 */
const QUEUED_KBYTES = 1024
/** How long librdkafka's fetcher waits before looking again once the queue was full (its default is 1 s). */
const FETCH_QUEUE_BACKOFF_MS = 1

/** The next batch size: about `bytes` per batch at the average record size seen. */
export function nextBatchSize(maxRecords: number, bytes: number, seenBytes: number, seenRecords: number): number {
  return Math.max(1, Math.min(maxRecords, Math.floor(bytes / Math.max(1, seenBytes / seenRecords))))
}

/** `userReset` is auto.offset.reset as the user gave it ('none' when not given). */
export function consumerConfig(session: KafkaSession, request: ConsumeRequest, grouped: boolean, userReset: OffsetReset | 'none'): Record<string, string | number | boolean> {
  const properties = session.connection.properties
  // Group mode without a committed offset: -o end starts at the end, anything else at the beginning.
  const startAtEnd = request.spec.all.start?.kind === 'end'
  return session.clientConfig({
    'group.id': request.group ?? `kafkit-consume-${process.pid}`,
    'enable.auto.commit': false,
    'enable.auto.offset.store': false,
    'enable.partition.eof': Boolean(request.exitAtEnd),
    'isolation.level': request.isolation,
    'auto.offset.reset': userReset === 'none' ? (grouped && !startAtEnd ? 'earliest' : 'latest') : userReset,
    // Bounded read-ahead (docs/consume.md, "Memory"): librdkafka fetches again only while less
    // than this is queued. fetch.max.bytes, the size of one fetch answer, is left to librdkafka,
    // which derives it from this (at least message.max.bytes), so -X queued.max.messages.kbytes
    // alone raises both.
    'queued.max.messages.kbytes': Number(properties['queued.max.messages.kbytes'] ?? QUEUED_KBYTES),
    // With a small queue the fetcher finds it full often; its default 1 s wait would leave a
    // reader that keeps up idle (10 ms, kafkit's earlier value, was measurably slower than 1 ms).
    'fetch.queue.backoff.ms': Number(properties['fetch.queue.backoff.ms'] ?? FETCH_QUEUE_BACKOFF_MS),
    ...(grouped ? {'partition.assignment.strategy': String(properties['partition.assignment.strategy'] ?? 'cooperative-sticky')} : {}),
  })
}
