import {readFileSync} from 'node:fs'

import {usageError} from '../errors.js'

// A password piped on stdin (`--password-stdin`, as `docker login` takes it): never an argument,
// which every user of the machine can read in `ps`.

/** The first line of stdin (a trailing newline is not part of the password). */
export function readPasswordFromStdin(): string {
  if (process.stdin.isTTY) throw usageError('--password-stdin reads the password from a pipe, and stdin is a terminal', 'leave out --password-stdin to be asked for it')
  let text: string
  try {
    // File descriptor 0 is stdin.
    text = readFileSync(0, 'utf8')
  } catch (error) {
    throw usageError(`cannot read the password from stdin: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
  }
  const password = text.split(/\r?\n/, 1)[0] ?? ''
  if (password === '') throw usageError('the password on stdin is empty')
  return password
}
