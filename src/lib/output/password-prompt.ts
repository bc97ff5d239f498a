import {createRequire} from 'node:module'

import {KafkitError, usageError} from '../errors.js'

// Asking for a new password on the terminal, twice, echoing nothing (stdout stays data only).

/** Asks for a password and its confirmation on stderr; Ctrl-C is an interruption. */
export async function promptNewPassword(subject: string): Promise<string> {
  // Loaded only when a prompt is shown (see confirm.ts for why require()).
  const {password} = createRequire(import.meta.url)('@inquirer/prompts') as typeof import('@inquirer/prompts')
  try {
    const first = await password({message: `Password for ${subject}:`, mask: false, validate: (v) => (v === '' ? 'the password is empty' : true)}, {output: process.stderr})
    const second = await password({message: 'Again:', mask: false}, {output: process.stderr})
    if (first !== second) throw usageError('the two passwords differ: nothing was changed')
    return first
  } catch (error) {
    if ((error as Error).name === 'ExitPromptError') throw new KafkitError('interrupted', 'cancelled at the prompt: nothing was changed')
    throw error
  }
}
