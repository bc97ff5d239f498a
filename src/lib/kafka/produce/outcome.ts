import {interruptedError, KafkitError} from '../../errors.js'
import {CLUSTER_DENIED, notAuthorized, TOPIC_DENIED} from '../authorization.js'
import {kafkaError} from '../kafka-errors.js'
import type {OnError} from './settings.js'
import type {ProduceSummary} from './tally.js'

// The exit decision of a produce run: the error for a summary that is not a clean success. The
// error carries the summary as its data, so --json still prints it on stdout.

/**
 * The error for a summary that is not a clean success, or undefined. Exit codes (errors.ts):
 * interrupted, the signal's code; records not delivered 6 (or the Kafka error's own code when
 * nothing was delivered and every failure had the same cause, e.g. 4 for an unauthorized topic);
 * only invalid input 2. The invalid lines themselves were reported one by one as they were read:
 * the message counts them instead of repeating the first.
 */
export function produceOutcomeError(summary: ProduceSummary, deadLetterFile?: string, onError: OnError = 'fail', principal?: string): KafkitError | undefined {
  const data = summary
  const counts = `read ${summary.read}, delivered ${summary.delivered}, failed ${summary.failed}`
  // Invalid input would be written as it is by a replay: those lines need fixing first.
  const fixFirst = summary.invalid > 0 ? `fix the ${summary.invalid === 1 ? 'invalid line' : `${summary.invalid} invalid lines`} in it first (each has its "line" and "error"), then ` : ''
  const replay = deadLetterFile ? `the failed records are in ${deadLetterFile}; ${fixFirst}replay them with: kafkit produce ${summary.topic} --input jsonl --file ${deadLetterFile}` : 'add --dead-letter FILE to keep failed records for replay'
  if (summary.interrupted) {
    return interruptedError(summary.interrupted, `interrupted by ${summary.interrupted}: ${counts}`, {hint: summary.failed > 0 ? replay : undefined, data})
  }
  const topic = {type: 'topic', name: summary.topic} as const
  if (summary.fatal?.includes(CLUSTER_DENIED) && /idempot/i.test(summary.fatal)) {
    // Since Kafka 3.0 an idempotent producer needs WRITE on a topic (or IDEMPOTENT_WRITE on the cluster).
    const denied = notAuthorized(CLUSTER_DENIED, 'WRITE', topic, principal, `an idempotent producer, the default, needs it before anything is sent; ${counts}`)
    return new KafkitError('auth', denied.message, {hint: denied.hint, kafkaCode: CLUSTER_DENIED, data})
  }
  if (summary.fatal) return new KafkitError('failure', `the producer stopped: ${summary.fatal} (${counts})`, {hint: summary.failed > 0 ? replay : undefined, data})
  const main = summary.failures[0]
  if (main?.code === TOPIC_DENIED && summary.delivered === 0) {
    const denied = notAuthorized(TOPIC_DENIED, 'WRITE', topic, principal, counts)
    return new KafkitError('auth', denied.message, {hint: denied.hint, kafkaCode: TOPIC_DENIED, data})
  }
  if (main) {
    const translated = kafkaError({code: main.code, message: main.message}, `topic ${summary.topic}`)
    const single = summary.failures.length === 1 && summary.invalid === 0 && summary.delivered === 0
    const what = `${summary.failed} of ${summary.read} records were not delivered: ${translated.message}`
    return new KafkitError(single ? translated.kind : 'partial', what, {kafkaCode: main.code, hint: translated.hint ? `${translated.hint}; ${replay}` : replay, data})
  }
  const aborted = summary.transaction === 'aborted' ? ' (the transaction was aborted: nothing was written)' : ''
  if (summary.invalid > 0) {
    return new KafkitError('usage', `${summary.invalid} invalid input record${summary.invalid > 1 ? 's' : ''}${aborted}`, {
      hint: deadLetterFile ? replay : onError === 'fail' ? 'fix the input, or pass --on-error skip to go on past bad records' : 'fix those lines; --dead-letter FILE keeps them for replay',
      data,
    })
  }
  if (aborted) return new KafkitError('partial', `the transaction was aborted: nothing was written (${counts})`, {data})
  return undefined
}
