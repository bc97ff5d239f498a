import type {Message, TopicPartitionOffset} from '@confluentinc/kafka-javascript'

import type {TimestampType} from '../../records/jsonl.js'
import type {ConsumedRecord} from '../../records/consumed-record.js'
import type {RecordFormatter} from '../../records/record-formatter.js'
import {GROUP_DENIED} from '../authorization.js'
import {errorName, type KafkaErrorLike} from '../kafka-errors.js'
import type {KafkaSession} from '../session.js'
import {deniedRead} from './denials.js'
import {connectClient, disconnectClient, readBatch} from './client.js'
import {BATCH_BYTES, MAX_BATCH, nextBatchSize} from './config.js'
import {key, type TopicPartition} from './positions.js'
import {assignedAllDone, COMMIT_INTERVAL_MS, pausePartition, readEnds} from './rebalance.js'
import type {ConsumeRequest, ConsumeSink, ConsumeSummary, StopReason} from './request.js'
import {stateOf, type ConsumeState, type PartitionState} from './state.js'
import {WritePipeline} from './write-pipeline.js'

// The JS read loop (group mode, filters, --json, decoders only JS has): reads batches with the
// client's consume(n), keeps what lies inside each partition's range, formats a batch into one
// chunk and hands it to the write pipeline. In group mode only offsets of records already
// written are committed (at least once).

export interface JsLoopOptions {
  config: Record<string, string | number | boolean>
  /** Group mode: what to subscribe to. */
  subscription?: string[]
  /** Each topic's timestamp type, when records must carry it. */
  timestampTypes?: Map<string, TimestampType>
}

