import {Args} from '@oclif/core'

import {BaseCommand} from '../../lib/base-command.js'
import {usageError} from '../../lib/errors.js'
import {completionScript, SHELLS, type Shell} from '../../lib/completion/scripts.js'

export default class Autocomplete extends BaseCommand {
  static enableJsonFlag = false
  static summary = 'Print the shell completion script for bash, zsh or fish.'
  static description = `Completes commands, flags, enum values (formats, --on-error, --output ...), offset keywords for -o, librdkafka properties for -X, profile names, and from the cluster: topic names (and their partitions, for -p and after --topic NAME:), group names and topic config keys for --config. The cluster is the one the line names (-b, --profile, -X, --command-config) or the environment names, as the command itself would use. Broker look-ups are bounded to 300 ms and cached for 30 s under $XDG_CACHE_HOME/kafkit (or ~/.cache/kafkit); an unreachable broker gives the other completions, quietly. See docs/completion.md.

Install it with one of the lines below, then open a new shell.`

  static examples = [
    {description: 'Install for bash', command: `echo 'eval "$(<%= config.bin %> autocomplete bash)"' >> ~/.bashrc`},
    {description: 'Install for zsh', command: `echo 'source <(<%= config.bin %> autocomplete zsh)' >> ~/.zshrc`},
    {description: 'Install for fish', command: 'mkdir -p ~/.config/fish/completions && <%= config.bin %> autocomplete fish > ~/.config/fish/completions/<%= config.bin %>.fish'},
    {description: 'bash with the bash-completion package: loaded on first use, nothing added to shell start-up', command: 'mkdir -p ~/.local/share/bash-completion/completions && <%= config.bin %> autocomplete bash > ~/.local/share/bash-completion/completions/<%= config.bin %>'},
    {description: 'zsh, as a function file on $fpath', command: '<%= config.bin %> autocomplete zsh > "${fpath[1]}/_<%= config.bin %>"'},
    {description: 'Try it in the current bash', command: 'eval "$(<%= config.bin %> autocomplete bash)"'},
  ]

  static args = {
    shell: Args.string({description: 'The shell (default: the one $SHELL names).', options: [...SHELLS]}),
  }

  async run(): Promise<void> {
    const {args} = await this.parse(Autocomplete)
    const shell = args.shell ?? this.config.shell
    if (!SHELLS.includes(shell as Shell)) throw usageError(`no completion for the shell '${shell}'`, `name one: kafkit autocomplete ${SHELLS.join('|')}`)
    this.out.write(completionScript(shell as Shell, this.config.bin))
  }
}
