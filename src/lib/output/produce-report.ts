import {formatDuration} from '../duration.js'
import {DELIVERY_REPORT_FIELDS, type DeliveryReports} from '../records/delivery-reports.js'
import {groupDigits} from './numbers.js'
import type {Output} from './output.js'
import {stdoutClosed} from './stdout-closed.js'

// What `kafkit produce` reports, and its text: --print-delivery lines on stdout; the progress
// line, the summary line and invalid input lines on stderr (docs/produce.md).

/** The counts the produce lines show (a subset of the produce summary). */
export interface ProduceCounts {
  read: number
  delivered: number
  failed: number
  elapsedMs: number
}

export interface ProduceTotals extends ProduceCounts {
  topic: string
  invalid: number
  transaction: 'committed' | 'aborted' | null
}

/**
 * A function that turns delivery reports into --print-delivery lines, one JSON object each:
 * {"topic","partition","offset","timestamp","line"}. One string per batch of reports.
 */
export function deliveryLineFormatter(topic: string): (reports: DeliveryReports) => string {
  const topicJson = JSON.stringify(topic)
  return (reports) => {
    let text = ''
    for (let i = 0; i < reports.length; i += DELIVERY_REPORT_FIELDS) {
      text += `{"topic":${topicJson},"partition":${reports[i + 1]},"offset":${reports[i + 2]},"timestamp":${reports[i + 3]},"line":${reports[i]}}\n`
    }
    return text
  }
}

function rate(counts: ProduceCounts): string {
  return groupDigits(counts.elapsedMs > 0 ? Math.round((counts.read / counts.elapsedMs) * 1000) : 0)
}

export function progressLine(counts: ProduceCounts): string {
  return `produce: read ${groupDigits(counts.read)}, delivered ${groupDigits(counts.delivered)}, failed ${groupDigits(counts.failed)} (${rate(counts)} records/s)`
}

export function summaryLine(totals: ProduceTotals): string {
  const invalid = totals.invalid > 0 ? ` (${groupDigits(totals.invalid)} invalid)` : ''
  const transaction = totals.transaction ? `, transaction ${totals.transaction}` : ''
  return `produced to ${totals.topic}: read ${groupDigits(totals.read)}, delivered ${groupDigits(totals.delivered)}, failed ${groupDigits(totals.failed)}${invalid}${transaction} in ${formatDuration(totals.elapsedMs)} (${rate(totals)} records/s)`
}

export interface ProduceReporterOptions {
  topic: string
  json: boolean
  printDelivery: boolean
}

/**
 * Where produce's reports go. Humans: invalid lines as warnings, progress on a terminal, the
 * summary line. --json: invalid lines as JSON objects and nothing else on stderr (the summary is
 * the command's result). --print-delivery: delivery lines on stdout while its reader is there.
 */
export class ProduceReporter {
  /** --print-delivery: writes the delivery lines (undefined without the flag). */
  readonly deliveries?: (reports: DeliveryReports) => void
  /** Redraws the progress line; only when stderr is a terminal (a pipe or file would only collect redraws). */
  readonly progress?: (counts: ProduceCounts) => void

  constructor(
    private readonly out: Output,
    private readonly options: ProduceReporterOptions,
  ) {
    if (options.printDelivery) {
      const lines = deliveryLineFormatter(options.topic)
      this.deliveries = (reports) => {
        if (!stdoutClosed()) out.write(lines(reports))
      }
    }
    if (out.term.stderr.isTTY && !options.json) this.progress = (counts) => out.progress(progressLine(counts))
  }

  /** One invalid input record, as it is read. */
  invalid(line: number, message: string): void {
    this.out.endProgress()
    this.out.warn(message, 'invalid_input', {line})
  }

  /** The end: the summary line for humans (under --json the summary is the command's result). */
  finished(totals: ProduceTotals): void {
    this.out.endProgress()
    if (!this.options.json) this.out.notice(summaryLine(totals))
  }
}
