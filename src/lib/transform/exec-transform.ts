import {spawn, type ChildProcessByStdio} from 'node:child_process'
import type {Readable, Writable} from 'node:stream'

import {KafkitError} from '../errors.js'
import {completeReturn, type PipeRecord, type RecordTransform, type TransformOutcome} from './record-transform.js'

// `--exec 'CMD'`: any program, in any language, run once through /bin/sh. It reads jsonl records
// on stdin and writes, for each input line, exactly one output line, in order: a record, a JSON
// array of records, or null. Records are written a batch at a time while its answers are read,
// so the program never waits on a full pipe. A program that exits, or writes a line that is not
// one of those, stops the pipe (nothing past the last committed transaction is committed).
// Its stderr is kafkit's stderr.

export function execTransform(command: string): RecordTransform {
  const child = spawn('/bin/sh', ['-c', command], {stdio: ['pipe', 'pipe', 'inherit']}) as ChildProcessByStdio<Writable, Readable, null>
  const lines: string[] = []
  let partial = ''
  let ended: KafkitError | undefined
  let wake: (() => void) | undefined
  let handled = 0
  const what = `--exec '${command}'`

  const stop = (error: KafkitError) => {
    ended ??= error
    wake?.()
  }
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n')
    partial = parts.pop()!
    for (const line of parts) lines.push(line)
    wake?.()
  })
  child.on('error', (error) => stop(new KafkitError('usage', `${what}: cannot run it: ${error.message}`)))
  child.on('close', (code, signal) => {
    stop(new KafkitError('usage', `${what} ${signal ? `was killed by ${signal}` : `exited with code ${code}`} after answering ${handled} record(s)`, {hint: 'the program must keep reading records from stdin and answer each with one line until stdin ends'}))
  })
  // A program that exits closes its stdin: the write fails with EPIPE, and the exit explains it.
  child.stdin.on('error', () => {})

  const nextLine = async (): Promise<string> => {
    while (lines.length === 0) {
      if (ended) throw ended
      await new Promise<void>((resolve) => (wake = resolve))
      wake = undefined
    }
    return lines.shift()!
  }

  const write = async (text: string) => {
    if (ended) throw ended
    if (!child.stdin.write(text)) await new Promise<void>((resolve) => {
      child.stdin.once('drain', resolve)
      child.once('close', () => resolve())
    })
  }

  return {
    async apply(records: PipeRecord[]): Promise<TransformOutcome[]> {
      if (lines.length > 0) throw new KafkitError('usage', `${what} wrote more lines than it was given records (after ${handled})`, {hint: 'answer each input line with exactly one line: a record, a JSON array of records, or null'})
      let text = ''
      for (const r of records) text += JSON.stringify(r) + '\n'
      const writing = write(text)
      const outcomes: TransformOutcome[] = []
      for (const input of records) {
        const line = await nextLine()
        let parsed: unknown
        try {
          parsed = JSON.parse(line)
        } catch {
          throw new KafkitError('usage', `${what}: answer ${handled + 1} is not JSON: ${line.slice(0, 80)}`, {hint: 'answer each input line with exactly one line: a record, a JSON array of records, or null'})
        }
        const outcome = completeReturn(input, parsed)
        if ('error' in outcome) throw new KafkitError('usage', `${what}: answer ${handled + 1}: ${outcome.error}`)
        outcomes.push(outcome)
        handled++
      }
      await writing
      return outcomes
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.stdin.end()
      const exited = new Promise<void>((resolve) => child.once('close', () => resolve()))
      const timer = setTimeout(() => child.kill('SIGTERM'), 5000)
      await exited
      clearTimeout(timer)
    },
  }
}
