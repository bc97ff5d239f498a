import {Flags} from '@oclif/core'

import {RegistryCommand} from '../../lib/registry-command.js'

export default class SchemasSubjects extends RegistryCommand {
  static summary = 'List the subjects of the Schema Registry.'
  static description = `One subject per line (sorted). --deleted adds soft-deleted subjects. With --json: an array of names.`

  static examples = [
    {description: 'Every subject', command: '<%= config.bin %> schemas subjects'},
    {description: 'Of another registry', command: '<%= config.bin %> schemas subjects -r http://registry:8081'},
  ]

  static flags = {
    deleted: Flags.boolean({summary: 'Include soft-deleted subjects.'}),
  }

  async run(): Promise<string[]> {
    const {flags} = await this.parse(SchemasSubjects)
    const registry = await this.registry(flags)
    const subjects = await registry.subjects({deleted: flags.deleted})
    if (this.jsonEnabled()) return subjects
    for (const subject of subjects) this.out.line(subject)
    if (subjects.length === 0 && this.out.isTTY) this.out.notice('no subjects')
    return subjects
  }
}
