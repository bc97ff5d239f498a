// oclif calls this for an unknown command (package.json oclif.hooks: the bundle's commandNotFound).
import {ExitCode} from '../lib/errors.js'

interface CommandNotFoundOptions {
  id: string
  config: {bin: string; commandIDs: string[]}
}

export default async function commandNotFound({id, config}: CommandNotFoundOptions): Promise<void> {
  const typed = id.replaceAll(':', ' ')
  const first = id.split(':')[0] ?? id
  const near = config.commandIDs.filter((c) => c.startsWith(`${first}:`) || c === first).map((c) => c.replaceAll(':', ' '))
  process.stderr.write(`error: unknown command '${typed}'\n`)
  process.stderr.write(`hint: ${near.length > 0 ? `did you mean: ${near.slice(0, 5).join(', ')}? ` : ''}see all commands with: ${config.bin} --help\n`)
  process.exitCode = ExitCode.USAGE
}
