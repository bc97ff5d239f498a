import {Args, Flags} from '@oclif/core'

import {usageError} from '../../lib/errors.js'
import {canPrompt, confirmOnTerminal} from '../../lib/output/confirm.js'
import {RegistryCommand} from '../../lib/registry-command.js'
import {parseSchemaVersion} from '../../lib/registry/schema-file.js'

export default class SchemasDelete extends RegistryCommand {
  static summary = 'Delete a subject (every version) or one version of it.'
  static description = `A soft delete by default: the registry keeps the schemas (see them with schemas subjects --deleted, and ids still resolve). --permanent removes them for good (soft-deleting first, as the registry requires).
On a terminal kafkit asks first, unless --yes; without a terminal it needs --yes. Prints the versions deleted, one per line.`

  static examples = [
    {description: 'Delete a subject (asks on a terminal)', command: '<%= config.bin %> schemas delete orders-value'},
    {description: 'One version, for good, in a script', command: '<%= config.bin %> schemas delete orders-value --version 1 --permanent --yes'},
  ]

  static args = {
    subject: Args.string({description: 'Subject, e.g. orders-value.', required: true}),
  }

  static flags = {
    version: Flags.string({summary: 'Delete only this version (a number, or latest).'}),
    permanent: Flags.boolean({summary: 'Delete for good (hard delete).'}),
    yes: Flags.boolean({char: 'y', summary: 'Do not ask for confirmation.'}),
  }

  async run(): Promise<{subject: string; deleted: number[]}> {
    const {args, flags} = await this.parse(SchemasDelete)
    const version = flags.version === undefined ? undefined : parseSchemaVersion(flags.version)
    if (!flags.yes && !canPrompt()) throw usageError('schemas delete needs --yes when kafkit cannot ask (stdin or stderr is not a terminal)')
    const registry = await this.registry(flags)
    const what = `${version === undefined ? `subject '${args.subject}' (every version)` : `version ${version} of subject '${args.subject}'`}${flags.permanent ? ', permanently' : ''}`
    if (!flags.yes && !(await confirmOnTerminal(`Delete ${what}?`))) {
      this.out.notice('nothing deleted')
      return {subject: args.subject, deleted: []}
    }
    const exact = version === 'latest' ? (await registry.schema(args.subject, 'latest')).version : version
    const deleted = await registry.delete(args.subject, {version: exact, permanent: flags.permanent})
    if (this.jsonEnabled()) return {subject: args.subject, deleted}
    for (const each of deleted) this.out.line(String(each))
    this.out.notice(`deleted ${what}`)
    return {subject: args.subject, deleted}
  }
}