export async function consumeWithClient(session: KafkaSession, request: ConsumeRequest, sink: ConsumeSink, state: ConsumeState, options: JsLoopOptions): Promise<ConsumeSummary> {
  const grouped = options.subscription !== undefined
  const {consumer, group} = await connectClient(session, state, {config: options.config, subscription: options.subscription})
  const pipeline = new WritePipeline(sink.write)
  let printed = 0
  let stoppedBy: StopReason | undefined
  let lastRecordAt = Date.now()
  let lastCommitAt = Date.now()
  let committedOnExit = false
  let batchSize = 1000
  let caughtUp = false
  // With -e a partition is finished once librdkafka reports the end of its log: the end read at
  // start lies at or before that point. The client reports ends while a batch is handed over,
  // before its records are processed: they are applied after the batch.
  const endsReached: TopicPartition[] = []
  if (request.exitAtEnd) consumer.on('partition.eof', (eof: TopicPartitionOffset) => endsReached.push(eof))
  const applyEnds = () => {
    for (const eof of endsReached.splice(0)) stateOf(state, eof).done = true
  }
  const ends = readEnds(request, state.values())
  const allDone = () => assignedAllDone(state.values(), grouped ? {ends, lastRebalanceAt: group.lastRebalanceAt} : undefined)

  const commitWritten = (sync: boolean) => {
    if (!grouped) return
    const offsets: TopicPartitionOffset[] = []
    for (const s of state.values()) {
      if (s.assigned && s.written !== null && s.written !== s.committed) offsets.push({topic: s.topic, partition: s.partition, offset: s.written})
    }
    if (offsets.length === 0) return
    try {
      // An async commit can fail unseen (a rebalance in progress): only a sync one counts as
      // done, so the periodic commits repeat until the final one.
      if (sync) {
        consumer.commitSync(offsets)
        for (const o of offsets) state.get(key(o))!.committed = o.offset
      } else {
        consumer.commit(offsets)
      }
    } catch (error) {
      request.notice(`could not commit offsets: ${(error as Error).message}`)
    }
  }
  // On a rebalance the partitions leaving are committed first; not while closing (the final
  // commit is done by then, or deliberately skipped when the output's reader went away).
  let closing = false
  group.beforeRevoke = () => {
    if (!closing) commitWritten(false)
  }

  try {
    while (!stoppedBy) {
      if (request.signal.aborted) {
        stoppedBy = 'signal'
        break
      }
      if (pipeline.failed && request.outputClosed?.()) {
        // The reader went away (`| head`) while a chunk was written: commit nothing more.
        stoppedBy = 'output-closed'
        committedOnExit = true
        break
      }
      pipeline.throwIfFailed()
      if (allDone()) {
        stoppedBy = request.untilMs !== undefined && !request.exitAtEnd ? 'until' : 'end'
        break
      }
      if (request.idleTimeoutMs !== undefined && Date.now() - lastRecordAt >= request.idleTimeoutMs) {
        stoppedBy = 'idle'
        break
      }
      if (request.untilMs !== undefined && Date.now() >= request.untilMs && [...state.values()].every((s) => s.done || s.stopTime !== undefined)) {
        stoppedBy = 'until'
        break
      }
      let messages: Message[]
      try {
        messages = await readBatch(consumer, batchSize)
      } catch (error) {
        const {code, message} = error as KafkaErrorLike
        const name = errorName(code)
        // Without a group, a denial of the consumer's own group id does not matter (denials.ts).
        if (name === GROUP_DENIED && !grouped) continue
        throw (name && deniedRead(name, message, request, session)) || session.translate(error as KafkaErrorLike)
      }
      if (messages.length === 0) {
        if (!caughtUp) request.caughtUp?.()
        caughtUp = true
        applyEnds()
        if (request.outputClosed?.()) {
          stoppedBy = 'output-closed'
          // The reader took an unknown part of what was written: commit nothing more.
          committedOnExit = true
        }
        continue
      }
      lastRecordAt = Date.now()
      caughtUp = false

      // Keep what lies inside each partition's range; pause partitions that are finished.
      const kept: Message[] = []
      const nextByPartition = new Map<PartitionState, number>()
      let bytes = 0
      for (const m of messages) {
        bytes += m.size
        const s = stateOf(state, m)
        if (s.done) continue
        if ((s.stop !== undefined && m.offset >= s.stop) || (s.stopTime !== undefined && m.timestamp !== undefined && m.timestamp >= s.stopTime)) {
          s.done = true
          pausePartition(consumer, s)
          continue
        }
        if (request.count !== undefined && printed + kept.length >= request.count) break
        if (options.timestampTypes) (m as unknown as ConsumedRecord).timestampType = options.timestampTypes.get(m.topic) ?? 'create'
        // A record the filter passes over still moves the position (and the commit) past it.
        if (!request.filter || request.filter(m as unknown as ConsumedRecord)) kept.push(m)
        s.next = m.offset + 1
        nextByPartition.set(s, s.next)
        if (s.stop !== undefined && s.next >= s.stop) {
          s.done = true
          pausePartition(consumer, s)
        }
      }
      applyEnds()
      batchSize = nextBatchSize(MAX_BATCH, BATCH_BYTES, bytes, messages.length)
      const markWritten = () => {
        for (const [s, next] of nextByPartition) s.written = next
      }
      if (kept.length > 0) {
        if (sink.prepare) await sink.prepare(kept as unknown as ConsumedRecord[])
        // A failed write is judged at the top of the loop (a reader gone, or an error).
        if (!(await pipeline.push(formatBatch(kept, sink.formatter, request.onRecord), markWritten).then(() => true, () => false))) continue
        printed += kept.length
      } else if (nextByPartition.size > 0) {
        // Only records the filter passed over: they count as written once what came before is.
        pipeline.afterWritten(markWritten)
      }
      if (request.count !== undefined && printed >= request.count) stoppedBy = 'count'
      if (grouped && Date.now() - lastCommitAt >= COMMIT_INTERVAL_MS) {
        await pipeline.settled()
        if (pipeline.failed) continue
        commitWritten(false)
        lastCommitAt = Date.now()
      }
    }
    await pipeline.settled()
    if (pipeline.failed && request.outputClosed?.()) stoppedBy = 'output-closed'
    else pipeline.throwIfFailed()
    if (stoppedBy !== 'output-closed') commitWritten(true)
    committedOnExit = true
    return {
      records: printed,
      stoppedBy: stoppedBy ?? 'end',
      partitions: [...state.values()].filter((s) => s.assigned || !grouped).map((s) => ({topic: s.topic, partition: s.partition, next: s.next})),
      committed: grouped,
    }
  } finally {
    if (!committedOnExit && !pipeline.failed) {
      // Stopped by an error (e.g. --on-error fail): still commit what reached the output.
      await pipeline.settled()
      commitWritten(true)
    }
    closing = true
    await disconnectClient(consumer, session.timeoutMs)
  }
}

/** One chunk for a batch; records the formatter skips are neither printed nor reported. */
function formatBatch(messages: Message[], formatter: RecordFormatter, onRecord?: (r: ConsumedRecord) => void): Buffer {
  let text = ''
  for (const m of messages) {
    const record = m as unknown as ConsumedRecord
    const out = formatter.format(record)
    if (out !== undefined) {
      text += out
      onRecord?.(record)
    }
  }
  return Buffer.from(text, formatter.encoding)
}
