// oclif calls this for an unknown command (package.json oclif.hooks: the bundle's commandNotFound).
// It ends like a failed command: a usage error rendered by the base command's rules (--json, colour).
import {debugRequested, endWithError} from '../lib/base-command.js'
import {explainUnknownCommand} from '../lib/command-suggestions.js'
import {usageError} from '../lib/errors.js'

interface CommandNotFoundOptions {
  id: string
  argv?: string[]
  config: {bin: string; commandIDs: string[]}
}

export default async function commandNotFound({id, argv = [], config}: CommandNotFoundOptions): Promise<void> {
  const {typed, suggestions} = explainUnknownCommand(id.split(':'), config.commandIDs)
  const hint = `${suggestions.length > 0 ? `did you mean: ${suggestions.join(', ')}? ` : ''}see all commands with: ${config.bin} --help`
  endWithError(usageError(`unknown command '${typed}'`, hint), {
    json: argv.includes('--json'),
    debug: debugRequested(argv),
    secrets: [],
  })
}
