import type {OffsetReset} from './positions.js'
import type {ConsumeRequest} from './request.js'
import type {KafkaSession} from '../session.js'

// The librdkafka settings of either consume loop, and the batch sizes they read with.

/** Records per consume(n) call; lowered for large records so one batch stays near BATCH_BYTES. */
export const MAX_BATCH = 10_000
export const BATCH_BYTES = 4 * 1024 * 1024
/** The native loop formats in C and hands over one buffer per batch: fewer, larger batches. */
export const NATIVE_MAX_BATCH = 50_000
export const NATIVE_BATCH_BYTES = 8 * 1024 * 1024
/** How long one consume(n) call waits for the first record, so signals and idle checks stay prompt. */
export const POLL_MS = 200
/** librdkafka's pre-fetch queue bound (queued.max.messages.kbytes), the main term of the memory bound. */
const QUEUED_KBYTES = 16_384

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
    // Bounded read-ahead: librdkafka pre-fetches at most this much while the output is slow.
    'queued.max.messages.kbytes': Number(properties['queued.max.messages.kbytes'] ?? QUEUED_KBYTES),
    'fetch.max.bytes': Number(properties['fetch.max.bytes'] ?? 16 * 1024 * 1024),
    // librdkafka waits this long before fetching again once its queue was full (default 1 s):
    // a reader that keeps up would sit idle most of that second.
    'fetch.queue.backoff.ms': Number(properties['fetch.queue.backoff.ms'] ?? 10),
    ...(grouped ? {'partition.assignment.strategy': String(properties['partition.assignment.strategy'] ?? 'cooperative-sticky')} : {}),
  })
}
