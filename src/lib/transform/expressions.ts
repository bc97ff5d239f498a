import {usageError} from '../errors.js'
import {completeReturn, isWholeRecord, reasonOf, type PipeRecord, type RecordTransform, type TransformOutcome} from './record-transform.js'

// `--map 'EXPR'` and `--filter 'EXPR'`: short JavaScript expressions over the record `r`, run in
// the order given on the command line. A map returns what a transform returns (a record, a list,
// or null to drop); a filter keeps the record when its value is truthy. Compiled once, called per
// record in this process: the fastest of the three transform forms.

export interface ExpressionStep {
  kind: 'map' | 'filter'
  source: string
}

type Compiled = {kind: 'map' | 'filter'; source: string; run: (r: PipeRecord) => unknown}

function compile(step: ExpressionStep): Compiled {
  let run: (r: PipeRecord) => unknown
  try {
    // The expression is the user's own code, run with the user's rights: as `node -e` would.
    run = new Function('r', `"use strict"; return (${step.source}\n);`) as (r: PipeRecord) => unknown
  } catch (error) {
    throw usageError(`--${step.kind} '${step.source}': ${reasonOf(error)}`, `an expression over the record r, e.g. --${step.kind} ${step.kind === 'map' ? "'({...r, value: r.value.total})'" : "'r.value.total > 10'"}`)
  }
  return {...step, run}
}

const isThenable = (v: unknown): boolean => typeof (v as {then?: unknown} | null)?.then === 'function'

export function expressionTransform(steps: ExpressionStep[]): RecordTransform {
  const compiled = steps.map(compile)
  const one = (input: PipeRecord): TransformOutcome => {
    let current = [input]
    for (const step of compiled) {
      const next: PipeRecord[] = []
      for (const r of current) {
        let result: unknown
        try {
          result = step.run(r)
        } catch (error) {
          return {error: `--${step.kind} '${step.source}' threw: ${reasonOf(error)}`}
        }
        if (isThenable(result)) return {error: `--${step.kind} '${step.source}' returned a Promise: use --transform FILE for asynchronous code`}
        if (step.kind === 'filter') {
          if (result) next.push(r)
          continue
        }
        const outcome = completeReturn(r, result)
        if ('error' in outcome) return {error: `--map '${step.source}': ${outcome.error}`}
        for (const out of outcome.records) next.push(out)
      }
      current = next
      if (current.length === 0) break
    }
    return {records: current}
  }
  // The common case, one --map returning a whole record: no lists made per record.
  const only = compiled.length === 1 && compiled[0]!.kind === 'map' ? compiled[0]! : undefined
  const single = (input: PipeRecord): TransformOutcome => {
    let result: unknown
    try {
      result = only!.run(input)
    } catch (error) {
      return {error: `--map '${only!.source}' threw: ${reasonOf(error)}`}
    }
    // A whole record (a Promise never is one: it has no key, value, headers...).
    if (result !== null && typeof result === 'object' && !Array.isArray(result) && isWholeRecord(result as PipeRecord, input)) return {records: [result as PipeRecord]}
    if (isThenable(result)) return {error: `--map '${only!.source}' returned a Promise: use --transform FILE for asynchronous code`}
    const outcome = completeReturn(input, result)
    return 'error' in outcome ? {error: `--map '${only!.source}': ${outcome.error}`} : outcome
  }
  return {
    apply: async (records) => records.map(only ? single : one),
    close: async () => {},
  }
}

/**
 * The --map and --filter expressions in the order they were typed (oclif keeps each flag's
 * values apart; the order between the two matters).
 */
export function expressionSteps(rawArgv: readonly string[]): ExpressionStep[] {
  const steps: ExpressionStep[] = []
  for (let i = 0; i < rawArgv.length; i++) {
    const token = rawArgv[i]!
    if (token === '--') break
    const match = /^--(map|filter)(?:=([\s\S]*))?$/.exec(token)
    if (!match) continue
    const kind = match[1] as 'map' | 'filter'
    const source = match[2] ?? rawArgv[++i]
    if (source !== undefined) steps.push({kind, source})
  }
  return steps
}
