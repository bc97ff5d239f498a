import {usageError} from '../errors.js'
import {importUserModule} from '../input/user-module.js'
import {completeReturn, reasonOf, type PipeRecord, type RecordTransform, type TransformOutcome} from './record-transform.js'

// `--transform FILE.js|FILE.mjs`: a module whose default export takes one record and returns what
// a transform returns, or a Promise of it. A module that exports `batch = true` (or whose
// function has `.batch = true`) gets the whole batch instead and returns the output records of
// the batch (any number); an error it throws then applies to every record of the batch.

type RecordFunction = (r: PipeRecord) => unknown
type BatchFunction = (records: PipeRecord[]) => unknown

export async function moduleTransform(file: string): Promise<RecordTransform> {
  const loaded = await importUserModule(file, '--transform')
  // A CommonJS module's module.exports arrives as `default`.
  const fn = loaded.default as (RecordFunction & {batch?: unknown}) | undefined
  if (typeof fn !== 'function') {
    throw usageError(`--transform ${file}: the module has no default export function`, 'export default (r) => ({...r, value: ...}), or module.exports = (r) => ...')
  }
  const batched = loaded.batch === true || fn.batch === true
  return batched ? batchTransform(fn as unknown as BatchFunction, file) : perRecordTransform(fn, file)
}

function perRecordTransform(fn: RecordFunction, file: string): RecordTransform {
  return {
    async apply(records) {
      const outcomes: TransformOutcome[] = new Array(records.length)
      // Synchronous functions stay synchronous: awaiting each result would cost a microtask per record.
      let pending: Array<Promise<void>> | undefined
      for (let i = 0; i < records.length; i++) {
        const input = records[i]!
        try {
          const result = fn(input)
          if (typeof (result as {then?: unknown} | null)?.then === 'function') {
            ;(pending ??= []).push(
              (result as Promise<unknown>).then(
                (value) => void (outcomes[i] = named(completeReturn(input, value), file)),
                (error: unknown) => void (outcomes[i] = {error: `--transform ${file} threw: ${reasonOf(error)}`}),
              ),
            )
          } else {
            outcomes[i] = named(completeReturn(input, result), file)
          }
        } catch (error) {
          outcomes[i] = {error: `--transform ${file} threw: ${reasonOf(error)}`}
        }
      }
      if (pending) await Promise.all(pending)
      return outcomes
    },
    close: async () => {},
  }
}

function batchTransform(fn: BatchFunction, file: string): RecordTransform {
  return {
    async apply(records) {
      let outcome: TransformOutcome
      try {
        const returned = await fn(records)
        if (!Array.isArray(returned)) return records.map(() => ({error: `--transform ${file}: a batch transform must return a list of records`}))
        // The outputs are not tied to one input: they go with the first record of the batch.
        outcome = named(completeReturn({key: null, value: null, headers: []}, returned), file)
      } catch (error) {
        outcome = {error: `--transform ${file} threw: ${reasonOf(error)}`}
      }
      if ('error' in outcome) return records.map(() => outcome)
      return records.map((_, i) => (i === 0 ? outcome : {records: []}))
    },
    close: async () => {},
  }
}

const named = (outcome: TransformOutcome, file: string): TransformOutcome => ('error' in outcome ? {error: `--transform ${file}: ${outcome.error}`} : outcome)
