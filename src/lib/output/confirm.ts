import {createRequire} from 'node:module'

import {KafkitError} from '../errors.js'

/** Whether kafkit can ask the person anything: both stdin and stderr must be terminals. */
export const canPrompt = (): boolean => Boolean(process.stdin.isTTY && process.stderr.isTTY)

/**
 * Asks a yes/no question on stderr (stdout stays data only); the default answer is no.
 * Ctrl-C at the prompt is an interruption, not a "no".
 */
export async function confirmOnTerminal(message: string): Promise<boolean> {
  // Loaded only when a prompt is shown, and with require(): the CLI bundle runs from V8's code
  // cache, where a dynamic import() has no loader.
  const {confirm} = createRequire(import.meta.url)('@inquirer/prompts') as typeof import('@inquirer/prompts')
  try {
    return await confirm({message, default: false}, {output: process.stderr})
  } catch (error) {
    if ((error as Error).name === 'ExitPromptError') throw new KafkitError('interrupted', 'cancelled at the prompt: nothing was changed')
    throw error
  }
}
