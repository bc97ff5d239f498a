import {createHash} from 'node:crypto'
import {createRequire} from 'node:module'

import {KafkitError, usageError} from '../errors.js'
import {registryLibrary} from './library.js'

// .proto text as the Protobuf serdes need it. The serdes (@bufbuild/protobuf inside
// @confluentinc/schemaregistry) read a schema only as a serialized FileDescriptorProto, which
// Confluent's registry derives from the text when asked (`?format=serialized`). Registries that
// keep the text as given (Apicurio; any schema that Java's serializer or `kafkit schemas register`
// wrote as .proto text) answer with the text itself. Here protobufjs parses the text, and its
// reflection tree is written out as the descriptor protoc would give: messages, fields, oneofs
// (proto3 `optional` as synthetic oneofs), maps (as nested *Entry messages), enums, imports.
// Records are still encoded and decoded by the serdes; only the schema is compiled here.

type Protobufjs = typeof import('protobufjs')
type PbNamespace = import('protobufjs').Namespace
type PbType = import('protobufjs').Type
type PbEnum = import('protobufjs').Enum
type PbField = import('protobufjs').Field
type PbMapField = import('protobufjs').MapField
type PbRoot = import('protobufjs').Root

/** A schema as the registry gives it, with what its references name. */
export interface ProtoSchemaText {
  schema: string
  references?: {name: string; subject: string; version: number}[]
}

/** Fetches a referenced schema's text (its own references included). */
export type FetchReference = (subject: string, version: number) => Promise<ProtoSchemaText>

const load = createRequire(import.meta.url)
let protobufjs: Protobufjs | undefined

function loadProtobufjs(): Protobufjs {
  try {
    return (protobufjs ??= load('protobufjs') as Protobufjs)
  } catch (error) {
    throw new KafkitError('environment', `the .proto parser (protobufjs) failed to load: ${(error as Error).message.split('\n')[0]}`, {hint: 'run: bash scripts/setup.sh', cause: error})
  }
}

/** True for a serialized descriptor in base64 (what the serdes want), false for .proto text. */
export function isSerializedDescriptor(schema: string): boolean {
  return /^[A-Za-z0-9+/=\s]+$/.test(schema)
}

/** Fails with protobufjs's position (line) when a .proto text does not parse. */
export function checkProtoText(file: string, text: string): void {
  parse(file, text, undefined)
}

