import {KafkitError} from '../../errors.js'
import type {NativeConsumer} from '../consume/native.js'
import {kafkaError} from '../kafka-errors.js'
import type {PipeProducer, TransactionError} from './clients.js'

// How the pipe makes its progress durable: what it wrote and how far it read, together.
// Exactly once (one cluster): a transaction holds the records written and, through the
// consumer's group metadata, the source offsets; a reader with read_committed sees all of a
// transaction or none of it. At least once (across clusters, or --at-least-once): the producer
// is flushed, every record delivered, and only then are the source offsets committed.

export type CommitResult = 'committed' | 'aborted' | 'nothing'

/** A partition's next offset to commit, with the consumer's index and generation of its assignment. */
export interface SourceOffset {
  topic: string
  partition: number
  offset: number
  index: number
  generation: number
}

export interface ProgressCommitter {
  /** Before the first record of a unit of work is produced. */
  ensureOpen(): void
  /** Makes the records produced since the last commit, and these next offsets, durable together. */
  commit(offsets: SourceOffset[]): Promise<CommitResult>
  /** Gives up the records produced since the last commit (exactly once: they are never seen). */
  abandon(): Promise<void>
}

/** Retries of a commit that failed with a retriable error before it is aborted. */
const COMMIT_RETRIES = 5

export class TransactionCommitter implements ProgressCommitter {
  private open = false

  constructor(
    private readonly producer: PipeProducer,
    private readonly consumer: NativeConsumer,
    private readonly timeoutMs: number,
    private readonly notice: (text: string) => void,
  ) {}

  async init(): Promise<void> {
    try {
      await this.producer.initTransactions(this.timeoutMs)
    } catch (error) {
      throw kafkaError(error as TransactionError, 'the transactional producer')
    }
  }

  ensureOpen(): void {
    if (this.open) return
    this.producer.beginTransaction()
    this.open = true
  }

  async commit(offsets: SourceOffset[]): Promise<CommitResult> {
    if (!this.open && offsets.length === 0) return 'nothing'
    try {
      this.ensureOpen()
      // The records are delivered first, so that the offsets are pending in the transaction (a
      // reader of committed offsets waits while they are) for two round trips only, not for the
      // whole flush: a process killed in that window leaves them pending until the coordinator
      // aborts its transaction.
      if (offsets.length > 0) {
        this.producer.flush(this.timeoutMs)
        // The metadata now: its generation is the one the coordinator checks the offsets against.
        await this.retrying(() => this.producer.sendOffsets(offsets, this.consumer.groupMetadata(), this.timeoutMs))
      }
      await this.retrying(() => this.producer.commitTransaction(this.timeoutMs))
      this.open = false
      return 'committed'
    } catch (error) {
      const e = error as TransactionError
      if (e.fatal) throw fatal(e)
      // Abortable (a record not delivered, the group rebalanced under us, a broker gone too long):
      // the records are dropped by the broker and the caller reads the source again from the last commit.
      this.notice(`transaction aborted (${e.code ?? 'error'}: ${e.message}); reading again from the last commit`)
      await this.abandon()
      return 'aborted'
    }
  }

  async abandon(): Promise<void> {
    if (!this.open) return
    try {
      await this.retrying(() => this.producer.abortTransaction(this.timeoutMs))
      this.open = false
    } catch (error) {
      throw fatal(error as TransactionError)
    }
  }

  private async retrying(call: () => void): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        return call()
      } catch (error) {
        const e = error as TransactionError
        if (!e.retriable || e.abortable || e.fatal || attempt >= COMMIT_RETRIES) throw e
        await new Promise((resolve) => setTimeout(resolve, 200 * (attempt + 1)))
      }
    }
  }
}

/** The transactional producer cannot go on (fenced, or a fatal error): its open transaction is lost. */
export class ProducerLostError extends KafkitError {}

function fatal(error: TransactionError): ProducerLostError {
  const name = error.code
  const fenced = /fenced/i.test(String(error.message)) || name === 'PRODUCER_FENCED' || name === '_FENCED'
  return new ProducerLostError('failure', `the transaction cannot go on: ${name ?? 'error'}: ${error.message}`, {
    kafkaCode: name,
    hint: fenced ? 'another process uses the same --transactional-id: give each process its own' : 'nothing after the last committed transaction was committed: run the pipe again to continue from there',
  })
}

export class DeliveryCommitter implements ProgressCommitter {
  constructor(
    private readonly producer: PipeProducer,
    private readonly consumer: NativeConsumer,
    private readonly destination: string,
    private readonly timeoutMs: number,
    private readonly notice: (text: string) => void,
  ) {}

  ensureOpen(): void {}

  async commit(offsets: SourceOffset[]): Promise<CommitResult> {
    // Every record produced so far must be delivered (or have failed) before the offsets move.
    // A flush in slices of a second, so that signals and timers run in between.
    let waited = 0
    while (this.producer.poll(1000, true) > 0) {
      if ((waited += 1000) % this.timeoutMs < 1000) this.notice(`still delivering to ${this.destination}; waiting`)
      await new Promise((resolve) => setImmediate(resolve))
    }
    if (this.producer.failures > 0) {
      throw new KafkitError('failure', `${this.producer.failures} record(s) could not be delivered to ${this.destination}: ${this.producer.firstFailure}`, {
        hint: 'their source offsets were not committed: run the pipe again to continue from the last commit (at least once)',
      })
    }
    if (offsets.length === 0) return 'nothing'
    this.consumer.written(offsets.flatMap((o) => [o.index, o.offset, o.generation]))
    const failure = this.consumer.commit(true)
    // A rebalance in progress: the next owner reads these records again (at least once).
    if (failure !== undefined) {
      this.notice(`could not commit source offsets: ${failure}`)
      return 'nothing'
    }
    return 'committed'
  }

  async abandon(): Promise<void> {}
}
