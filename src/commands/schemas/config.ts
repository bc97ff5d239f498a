import {Args, Flags} from '@oclif/core'

import {RegistryCommand} from '../../lib/registry-command.js'

const LEVELS = ['BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE', 'NONE'] as const

export default class SchemasConfig extends RegistryCommand {
  static summary = 'Show or set the compatibility level, of a subject or the global one.'
  static description = `Without --compatibility, prints the level (piped: the level alone; a subject without its own shows the global one, and says so on a terminal). With it, sets it.`

  static examples = [
    {description: 'The global level', command: '<%= config.bin %> schemas config'},
    {description: 'Allow any change to one subject', command: '<%= config.bin %> schemas config orders-value --compatibility NONE'},
  ]

  static args = {
    subject: Args.string({description: 'Subject; without it, the global config.'}),
  }

  static flags = {
    compatibility: Flags.string({summary: 'Set this level.', options: [...LEVELS]}),
  }

  async run(): Promise<{subject: string | null; compatibility: string; source: 'subject' | 'global'}> {
    const {args, flags} = await this.parse(SchemasConfig)
    const registry = await this.registry(flags)
    const subject = args.subject ?? null
    if (flags.compatibility !== undefined) {
      const level = await registry.setCompatibility(flags.compatibility, args.subject)
      const result = {subject, compatibility: level, source: subject === null ? ('global' as const) : ('subject' as const)}
      if (!this.jsonEnabled()) this.out.line(level)
      return result
    }
    const {level, source} = await registry.compatibility(args.subject)
    const result = {subject, compatibility: level, source}
    if (this.jsonEnabled()) return result
    this.out.line(level)
    if (this.out.isTTY && subject !== null && source === 'global') this.out.notice(`subject '${subject}' has no level of its own: this is the global one`)
    return result
  }
}
