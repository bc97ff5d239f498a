import type {InterruptSignal} from '../../errors.js'
import type {NativeFailure} from './native.js'

// The run's accounting and its summary. The invariant the tests check: every record read ends
// up either delivered or failed (invalid input, a delivery error, purged after an interrupt, or
// rolled back with its transaction), so `read = delivered + failed` when the run returns.

export interface ProduceStats {
  read: number
  delivered: number
  failed: number
  elapsedMs: number
}

export interface FailureReason {
  code: string
  message: string
  count: number
}

/** The documented result of `kafkit produce` (its --json output; docs/produce.md). */
export interface ProduceSummary {
  topic: string
  read: number
  delivered: number
  failed: number
  /** Of the failed: input records that could not be read as records (bad JSON, not a number ...). */
  invalid: number
  elapsedMs: number
  recordsPerSecond: number
  interrupted: InterruptSignal | null
  transaction: 'committed' | 'aborted' | null
  /** Delivery failures by librdkafka error name. */
  failures: FailureReason[]
  /** The first invalid input line's message. */
  firstInvalid: string | null
  /** A fatal client error that stopped the run. */
  fatal: string | null
}

export class Tally {
  private readonly started = Date.now()
  /** Records handed to the client. */
  taken = 0
  delivered = 0
  deliveryFailed = 0
  invalid = 0
  firstInvalid: string | null = null
  /** A fatal client error: the run stops. */
  fatal: string | null = null
  private readonly reasons = new Map<string, FailureReason>()

  addInvalid(message: string): void {
    this.invalid++
    this.firstInvalid ??= message
  }

  addFailures(failures: readonly NativeFailure[]): void {
    this.deliveryFailed += failures.length
    for (const failure of failures) {
      const reason = this.reasons.get(failure.code) ?? {code: failure.code, message: failure.message, count: 0}
      reason.count++
      this.reasons.set(failure.code, reason)
    }
  }

  /** Nothing failed so far (a transaction may commit). */
  get clean(): boolean {
    return this.deliveryFailed === 0 && this.invalid === 0 && this.fatal === null
  }

  stats(): ProduceStats {
    return {read: this.taken + this.invalid, delivered: this.delivered, failed: this.deliveryFailed + this.invalid, elapsedMs: Date.now() - this.started}
  }

  summary(topic: string, transaction: ProduceSummary['transaction'], interrupted: InterruptSignal | null): ProduceSummary {
    const stats = this.stats()
    let {delivered, failed} = stats
    if (transaction === 'aborted') {
      // Rolled back: nothing is visible to read_committed consumers.
      failed += delivered
      delivered = 0
    }
    return {
      topic,
      read: stats.read,
      delivered,
      failed,
      invalid: this.invalid,
      elapsedMs: stats.elapsedMs,
      recordsPerSecond: stats.elapsedMs > 0 ? Math.round((stats.read / stats.elapsedMs) * 1000) : 0,
      interrupted,
      transaction,
      failures: [...this.reasons.values()].sort((a, b) => b.count - a.count),
      firstInvalid: this.firstInvalid,
      fatal: this.fatal,
    }
  }
}
