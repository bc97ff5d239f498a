import type {Producer, TopicPartitionOffset} from '@confluentinc/kafka-javascript'

import {KafkitError} from '../../errors.js'
import {errorName, kafkaError} from '../kafka-errors.js'
import {producerCalls, type ClientError, type PipeConsumer} from './clients.js'

// How the pipe makes its progress durable: what it wrote and how far it read, together.
// Exactly once (one cluster): a transaction holds the records written and, through the
// consumer's group metadata, the source offsets; a reader with read_committed sees all of a
// transaction or none of it. At least once (across clusters, or --at-least-once): the producer
// is flushed, every record delivered, and only then are the source offsets committed.

export type CommitResult = 'committed' | 'aborted' | 'nothing'

export interface ProgressCommitter {
  /** Before the first record of a unit of work is produced. */
  ensureOpen(): Promise<void>
  /** Makes the records produced since the last commit, and these next offsets, durable together. */
  commit(offsets: TopicPartitionOffset[]): Promise<CommitResult>
  /** Gives up the records produced since the last commit (exactly once: they are never seen). */
  abandon(): Promise<void>
  /** A record failed delivery (at least once; exactly once learns it from the commit). */
  deliveryFailed(reason: string): void
}

/** Retries of a commit that failed with a retriable error before it is aborted. */
const COMMIT_RETRIES = 5

export class TransactionCommitter implements ProgressCommitter {
  private open = false

  constructor(
    private readonly producer: Producer,
    private readonly consumer: PipeConsumer,
    private readonly timeoutMs: number,
    private readonly notice: (text: string) => void,
  ) {}

  async init(): Promise<void> {
    try {
      await producerCalls.initTransactions(this.producer, this.timeoutMs)
    } catch (error) {
      throw kafkaError(error as ClientError, 'the transactional producer')
    }
  }

  async ensureOpen(): Promise<void> {
    if (this.open) return
    await producerCalls.begin(this.producer)
    this.open = true
  }

  async commit(offsets: TopicPartitionOffset[]): Promise<CommitResult> {
    if (!this.open && offsets.length === 0) return 'nothing'
    try {
      await this.ensureOpen()
      if (offsets.length > 0) await this.retrying(() => producerCalls.sendOffsets(this.producer, offsets, this.consumer, this.timeoutMs))
      await this.retrying(() => producerCalls.commit(this.producer, this.timeoutMs))
      this.open = false
      return 'committed'
    } catch (error) {
      const e = error as ClientError
      if (e.isFatal) throw fatal(e)
      // Abortable (a record not delivered, the group rebalanced under us, a broker gone too long):
      // the records are dropped by the broker and the caller reads the source again from the last commit.
      this.notice(`transaction aborted (${errorName(e.code) ?? 'error'}: ${e.message}); reading again from the last commit`)
      await this.abandon()
      return 'aborted'
    }
  }

  async abandon(): Promise<void> {
    if (!this.open) return
    try {
      await this.retrying(() => producerCalls.abort(this.producer, this.timeoutMs))
      this.open = false
    } catch (error) {
      throw fatal(error as ClientError)
    }
  }

  deliveryFailed(): void {
    // The commit fails and says why.
  }

  private async retrying(call: () => Promise<void>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await call()
      } catch (error) {
        const e = error as ClientError
        if (!e.isRetriable || e.isTxnRequiresAbort || e.isFatal || attempt >= COMMIT_RETRIES) throw e
        await new Promise((resolve) => setTimeout(resolve, 200 * (attempt + 1)))
      }
    }
  }
}

/** The transactional producer cannot go on (fenced, or a fatal error): its open transaction is lost. */
export class ProducerLostError extends KafkitError {}

function fatal(error: ClientError): ProducerLostError {
  const name = errorName(error.code)
  const fenced = /fenced/i.test(String(error.message)) || name === 'PRODUCER_FENCED' || name === '_FENCED'
  return new ProducerLostError('failure', `the transaction cannot go on: ${name ?? 'error'}: ${error.message}`, {
    kafkaCode: name,
    hint: fenced ? 'another process uses the same --transactional-id: give each process its own' : 'nothing after the last committed transaction was committed: run the pipe again to continue from there',
  })
}

export class DeliveryCommitter implements ProgressCommitter {
  private failures = 0
  private firstFailure?: string

  constructor(
    private readonly producer: Producer,
    private readonly consumer: PipeConsumer,
    private readonly destination: string,
    private readonly timeoutMs: number,
    private readonly notice: (text: string) => void,
  ) {}

  async ensureOpen(): Promise<void> {}

  deliveryFailed(reason: string): void {
    this.failures++
    this.firstFailure ??= reason
  }

  async commit(offsets: TopicPartitionOffset[]): Promise<CommitResult> {
    // Every record produced so far must be delivered (or have failed) before the offsets move.
    for (;;) {
      try {
        await producerCalls.flush(this.producer, this.timeoutMs)
        break
      } catch (error) {
        if (errorName((error as ClientError).code) !== '_TIMED_OUT') throw kafkaError(error as ClientError, `topic ${this.destination}`)
        this.notice(`still delivering to ${this.destination}; waiting`)
      }
    }
    if (this.failures > 0) {
      throw new KafkitError('failure', `${this.failures} record(s) could not be delivered to ${this.destination}: ${this.firstFailure}`, {
        hint: 'their source offsets were not committed: run the pipe again to continue from the last commit (at least once)',
      })
    }
    if (offsets.length === 0) return 'nothing'
    try {
      this.consumer.commitSync(offsets)
      return 'committed'
    } catch (error) {
      // A rebalance in progress: the next owner reads these records again (at least once).
      this.notice(`could not commit source offsets: ${(error as Error).message}`)
      return 'nothing'
    }
  }

  async abandon(): Promise<void> {}
}
