import type {FailedRecord} from '../../records/dead-letter.js'
import type {DeliveryReports} from '../../records/delivery-reports.js'
import type {NativeFailure, PollResult} from './native.js'
import type {ProduceHooks, ProduceSettings, ReadCursor} from './settings.js'
import type {Tally} from './tally.js'

// What the client reports (deliveries, failed records, client errors and logs) and the invalid
// input records: counted in the tally and handed to the hooks as structured records.

export class ProduceReports {
  /** With a transaction, deliveries are reported only after the commit. */
  private readonly held: DeliveryReports[] = []
  /** Time the input waited for the broker (librdkafka's queue full), for --debug. */
  queueFullMs = 0

  constructor(
    private readonly settings: ProduceSettings,
    private readonly hooks: ProduceHooks,
    private readonly tally: Tally,
    private readonly cursor: ReadCursor,
  ) {}

  take(result: PollResult): void {
    this.tally.delivered += result.delivered
    this.queueFullMs = result.queueFullMs
    if (result.deliveries && this.hooks.onDeliveries) {
      if (this.settings.transactional) this.held.push(result.deliveries)
      else this.hooks.onDeliveries(result.deliveries)
    }
    if (result.failures.length > 0) this.failed(result.failures)
    for (const error of result.errors) {
      if (error.fatal) this.tally.fatal ??= `${error.code}: ${error.message}`
      else this.hooks.onLog?.(`librdkafka error ${error.code}: ${error.message}`)
    }
    for (const log of result.logs) this.hooks.onLog?.(`librdkafka: ${log.message}`)
  }

  /** An input record that is not a valid record: reported, dead-lettered, counted as failed. */
  invalid(message: string, raw: Buffer, line: number): void {
    this.tally.addInvalid(message)
    this.hooks.onInvalid(line, message)
    this.hooks.onFailedRecords?.([{key: null, value: raw, headers: [], line, error: message}])
    if (this.settings.onError === 'fail') this.cursor.stop = true
  }

  /** The transaction committed: its deliveries are final. */
  releaseHeld(): void {
    for (const reports of this.held) this.hooks.onDeliveries?.(reports)
    this.held.length = 0
  }

  private failed(failures: NativeFailure[]): void {
    this.tally.addFailures(failures)
    if (this.hooks.onFailedRecords) {
      // The partition is kept only when the record was meant for one (-p, or a jsonl record's own).
      const keepPartition = this.settings.partition !== undefined || this.settings.input === 'jsonl'
      this.hooks.onFailedRecords(
        failures.map((failure): FailedRecord => ({
          key: failure.key,
          value: failure.value,
          headers: failure.headers,
          ...(keepPartition && failure.partition >= 0 ? {partition: failure.partition} : {}),
          line: failure.id,
          error: `${failure.code}: ${failure.message}`,
        })),
      )
    }
    if (this.settings.onError === 'fail') this.cursor.stop = true
  }
}
