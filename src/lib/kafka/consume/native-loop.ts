import {NativeConsumer, type loadNativeConsume} from './native.js'
import type {KafkaSession} from '../session.js'
import {NATIVE_BATCH_BYTES, NATIVE_MAX_BATCH, nextBatchSize, POLL_MS} from './config.js'
import type {ConsumeRequest, ConsumeSink, ConsumeSummary, StopReason} from './request.js'
import type {ConsumeState} from './state.js'
import {WritePipeline} from './write-pipeline.js'

// The native read loop (no group, output the C loop can express): batches are read and
// formatted in C; this side checks the stop conditions, hands each batch's buffer to the write
// pipeline and tracks positions. No per-record JavaScript.

export async function consumeNatively(
  lib: NonNullable<ReturnType<typeof loadNativeConsume>>,
  request: ConsumeRequest,
  sink: ConsumeSink,
  state: ConsumeState,
  config: Record<string, string | number | boolean>,
  session: KafkaSession,
): Promise<ConsumeSummary> {
  const consumer = new NativeConsumer(lib, config)
  const active = [...state.values()].filter((s) => !s.done)
  const pipeline = new WritePipeline(sink.write)
  try {
    if (active.length > 0) {
      consumer.assign(
        active.map((s) => ({topic: s.topic, partition: s.partition, start: s.start ?? 0, stop: s.stop ?? -1})),
        sink.formatter.nativeProgram!,
      )
    }
    let printed = 0
    let stoppedBy: StopReason | undefined
    let lastRecordAt = Date.now()
    let batchSize = 1000
    const stopReason = (): StopReason | undefined => {
      if (request.signal.aborted) return 'signal'
      if (request.count !== undefined && printed >= request.count) return 'count'
      if (active.every((s) => s.done)) return request.untilMs !== undefined && !request.exitAtEnd ? 'until' : 'end'
      if (request.idleTimeoutMs !== undefined && Date.now() - lastRecordAt >= request.idleTimeoutMs) return 'idle'
      return undefined
    }
    const read = () => consumer.consume(batchSize, NATIVE_BATCH_BYTES, POLL_MS, request.count === undefined ? -1 : request.count - printed)
    // Pipelined: while one batch is written, the next is already being read and formatted in C.
    // At most three batches exist at once (reading, waiting, writing): memory stays bounded.
    stoppedBy = stopReason()
    let reading = stoppedBy ? undefined : read()
    while (reading) {
      const batch = await reading
      if (batch.errorCode) {
        const error = session.translate({code: batch.errorCode, message: batch.errorMessage})
        // A broker that went away for a moment is retried by librdkafka; anything else ends the run.
        if (error.kind === 'connection') request.notice(error.message)
        else throw error
      }
      for (let i = 0; i < batch.positions.length; i += 3) {
        const s = active[batch.positions[i]!]!
        s.next = batch.positions[i + 1]!
        if (batch.positions[i + 2] === 1) s.done = true
      }
      if (request.exitAtEnd) for (const index of batch.eofs) active[index]!.done = true
      if (batch.count > 0) {
        lastRecordAt = Date.now()
        printed += batch.count
        batchSize = nextBatchSize(NATIVE_MAX_BATCH, NATIVE_BATCH_BYTES, batch.bytes, batch.count)
      } else if (request.outputClosed?.()) {
        stoppedBy = 'output-closed'
      }
      stoppedBy ??= stopReason()
      reading = stoppedBy ? undefined : read()
      if (batch.count > 0) await pipeline.push(batch.data)
    }
    await pipeline.drain()
    return {
      records: printed,
      stoppedBy: stoppedBy ?? 'end',
      partitions: [...state.values()].map((s) => ({topic: s.topic, partition: s.partition, next: s.next})),
      committed: false,
    }
  } finally {
    await consumer.close()
  }
}
