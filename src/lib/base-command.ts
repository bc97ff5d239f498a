import {Command, Errors, Flags} from '@oclif/core'

import {errorToJson, ExitCode, KafkitError} from './errors.js'
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
    return this.argv.includes('--debug') || process.env.KAFKIT_DEBUG === '1'
  }

  /** Debug lines go to stderr and are masked like everything else. */
  protected debugLog(text: string): void {
    if (this.debugEnabled) process.stderr.write(`debug: ${redactSecrets(text, this.secrets)}\n`)
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
    const message = redactSecrets(error.message, this.secrets)
    const hint = error.hint === undefined ? undefined : redactSecrets(error.hint, this.secrets)
    // A failing command may still have a result to report (KafkitError.data): JSON users get it on stdout.
    if (this.jsonEnabled() && error.data !== undefined) this.logJson(error.data)
    if (this.jsonEnabled()) {
      const json = errorToJson(new KafkitError(error.kind, message, {hint, kafkaCode: error.kafkaCode, exitCode: error.exitCode}))
      process.stderr.write(JSON.stringify(json) + '\n')
    } else {
      const c = this.out.term.errColor
      process.stderr.write(`${c.red('error:')} ${message}\n`)
      if (hint) process.stderr.write(`${c.dim('hint:')} ${hint}\n`)
    }
    if (this.debugEnabled && err.stack) process.stderr.write(redactSecrets(err.stack, this.secrets) + '\n')
    process.exitCode = error.exitCode
  }
}

/** Turns what oclif or Node throws into a KafkitError; KafkitErrors pass through. */
export function toKafkitError(err: unknown): KafkitError {
  if (err instanceof KafkitError) return err
  if (err instanceof Errors.CLIError) {
    // oclif's parse errors (unknown flag, missing argument, bad option) are usage errors.
    const text = err.message.split('\n').map((l) => l.trim()).filter(Boolean)
    const [first, ...rest] = text
    const hint = rest.find((l) => l.startsWith('See more help')) ?? undefined
    return new KafkitError('usage', (first ?? 'invalid usage').replace(/^Error:\s*/, ''), {
      hint,
      exitCode: err.oclif?.exit === 0 ? ExitCode.OK : ExitCode.USAGE,
    })
  }
  const message = err instanceof Error ? err.message : String(err)
  return new KafkitError('failure', message.split('\n')[0] ?? 'unexpected error', {cause: err})
}
