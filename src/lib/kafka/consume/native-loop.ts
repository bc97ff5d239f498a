import {GROUP_DENIED} from '../authorization.js'
import {deniedRead} from './denials.js'
import {NativeConsumer, type loadNativeConsume} from './native.js'
import type {KafkaSession} from '../session.js'
import {NATIVE_BATCH_BYTES, NATIVE_MAX_BATCH, nextBatchSize, POLL_MS} from './config.js'
import {assignedAllDone, COMMIT_INTERVAL_MS, readEnds} from './rebalance.js'
import type {ConsumeRequest, ConsumeSink, ConsumeSummary, StopReason} from './request.js'
import {stateOf, type ConsumeState, type PartitionState} from './state.js'
import {WritePipeline} from './write-pipeline.js'

// The native read loop (output the C loop can express), for direct assignment and for group
// mode: batches are read and formatted in C; this side checks the stop conditions, hands each
// batch's buffer to the write pipeline and tracks positions. No per-record JavaScript.
// In group mode the subscription, the rebalances and the commits happen in C; once a batch is
// written this side tells C so, with the generation of each partition's assignment: only written
// records of a partition this member still owns in that generation are committed.

export interface NativeLoopOptions {
  config: Record<string, string | number | boolean>
  /** Group mode: what to subscribe to (a `^...` entry is a librdkafka pattern). */
  subscription?: string[]
}

export async function consumeNatively(
  lib: NonNullable<ReturnType<typeof loadNativeConsume>>,
  request: ConsumeRequest,
  sink: ConsumeSink,
  state: ConsumeState,
  options: NativeLoopOptions,
  session: KafkaSession,
): Promise<ConsumeSummary> {
  const {subscription} = options
  const grouped = subscription !== undefined
  const consumer = new NativeConsumer(lib, options.config)
  // The partitions by the index C knows them by: in group mode every planned one (assigned or
  // not as the group decides) and those the group hands out later; directly, the unfinished ones.
  const parts: PartitionState[] = grouped ? [...state.values()] : [...state.values()].filter((s) => !s.done)
  const pipeline = new WritePipeline(sink.write)
  // A formatter only JS has: C frames the records, `unframe` formats each batch (framed.ts).
  const framed = sink.formatter.nativeProgram ? undefined : sink.framed!
  const program = framed?.program ?? sink.formatter.nativeProgram!
  let committedOnExit = false
  const commit = (sync: boolean) => {
    if (!grouped) return
    const failure = consumer.commit(sync)
    if (failure) request.notice(`could not commit offsets: ${failure}`)
  }
  try {
    if (grouped) {
      consumer.subscribe(subscription, parts, program, request.exitAtEnd)
    } else if (parts.length > 0) {
      for (const s of parts) s.assigned = true
      consumer.assign(parts.map((s) => ({...s, start: s.start ?? 0})), program, request.exitAtEnd)
    }
    let printed = 0
    let stoppedBy: StopReason | undefined
    let lastRecordAt = Date.now()
    let lastCommitAt = Date.now()
    let lastRebalanceAt: number | undefined
    let batchSize = 1000
    let caughtUp = false
    const ends = readEnds(request, parts)
    const allDone = () => assignedAllDone(parts, grouped ? {ends, lastRebalanceAt} : undefined)
    const stopReason = (): StopReason | undefined => {
      if (request.signal.aborted) return 'signal'
      if (request.count !== undefined && printed >= request.count) return 'count'
      if (allDone()) return request.untilMs !== undefined && !request.exitAtEnd ? 'until' : 'end'
      if (request.idleTimeoutMs !== undefined && Date.now() - lastRecordAt >= request.idleTimeoutMs) return 'idle'
      return undefined
    }
    // A failed write whose cause is a reader that went away (`| head`) ends the run quietly.
    const outputGone = (error: unknown): StopReason => {
      if (!request.outputClosed?.()) throw error
      return 'output-closed'
    }
    const read = () => consumer.consume(batchSize, NATIVE_BATCH_BYTES, POLL_MS, request.count === undefined ? -1 : request.count - printed)
    // Pipelined: while one batch is written, the next is already being read and formatted in C.
    // At most three batches exist at once (reading, waiting, writing): memory stays bounded.
    stoppedBy = stopReason()
    let reading = stoppedBy ? undefined : read()
    while (reading) {
      const batch = await reading
      if (batch.errorCode && !(batch.errorCode === GROUP_DENIED && !grouped)) {
        const error = deniedRead(batch.errorCode, batch.errorMessage, request, session) ?? session.translate({code: batch.errorCode, message: batch.errorMessage})
        // A broker that went away for a moment is retried by librdkafka; anything else ends the run.
        if (error.kind === 'connection') request.notice(error.message)
        else throw error
      }
      if (batch.commitError) request.notice(`could not commit offsets: ${batch.commitError}`)
      for (const tp of batch.added) parts.push(stateOf(state, tp))
      for (let i = 0; i < batch.assignment.length; i += 3) parts[batch.assignment[i]!]!.assigned = batch.assignment[i + 1] === 1
      if (batch.rebalanced) lastRebalanceAt = Date.now()
      // (partition index, next offset, generation): what C may commit once this batch is written.
      const written: number[] = []
      for (let i = 0; i < batch.positions.length; i += 4) {
        const index = batch.positions[i]!
        const s = parts[index]!
        s.next = batch.positions[i + 1]!
        if (batch.positions[i + 2] === 1) s.done = true
        written.push(index, s.next, batch.positions[i + 3]!)
      }
      if (request.exitAtEnd) for (const index of batch.eofs) parts[index]!.done = true
      if (batch.count === 0 && batch.bytes === 0 && !caughtUp) request.caughtUp?.()
      caughtUp = batch.count === 0 && batch.bytes === 0
      if (batch.count > 0) {
        lastRecordAt = Date.now()
        printed += batch.count
        batchSize = nextBatchSize(NATIVE_MAX_BATCH, NATIVE_BATCH_BYTES, batch.bytes, batch.count)
      } else if (request.outputClosed?.()) {
        stoppedBy = 'output-closed'
      }
      stoppedBy ??= stopReason()
      reading = stoppedBy ? undefined : read()
      if (batch.count > 0) {
        const data = framed ? await framed.unframe(batch.data) : batch.data
        try {
          await pipeline.push(data, () => {
            for (let i = 0; i < written.length; i += 3) parts[written[i]!]!.written = written[i + 1]!
            consumer.written(written)
            consumer.recycle(batch.data)
            if (framed) framed.recycle(data)
          })
        } catch (error) {
          stoppedBy = outputGone(error)
          await reading
          reading = undefined
        }
      }
      if (grouped && Date.now() - lastCommitAt >= COMMIT_INTERVAL_MS) {
        commit(false)
        lastCommitAt = Date.now()
      }
    }
    try {
      await pipeline.drain()
    } catch (error) {
      stoppedBy = outputGone(error)
    }
    // The reader took an unknown part of what was written: commit nothing more.
    if (stoppedBy !== 'output-closed') commit(true)
    committedOnExit = true
    return {
      records: printed,
      stoppedBy: stoppedBy ?? 'end',
      partitions: [...state.values()].filter((s) => s.assigned || !grouped).map((s) => ({topic: s.topic, partition: s.partition, next: s.next})),
      committed: grouped,
    }
  } finally {
    if (grouped && !committedOnExit && !pipeline.failed) {
      // Stopped by an error: still commit what reached the output.
      await pipeline.settled()
      commit(true)
    }
    // Leaves the group at once; the revoke this causes commits nothing more.
    await consumer.close()
  }
}

