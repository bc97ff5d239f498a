import {Errors} from '@oclif/core'

import {ExitCode, KafkitError} from './errors.js'

// What oclif or Node throws, turned into a KafkitError the base command can render: oclif's
// several-line parse messages become one line that names the flag, the rule and the value.

/** Turns what oclif or Node throws into a KafkitError; KafkitErrors pass through. */
export function toKafkitError(err: unknown): KafkitError {
  // oclif rewrites the message of an error thrown while parsing a flag, whatever its class.
  const parsed = err instanceof Error ? readFlagParseError(err.message) : undefined
  if (parsed !== undefined) {
    // A KafkitError thrown by a flag's own parse function keeps its kind and hint.
    if (err instanceof KafkitError) return new KafkitError(err.kind, parsed.message, {hint: err.hint ?? parsed.hint, kafkaCode: err.kafkaCode, exitCode: err.exitCode, cause: err})
    return new KafkitError('usage', parsed.message, {hint: parsed.hint, cause: err})
  }
  if (err instanceof KafkitError) return err
  if (err instanceof Errors.CLIError) {
    // oclif's other parse errors (unknown flag, missing argument, bad option) are usage errors.
    const {message, hint} = readOclifMessage(err.message)
    return new KafkitError('usage', message, {hint, exitCode: err.oclif?.exit === 0 ? ExitCode.OK : ExitCode.USAGE})
  }
  const message = err instanceof Error ? err.message : String(err)
  return new KafkitError('failure', message.split('\n')[0] ?? 'unexpected error', {cause: err})
}

const HELP_LINE = /^See more help with --help$/
// eslint-disable-next-line no-control-regex
const stripAnsi = (text: string) => text.replaceAll(/\u001B\[[0-9;]*m/g, '')

/**
 * oclif's "Parsing --NAME \n\t<what was wrong>\nSee more help with --help": one line that names
 * the flag, the rule and the value (`--partitions must be at least 1, got 0`).
 */
function readFlagParseError(text: string): {message: string; hint?: string} | undefined {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l && !HELP_LINE.test(l))
  const flag = /^Parsing (--[\w-]+)$/.exec(lines[0] ?? '')?.[1]
  if (flag === undefined) return undefined
  const detail = lines.slice(1).join(' ')
  let m: RegExpExecArray | null
  if ((m = /^Expected an integer greater than or equal to (-?\d+) but received: (.*)$/.exec(detail))) {
    return {message: `${flag} must be at least ${m[1]}, got ${m[2]}`}
  }
  if ((m = /^Expected an integer less than or equal to (-?\d+) but received: (.*)$/.exec(detail))) {
    return {message: `${flag} must be at most ${m[1]}, got ${m[2]}`}
  }
  if ((m = /^Expected an integer but received: (.*)$/.exec(detail))) {
    return {message: `${flag} must be a whole number, got '${m[1]}'`}
  }
  return {message: detail ? `${flag}: ${detail}` : `invalid ${flag}`, hint: 'see the flag in --help'}
}

/** "topic  Topic name" (oclif's two-column list) -> "topic (Topic name)". */
function listItem(line: string): string {
  const gap = /\s{2,}/.exec(line)
  return gap ? `${line.slice(0, gap.index)} (${line.slice(gap.index + gap[0].length)})` : line
}

/** oclif's usage messages are several lines (a title, then the list it is about): one line and a hint. */
function readOclifMessage(text: string): {message: string; hint?: string} {
  const lines = stripAnsi(text).split('\n').map((l) => l.trim()).filter(Boolean)
  const help = lines.find((l) => HELP_LINE.test(l))
  const body = lines.filter((l) => !HELP_LINE.test(l)).map((l) => l.replace(/^Error:\s*/, ''))
  const option = /^Expected --([\w-]+)=(.*) to be one of: (.*)$/.exec(body[0] ?? '')
  if (option) return {message: `invalid --${option[1]} '${option[2]}'`, hint: `choose one of: ${option[3]}`}
  const [first = 'invalid usage', ...rest] = body
  // "The following error occurred:" / "Missing 1 required arg:" are only titles: the detail follows.
  if (first.endsWith(':') && rest.length > 0) {
    const details = rest.filter((l) => !l.startsWith('Note:') && !l.startsWith('Alternatively,'))
    if (/^The following errors? occurred:$/.test(first)) return {message: details.join('; '), hint: help}
    return {message: `${first.slice(0, -1)}: ${details.map(listItem).join('; ')}`, hint: help}
  }
  return {message: first, hint: help}
}
