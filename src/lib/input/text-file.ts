import {readFileSync} from 'node:fs'

import {KafkitError} from '../errors.js'

// A whole small text file, or stdin for '-' (e.g. the plan reset-offsets reads with --from-file).

export interface TextInput {
  text: string
  /** How messages name it: the path, or "stdin". */
  name: string
}

/** Reads the file (or stdin for '-') as UTF-8; one that cannot be read is not_found, naming `what` and the reason. */
export function readTextInput(source: string, what = 'file'): TextInput {
  try {
    // File descriptor 0 is stdin.
    return {text: readFileSync(source === '-' ? 0 : source, 'utf8'), name: source === '-' ? 'stdin' : source}
  } catch (error) {
    throw new KafkitError('not_found', `cannot read the ${what} ${source}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
  }
}
