import {Args, Flags} from '@oclif/core'

import {usageError} from '../../lib/errors.js'
import {schemaText} from '../../lib/output/schema-text.js'
import {RegistryCommand} from '../../lib/registry-command.js'
import type {RegisteredSchema} from '../../lib/registry/registry-client.js'
import {parseSchemaVersion} from '../../lib/registry/schema-file.js'

export default class SchemasGet extends RegistryCommand {
  static summary = 'Show a schema: a subject\'s version (latest by default), or a schema id.'
  static description = `Piped, prints the schema text alone, exactly as registered, so that it can be saved and registered again. On a terminal, its subject, version, id, type and references first. With --json: {subject, version, id, schemaType, schema, references}.`

  static examples = [
    {description: 'The latest schema of a subject', command: '<%= config.bin %> schemas get orders-value'},
    {description: 'Version 1, saved to a file', command: '<%= config.bin %> schemas get orders-value --version 1 > orders-v1.avsc'},
    {description: 'The schema a record names by its id', command: '<%= config.bin %> schemas get --id 1'},
  ]

  static args = {
    subject: Args.string({description: 'Subject, e.g. orders-value.'}),
  }

  static flags = {
    version: Flags.string({summary: 'Version number, or latest.', default: 'latest'}),
    id: Flags.integer({summary: 'A schema id instead of a subject.', min: 0}),
  }

  async run(): Promise<RegisteredSchema> {
    const {args, flags} = await this.parse(SchemasGet)
    if ((args.subject === undefined) === (flags.id === undefined)) throw usageError('give a subject or --id, one of them', 'for example: kafkit schemas get orders-value')
    const version = parseSchemaVersion(flags.version)
    const registry = await this.registry(flags)
    const schema = flags.id === undefined ? await registry.schema(args.subject!, version) : await registry.schemaById(flags.id)
    if (this.jsonEnabled()) return schema
    if (this.out.isTTY) {
      this.out.fields([
        ['Subject', schema.subject],
        ['Version', schema.version],
        ['Id', schema.id],
        ['Type', schema.schemaType],
        ...schema.references.map((r): [string, string] => ['Reference', `${r.name} = ${r.subject} version ${r.version}`]),
      ])
      this.out.line()
    }
    // Piped: the text exactly as registered, so that registering the saved file again finds the
    // same schema (the registry compares the text); on a terminal, indented for reading.
    this.out.line(this.out.isTTY ? schemaText(schema.schemaType, schema.schema) : schema.schema.replace(/\n$/, ''))
    return schema
  }
}
