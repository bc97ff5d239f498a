import {Command, Flags, type Interfaces} from '@oclif/core'

import {debugFromEnvironment} from './config/switches.js'
import {toKafkitError} from './error-translation.js'
import {KafkitError} from './errors.js'
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

  async init(): Promise<void> {
    await super.init()
    this.out.jsonWarnings = this.jsonEnabled()
  }

  /**
   * oclif's parse, with `argv` the positional words in the order typed: oclif moves a later
   * repeat of the first argument's word forward (`a b a` comes back as a, a, b), which reorders
   * topic lists and made `pipe a b a` take the wrong word for its destination.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- oclif's own constraint ({[name: string]: any}), which it does not export
  protected async parse<F extends Record<string, any>, B extends Record<string, any>, A extends Record<string, any>>(
    options?: Interfaces.Input<F, B, A>,
    argv?: string[],
  ): Promise<Interfaces.ParserOutput<F, B, A>> {
    const parsed = await super.parse(options, argv)
    return {...parsed, argv: parsed.raw.flatMap((token) => (token.type === 'arg' ? [token.input] : []))}
  }

  protected get debugEnabled(): boolean {
    return debugRequested(this.argv)
  }

  /** Debug lines go to stderr and are masked like everything else. */
  protected debugLog(text: string): void {
    if (this.debugEnabled) this.out.notice(`debug: ${redactSecrets(text, this.secrets)}`)
  }

  /** A batch's ERROR column: always piped (a stable shape for scripts), on a terminal only when something failed. */
  protected errorColumn<Row>(error: (row: Row) => string | undefined, anyFailed: boolean): Column<Row>[] {
    return anyFailed || !this.out.isTTY ? [{header: 'ERROR', value: (r) => error(r) ?? ''}] : []
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
  return argv.includes('--debug') || debugFromEnvironment()
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
