import {type ErrorJson, errorToJson, ExitCode, type ExitCodeValue, KafkitError} from './errors.js'

// The error a batch command (one result row per item: topics create/delete, groups delete) ends
// with, the same way for every batch (docs/exit-codes.md).

/** Why one item of a batch failed, in the shape of the JSON error object (docs/exit-codes.md). */
export type ItemError = ErrorJson['error']

export const itemError = (error: KafkitError): ItemError => errorToJson(error).error

/**
 * None when every item succeeded; the item's own error when there is one item; with several,
 * "partial" (exit 6) when some succeeded, else the first failure's exit code.
 */
export function batchFailure(items: ReadonlyArray<{error?: ItemError}>, noun: string, options: {hint?: string} = {}): KafkitError | undefined {
  const failed = items.filter((item) => item.error)
  if (failed.length === 0) return undefined
  const first = failed[0]!.error!
  if (items.length === 1) {
    return new KafkitError(first.code, first.message, {hint: options.hint ?? first.hint, kafkaCode: first.kafkaCode, exitCode: first.exitCode as ExitCodeValue})
  }
  const some = failed.length < items.length
  return new KafkitError(some ? 'partial' : first.code, `${failed.length} of ${items.length} ${noun} failed (first: ${first.message})`, {
    hint: options.hint,
    kafkaCode: first.kafkaCode,
    exitCode: some ? ExitCode.PARTIAL : (first.exitCode as ExitCodeValue),
  })
}
