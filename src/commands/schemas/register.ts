import {Args} from '@oclif/core'

import {RegistryCommand, schemaFileFlags} from '../../lib/registry-command.js'
import {readSchemaInput, type SchemaType} from '../../lib/registry/schema-file.js'

export default class SchemasRegister extends RegistryCommand {
  static summary = 'Register a schema under a subject (Avro, Protobuf or JSON Schema).'
  static description = `Prints the schema id (piped: the id alone). Registering a schema the subject has already gives its existing id and version (the registry compares the text; kafkit drops trailing blank space, such as the newline editors add, so a file saved from 'schemas get' registers as the same schema).
The type comes from --type, else from the file: .proto is protobuf, .avsc avro, JSON with "$schema" or "properties" JSON Schema, other JSON avro.
A schema the subject's compatibility rule refuses fails with exit 7 and the registry's reason; a file that does not parse with exit 2 and the position.`

  static examples = [
    {description: 'Register an Avro schema for the values of topic orders', command: '<%= config.bin %> schemas register orders-value --file order.avsc'},
    {description: 'With a reference to another subject', command: '<%= config.bin %> schemas register orders-value --file order.avsc --reference com.acme.Address=address-value:1'},
  ]

  static args = {
    subject: Args.string({description: 'Subject, e.g. orders-value (TopicNameStrategy: TOPIC-key / TOPIC-value).', required: true}),
  }

  static flags = {
    ...schemaFileFlags,
  }

  async run(): Promise<{subject: string; id: number; version: number; schemaType: SchemaType}> {
    const {args, flags} = await this.parse(SchemasRegister)
    const {schemaType, schema, references} = readSchemaInput(flags)
    const registry = await this.registry(flags)
    const {id, version} = await registry.register(args.subject, {schemaType, schema, references})
    const result = {subject: args.subject, id, version, schemaType}
    if (this.jsonEnabled()) return result
    if (this.out.isTTY) this.out.fields([['Subject', args.subject], ['Version', version], ['Id', id], ['Type', schemaType]], 'Registered')
    else this.out.line(String(id))
    return result
  }
}
