import {KafkitError, usageError} from '../errors.js'
import type {Serializer} from '../records/serializers.js'
import {registrySerializer, type SchemaFormat} from './record-codecs.js'
import type {LibrarySchemaInfo, RegistryClient} from './registry-client.js'
import {readSchemaInput, type SchemaInput, type SchemaType} from './schema-file.js'

// Which schema `kafkit produce` writes a key or value with (docs/schema-registry.md): an id, a
// subject's version, or a schema file (registered under the subject unless --no-auto-register),
// the subject named by --subject-strategy (topic: <topic>-value / <topic>-key, as Confluent's
// TopicNameStrategy; record: the record's full name; topic-record: <topic>-<record name>).

export const SUBJECT_STRATEGIES = ['topic', 'record', 'topic-record'] as const
export type SubjectStrategy = (typeof SUBJECT_STRATEGIES)[number]

export interface SchemaChoice {
  topic: string
  isKey: boolean
  /** The --key-format / --value-format given (registry: any type). */
  format: SchemaFormat | 'registry'
  id?: number
  subject?: string
  version?: number | 'latest'
  file?: SchemaInput
  strategy: SubjectStrategy
  autoRegister: boolean
  /** The schema may be given by each record instead (jsonl with schema ids): no default is then not an error. */
  optional?: boolean
}

/** The schema file type each format writes with. */
export const SCHEMA_TYPE_OF: Record<SchemaFormat, SchemaType> = {avro: 'avro', protobuf: 'protobuf', 'json-schema': 'json'}
const REGISTRY_TYPE: Record<SchemaType, string> = {avro: 'AVRO', protobuf: 'PROTOBUF', json: 'JSON'}

/** The record name the record strategies use: Avro's full name, JSON Schema's title, the first Protobuf message. */
function recordName(file: SchemaInput): string | undefined {
  if (file.schemaType === 'protobuf') {
    const pkg = /^\s*package\s+([\w.]+)\s*;/m.exec(file.schema)?.[1]
    const message = /^\s*message\s+(\w+)/m.exec(file.schema)?.[1]
    return message && (pkg ? `${pkg}.${message}` : message)
  }
  const schema = JSON.parse(file.schema) as {name?: string; namespace?: string; title?: string}
  if (file.schemaType === 'json') return schema.title
  if (!schema.name) return undefined
  return schema.name.includes('.') || !schema.namespace ? schema.name : `${schema.namespace}.${schema.name}`
}

export function subjectFor(choice: Pick<SchemaChoice, 'topic' | 'isKey' | 'strategy' | 'file'>): string {
  const field = choice.isKey ? 'key' : 'value'
  if (choice.strategy === 'topic') return `${choice.topic}-${field}`
  const name = choice.file ? recordName(choice.file) : undefined
  if (!name) {
    throw usageError(`--subject-strategy ${choice.strategy} needs the record's name`, `give --${field}-schema-file with a named schema, or --${field}-schema-subject`)
  }
  return choice.strategy === 'record' ? name : `${choice.topic}-${name}`
}

/** The chosen schema's id and text (Protobuf: as a serialized descriptor), or undefined when optional and none is registered. */
export async function chooseSchema(client: RegistryClient, choice: SchemaChoice): Promise<{id: number; info: LibrarySchemaInfo} | undefined> {
  const byId = async (id: number) => {
    let info = await client.schemaInfoById(id)
    if (info.schemaType === 'PROTOBUF') info = await client.schemaInfoById(id, 'serialized')
    return {id, info}
  }
  if (choice.id !== undefined) return byId(choice.id)
  if (choice.file) {
    const file = choice.file
    if (choice.format !== 'registry' && SCHEMA_TYPE_OF[choice.format] !== file.schemaType) {
      throw usageError(`${file.name} holds a ${file.schemaType} schema, but the format is ${choice.format}`)
    }
    const subject = choice.subject ?? subjectFor(choice)
    const info: LibrarySchemaInfo = {schemaType: REGISTRY_TYPE[file.schemaType], schema: file.schema, references: file.references}
    if (choice.autoRegister) return byId((await client.register(subject, file)).id)
    try {
      return byId(await client.idOf(subject, info))
    } catch (error) {
      if (error instanceof KafkitError && error.kind === 'not_found') {
        throw new KafkitError('not_found', `${file.name} is not registered under subject '${subject}' (--no-auto-register)`, {hint: 'register it with: kafkit schemas register, or drop --no-auto-register'})
      }
      throw error
    }
  }
  const subject = choice.subject ?? subjectFor(choice)
  try {
    const registered = await client.schema(subject, choice.version ?? 'latest')
    return byId(registered.id)
  } catch (error) {
    if (choice.optional && error instanceof KafkitError && error.kind === 'not_found') return undefined
    throw error
  }
}

/**
 * A serializer that writes with the chosen schema, for produce's formats and pipe's output
 * formats: a schema file (`filePath`, read as the format's schema type) is registered or looked
 * up first. Also gives the schema's id (none when optional and nothing is registered).
 */
export async function writingSerializer(
  client: RegistryClient,
  choice: Omit<SchemaChoice, 'file'> & {filePath?: string},
  protoMessage?: string,
): Promise<{serializer: Serializer; schemaId?: number}> {
  const {filePath, ...rest} = choice
  // The format says what the file holds (a JSON Schema without $schema would pass for Avro).
  const file = filePath === undefined ? undefined : readSchemaInput({file: filePath, type: choice.format === 'registry' ? undefined : SCHEMA_TYPE_OF[choice.format]})
  const schema = await chooseSchema(client, {...rest, file})
  return {serializer: await registrySerializer(choice.format, client, {isKey: choice.isKey, defaultSchema: schema, protoMessage}), schemaId: schema?.id}
}
