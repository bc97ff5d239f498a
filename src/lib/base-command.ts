import {Command, Errors, Flags} from '@oclif/core'

import {ExitCode, KafkitError} from './errors.js'
import {reportError} from './output/error-report.js'
import {Output} from './output/output.js'
import type {Column} from './output/table.js'
import {redactSecrets} from './secrets.js'

/**
 * Every kafkit command extends this: --json (oclif's flag), --debug, one error rendering and
 * one exit-code mapping. Commands return their data from run(); they render for humans only
 * when JSON is off.
 */
export abstract class BaseCommand extends Command {
  static enableJsonFlag = true

  static baseFlags = {
    debug: Flags.boolean({
      description: 'Show stack traces and client debug details (secrets stay masked).',
      helpGroup: 'GLOBAL',
    }),
  }

  protected out = new Output()
  /** Secret values to mask in anything printed (filled by commands that read credentials). */
  protected secrets: string[] = []

  protected get debugEnabled(): boolean {
    return debugRequested(this.argv)
  }

  /** Debug lines go to stderr and are masked like everything else. */
  protected debugLog(text: string): void {
    if (this.debugEnabled) this.out.notice(`debug: ${redactSecrets(text, this.secrets)}`)
  }

  /**
   * Result rows of a batch command (one row per item). Humans get the table; under --json a
   * failing batch still puts its rows on stdout, since oclif prints the returned data only on
   * success and the error object goes to stderr (docs/exit-codes.md).
   */
  protected renderBatch<Row>(rows: Row[], columns: readonly Column<Row>[], failed: boolean): void {
    if (!this.jsonEnabled()) this.out.table(rows, columns)
    else if (failed) this.logJson(rows)
  }

  async catch(err: Error & {exitCode?: number}): Promise<void> {
    const error = toKafkitError(err)
    // A failing command may still have a result to report (KafkitError.data): JSON users get it on stdout.
    if (this.jsonEnabled() && error.data !== undefined) this.logJson(error.data)
    endWithError(err, {json: this.jsonEnabled(), debug: this.debugEnabled, secrets: this.secrets})
  }
}

/** --debug on the command line, or KAFKIT_DEBUG=1. */
export function debugRequested(argv: readonly string[]): boolean {
  return argv.includes('--debug') || process.env.KAFKIT_DEBUG === '1'
}

export interface EndWithErrorOptions {
  json: boolean
  debug: boolean
  secrets: readonly string[]
}

/**
 * The end of every failed run (a command's catch, the unknown-command hook): the error, masked,
 * on stderr, and its exit code from errors.ts.
 */
export function endWithError(err: unknown, options: EndWithErrorOptions): void {
  const error = toKafkitError(err)
  const mask = (text: string) => redactSecrets(text, options.secrets)
  const masked = new KafkitError(error.kind, mask(error.message), {
    hint: error.hint === undefined ? undefined : mask(error.hint),
    kafkaCode: error.kafkaCode,
    exitCode: error.exitCode,
  })
  const stack = options.debug && err instanceof Error && err.stack ? mask(err.stack) : undefined
  reportError(masked, {json: options.json, stack})
  process.exitCode = error.exitCode
}

/** Turns what oclif or Node throws into a KafkitError; KafkitErrors pass through. */
export function toKafkitError(err: unknown): KafkitError {
  // oclif rewrites the message of an error thrown while parsing a flag, whatever its class.
  const parsed = err instanceof Error ? readFlagParseError(err.message) : undefined
  if (parsed !== undefined) {
    const hint = err instanceof KafkitError && err.hint ? err.hint : parsed.hint
    return new KafkitError('usage', parsed.message, {hint, exitCode: ExitCode.USAGE, cause: err})
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
