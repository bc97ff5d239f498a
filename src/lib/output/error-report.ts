import {errorToJson, type KafkitError} from '../errors.js'
import {terminal, type Terminal} from './terminal.js'

// How a failure looks on stderr, for commands and hooks alike: `error:` and `hint:` lines
// coloured by stderr's colour rules, or under --json one JSON object (docs/exit-codes.md).

export interface ErrorReportOptions {
  json: boolean
  /** The stack trace to add (--debug), already masked. */
  stack?: string
}

export function reportError(error: KafkitError, options: ErrorReportOptions, term: Terminal = terminal()): void {
  if (options.json) {
    process.stderr.write(JSON.stringify(errorToJson(error)) + '\n')
  } else {
    const c = term.errColor
    // Ctrl-C is something the person did, not something that went wrong: no red "error:".
    const label = error.kind === 'interrupted' ? c.yellow('stopped:') : c.red('error:')
    process.stderr.write(`${label} ${error.message}\n`)
    if (error.hint) process.stderr.write(`${c.dim('hint:')} ${error.hint}\n`)
  }
  if (options.stack) process.stderr.write(options.stack + '\n')
}
