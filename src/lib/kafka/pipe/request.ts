import type {OffsetSpec} from '../../offset-spec.js'
import type {RecordFormats} from '../../records/jsonl.js'
import type {RecordTransform} from '../../transform/record-transform.js'
import type {KafkaSession} from '../session.js'

// What `kafkit pipe` asks of the core, and what it gets back.

export type PipeGuarantee = 'exactly-once' | 'at-least-once'

export type PipeErrorPolicy = {kind: 'fail'} | {kind: 'skip'} | {kind: 'dead-letter'; topic: string}

export interface PipeRequest {
  sources: string[]
  pattern?: string
  destination: string
  group: string
  /** Where a partition without a committed offset starts. */
  spec: OffsetSpec
  exitAtEnd: boolean
  keepPartitions: boolean
  guarantee: PipeGuarantee
  commitIntervalMs: number
  commitEvery?: number
  /** Exactly once: the producer's transactional.id (default: one per process). */
  transactionalId?: string
  /** undefined: copy the bytes unchanged. */
  transform?: RecordTransform
  /** How keys and values are decoded for the transform, and encoded after it. */
  input: RecordFormats
  output: RecordFormats
  onError: PipeErrorPolicy
  signal: AbortSignal
  notice(text: string): void
  /** Called about once a second with the counts so far. */
  progress?(progress: PipeProgress): void
}

export interface PipeSessions {
  source: KafkaSession
  /** The destination's cluster: the source's session when it is the same cluster. */
  destination: KafkaSession
}

export interface PipeCounts {
  /** Source records read and handled. */
  in: number
  /** Records written to the destination. */
  out: number
  /** Source records the transform dropped (or --on-error skip passed over). */
  dropped: number
  /** Source records copied to the dead-letter topic. */
  deadLettered: number
}

export interface PipeProgress extends PipeCounts {
  /** Records behind the end of the assigned source partitions, as last fetched. */
  lag: number
  assigned: number
}

export interface PipeSummary extends PipeCounts {
  guarantee: PipeGuarantee
  /** Transactions committed (exactly once) or offset commits (at least once). */
  commits: number
  /** Transactions aborted (and their records read again). */
  aborted: number
  stoppedBy: 'end' | 'signal'
}
