import type {PipeRecord} from '../records/pipe-codec.js'

// What `kafkit pipe` hands a transform and what it takes back (docs/pipe.md). A transform sees
// each record in the jsonl record shape (docs/formats.md) with key and value decoded by the
// chosen formats, and answers, per record: a record (fields left out are kept from the input),
// a list of records (fan out), or nothing (drop).

export type {PipeRecord}

/** What a transform may return for one record. */
export type TransformReturn = Partial<PipeRecord> | Array<Partial<PipeRecord>> | null | undefined

/** One input record's outcome, in input order. */
export type TransformOutcome = {records: PipeRecord[]} | {error: string}

export interface RecordTransform {
  /** Exactly one outcome per input record, in order. Rejects only when the transform itself is gone (an --exec program that died). */
  apply(records: PipeRecord[]): Promise<TransformOutcome[]>
  /** Releases what the transform holds (a child process). */
  close(): Promise<void>
}

/**
 * A transform's answer for `input` -> the output records: partial records are completed from the
 * input; anything that is not a record, a list of records or null/undefined is an error.
 */
export function completeReturn(input: PipeRecord, returned: unknown): TransformOutcome {
  if (returned === null || returned === undefined) return {records: []}
  const list = Array.isArray(returned) ? returned : [returned]
  const records: PipeRecord[] = []
  for (const item of list) {
    if (item === null || item === undefined) continue
    if (typeof item !== 'object' || Array.isArray(item)) {
      return {error: `the transform returned ${Array.isArray(item) ? 'a nested list' : `a ${typeof item}`}, not a record (an object with key, value, headers)`}
    }
    records.push(isWholeRecord(item as Partial<PipeRecord>, input) ? (item as PipeRecord) : {...input, ...(item as Partial<PipeRecord>)})
  }
  return {records}
}

/** Whether a returned record has every field the input has (`{...r, value}`): then it needs no copy. */
export function isWholeRecord(item: Partial<PipeRecord>, input: PipeRecord): boolean {
  return (
    item === input ||
    (item.key !== undefined && item.value !== undefined && item.headers !== undefined && item.partition !== undefined && (input.timestamp === undefined || item.timestamp !== undefined) && item.topic !== undefined)
  )
}

/** The reason an exception gives, as one line. */
export function reasonOf(error: unknown): string {
  const text = error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error)
  return text.split('\n')[0]!.slice(0, 500)
}

/** Runs transforms one after another: each output record of one is the input of the next. */
export function chainTransforms(transforms: RecordTransform[]): RecordTransform {
  if (transforms.length === 1) return transforms[0]!
  return {
    async apply(records) {
      let outcomes: TransformOutcome[] = records.map((r) => ({records: [r]}))
      for (const transform of transforms) {
        // Feed every surviving record to the next transform, then fold its outcomes back per input record.
        const feed: PipeRecord[] = []
        for (const o of outcomes) if ('records' in o) feed.push(...o.records)
        const next = feed.length === 0 ? [] : await transform.apply(feed)
        let at = 0
        outcomes = outcomes.map((o) => {
          if ('error' in o) return o
          const mine = next.slice(at, (at += o.records.length))
          const failed = mine.find((r) => 'error' in r)
          if (failed) return failed
          return {records: mine.flatMap((r) => ('records' in r ? r.records : []))}
        })
      }
      return outcomes
    },
    async close() {
      for (const t of transforms) await t.close()
    },
  }
}