function parse(file: string, text: string, root: PbRoot | undefined): {package?: string; imports: string[]; root: PbRoot; syntax: 'proto2' | 'proto3'} {
  const pb = loadProtobufjs()
  const syntax = /^\s*syntax\s*=\s*["'](proto[23])["']/m.exec(text)?.[1] as 'proto2' | 'proto3' | undefined
  if (/^\s*edition\s*=/m.test(text)) throw usageError(`${file}: Protobuf editions are not supported; use syntax = "proto3" or "proto2"`)
  try {
    const parsed = pb.parse(text, root ?? new pb.Root(), {keepCase: true})
    return {package: parsed.package, imports: [...(parsed.imports ?? []), ...(parsed.weakImports ?? [])], root: parsed.root, syntax: syntax ?? 'proto2'}
  } catch (error) {
    throw usageError(`${file}: not a valid .proto file: ${(error as Error).message.replace(/^illegal/, 'unexpected')}`)
  }
}

/**
 * The base64 FileDescriptorProto of a .proto text, its imports fetched by `fetchReference`
 * (google/protobuf/* come with protobufjs, as the serdes know them by name).
 */
export async function serializedDescriptor(name: string, main: ProtoSchemaText, fetchReference: FetchReference): Promise<string> {
  const pb = loadProtobufjs()
  // Every file parsed into one root resolves types across files; each file's own parse says
  // which top-level definitions are its own.
  const combined = new pb.Root()
  const seen = new Set<string>()
  const addFile = async (fileName: string, text: ProtoSchemaText): Promise<void> => {
    if (seen.has(fileName)) return
    seen.add(fileName)
    const parsed = parse(fileName, text.schema, combined)
    for (const imported of parsed.imports) {
      if (imported.startsWith('google/protobuf/')) {
        if (!seen.has(imported)) {
          seen.add(imported)
          const common = pb.common.get(imported)
          if (!common) throw usageError(`${fileName}: unknown well-known import '${imported}'`)
          combined.addJSON(common.nested!)
        }
        continue
      }
      const reference = text.references?.find((r) => r.name === imported)
      if (!reference) throw usageError(`${fileName}: imports '${imported}', which the schema's references do not name`, 'register it with --reference NAME=SUBJECT:VERSION')
      await addFile(imported, await fetchReference(reference.subject, reference.version))
    }
  }
  await addFile(name, main)
  try {
    combined.resolveAll()
  } catch (error) {
    throw usageError(`${name}: ${(error as Error).message}`)
  }
  const own = parse(name, main.schema, undefined)
  const descriptor = fileDescriptor(name, own, combined)
  // The serdes' own copy of @bufbuild/protobuf (packed with them), which reads these bytes.
  const {bufbuild: protobuf, bufbuildWkt: wkt} = registryLibrary()
  return Buffer.from(protobuf.toBinary(wkt.FileDescriptorProtoSchema, protobuf.create(wkt.FileDescriptorProtoSchema, descriptor as never))).toString('base64')
}

/** A file name for a schema that has none (the registry names only references): stable per text. */
export function protoFileName(text: string): string {
  return `kafkit-${createHash('sha256').update(text).digest('hex').slice(0, 16)}.proto`
}

// ---------- protobufjs reflection -> descriptor fields ----------

const SCALAR_TYPES: Record<string, number> = {
  double: 1, float: 2, int64: 3, uint64: 4, int32: 5, fixed64: 6, fixed32: 7, bool: 8, string: 9, bytes: 12, uint32: 13, sfixed32: 15, sfixed64: 16, sint32: 17, sint64: 18,
}
const TYPE_MESSAGE = 11
const TYPE_ENUM = 14
const LABEL_OPTIONAL = 1
const LABEL_REQUIRED = 2
const LABEL_REPEATED = 3

type Descriptor = Record<string, unknown>

function fileDescriptor(name: string, own: {package?: string; imports: string[]; root: PbRoot; syntax: string}, combined: PbRoot): Descriptor {
  const scope = own.package ? own.root.lookup(own.package) as PbNamespace : own.root
  const pb = loadProtobufjs()
  const messageType: Descriptor[] = []
  const enumType: Descriptor[] = []
  for (const definition of scope.nestedArray) {
    const resolved = combined.lookup(definition.fullName)
    if (resolved instanceof pb.Type) messageType.push(messageDescriptor(resolved, own.syntax))
    else if (resolved instanceof pb.Enum) enumType.push(enumDescriptor(resolved))
  }
  return {name, package: own.package ?? '', dependency: own.imports, messageType, enumType, syntax: own.syntax === 'proto3' ? 'proto3' : ''}
}

/** protoc's name for a map field's entry message: `counts` -> `CountsEntry`, `by_city` -> `ByCityEntry`. */
function mapEntryName(field: string): string {
  return `${field.replace(/(?:^|_)([a-z0-9])/g, (_, c: string) => c.toUpperCase())}Entry`
}

function messageDescriptor(type: PbType, syntax: string): Descriptor {
  const pb = loadProtobufjs()
  const nestedType: Descriptor[] = []
  const enumType: Descriptor[] = []
  for (const nested of type.nestedArray) {
    if (nested instanceof pb.Type) nestedType.push(messageDescriptor(nested, syntax))
    else if (nested instanceof pb.Enum) enumType.push(enumDescriptor(nested))
  }
  // Real oneofs first, then proto3 `optional`'s synthetic ones, as protoc orders them.
  const synthetic = (o: import('protobufjs').OneOf) => o.fieldsArray.length === 1 && Boolean(o.fieldsArray[0]!.options?.['proto3_optional'])
  const oneofs = [...type.oneofsArray.filter((o) => !synthetic(o)), ...type.oneofsArray.filter(synthetic)]
  const field = type.fieldsArray.map((f) => {
    if (f instanceof pb.MapField) {
      nestedType.push(mapEntryDescriptor(f))
      return {name: f.name, number: f.id, label: LABEL_REPEATED, type: TYPE_MESSAGE, typeName: `${type.fullName}.${mapEntryName(f.name)}`}
    }
    return fieldDescriptor(f, oneofs.findIndex((o) => o === f.partOf))
  })
  return {name: type.name, field, nestedType, enumType, oneofDecl: oneofs.map((o) => ({name: o.name}))}
}

function fieldDescriptor(f: PbField, oneofIndex: number): Descriptor {
  const pb = loadProtobufjs()
  const label = f.repeated ? LABEL_REPEATED : f.required ? LABEL_REQUIRED : LABEL_OPTIONAL
  const descriptor: Descriptor = {name: f.name, number: f.id, label}
  const scalar = SCALAR_TYPES[f.type]
  if (scalar !== undefined) descriptor['type'] = scalar
  else if (f.resolvedType instanceof pb.Enum) Object.assign(descriptor, {type: TYPE_ENUM, typeName: f.resolvedType.fullName})
  else if (f.resolvedType) Object.assign(descriptor, {type: TYPE_MESSAGE, typeName: f.resolvedType.fullName})
  else throw usageError(`field ${f.fullName.slice(1)}: unknown type '${f.type}'`)
  if (oneofIndex >= 0) descriptor['oneofIndex'] = oneofIndex
  if (f.options?.['proto3_optional']) descriptor['proto3Optional'] = true
  const options: Descriptor = {}
  if (f.options?.['packed'] !== undefined) options['packed'] = Boolean(f.options['packed'])
  if (Object.keys(options).length > 0) descriptor['options'] = options
  if (f.options?.['default'] !== undefined) descriptor['defaultValue'] = String(f.options['default'])
  return descriptor
}

function mapEntryDescriptor(f: PbMapField): Descriptor {
  const value = new (loadProtobufjs().Field)('value', 2, f.type)
  // The value's type was resolved on the map field: give it to the stand-in field.
  ;(value as unknown as {resolvedType: unknown}).resolvedType = f.resolvedType
  return {
    name: mapEntryName(f.name),
    field: [{name: 'key', number: 1, label: LABEL_OPTIONAL, type: SCALAR_TYPES[f.keyType]}, fieldDescriptor(value, -1)],
    options: {mapEntry: true},
  }
}

function enumDescriptor(e: PbEnum): Descriptor {
  return {name: e.name, value: Object.entries(e.values).map(([name, number]) => ({name, number}))}
}
