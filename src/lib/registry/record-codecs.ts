import {KafkitError} from '../errors.js'
import {SerializationError, wireSchemaId, type Serializer} from '../records/serializers.js'
import {avroJsonWriter, avroToJson} from './avro-json-writer.js'
import {registryLibrary} from './library.js'
import {readableLogicalTypes} from './avro-logical-types.js'
import type {LibrarySchemaInfo, RegistryClient} from './registry-client.js'
import {TextOutput} from '../records/text-output.js'

// The Schema Registry formats of --key-format / --value-format (avro, protobuf, json-schema, and
// registry: whichever type the record's schema id names), as entries of the serializer registry
// (records/serializers.ts). Records are in Confluent's wire format: magic byte 0, the schema id
// (4 bytes big-endian), for Protobuf the message indexes, then the encoded value.
//
// The serdes of @confluentinc/schemaregistry build one codec per schema id (the avsc type, the
// Protobuf descriptor, the JSON Schema validator, references resolved); a codec is built once,
// after one registry fetch, and then runs synchronously per record, so a whole consumed batch
// decodes without a promise per record: `prepare(ids)` fetches what a batch needs first.
// Only the serde file of the type in use is loaded (each pulls in its own libraries).

export type SchemaFormat = 'avro' | 'protobuf' | 'json-schema'
export const REGISTRY_FORMATS = ['avro', 'protobuf', 'json-schema', 'registry'] as const
export type RegistryFormat = (typeof REGISTRY_FORMATS)[number]

export const isRegistryFormat = (name: string | undefined): name is RegistryFormat => (REGISTRY_FORMATS as readonly string[]).includes(name ?? '')

const REGISTRY_TYPE: Record<SchemaFormat, string> = {avro: 'AVRO', protobuf: 'PROTOBUF', 'json-schema': 'JSON'}
const formatOfType = (type: string | undefined): SchemaFormat => (type === 'PROTOBUF' ? 'protobuf' : type === 'JSON' ? 'json-schema' : 'avro')

/** One schema's encoder and decoder, synchronous. */
interface Codec {
  format: SchemaFormat
  /** The bytes after the wire header -> the value as JSON. */
  decode(body: Buffer, messageIndexes: number[] | undefined): unknown
  /** Avro: writes the same as JSON text (what JSON.stringify(decode(...)) gives), faster; the body is record[start..]. */
  writeJson?(record: Buffer, start: number, end: number, out: TextOutput, asPayload: boolean): void
  /** A JSON value -> the whole record bytes, wire header included. */
  encode(value: unknown): Buffer
}

// ---------- the library, loaded per type ----------

type SerdeModule = typeof import('@confluentinc/schemaregistry/dist/serde/serde.js')
type AvroModule = typeof import('@confluentinc/schemaregistry/dist/serde/avro.js')
type ProtobufModule = typeof import('@confluentinc/schemaregistry/dist/serde/protobuf.js')
type JsonModule = typeof import('@confluentinc/schemaregistry/dist/serde/json.js')
type BufbuildModule = typeof import('@bufbuild/protobuf')
type AvroType = import('avsc').Type
type AvscModule = typeof import('avsc')

const LIBRARY_PARTS = {'serde.js': 'serde', 'avro.js': 'avro', 'protobuf.js': 'protobuf', 'json.js': 'json', avsc: 'avsc', '@bufbuild/protobuf': 'bufbuild'} as const

function library<T>(path: keyof typeof LIBRARY_PARTS): T {
  try {
    return registryLibrary()[LIBRARY_PARTS[path]] as T
  } catch (error) {
    throw new KafkitError('environment', `the Schema Registry serdes failed to load: ${(error as Error).message.split('\n')[0]}`, {hint: 'run: bash scripts/setup.sh', cause: error})
  }
}

// ---------- JSON <-> the libraries' values ----------

/** A JSON value -> what avsc writes for `type`: base64 text becomes bytes where the schema says bytes or fixed. */
function jsonToAvro(type: AvroType, value: unknown): unknown {
  const t = type as AvroType & {typeName: string; fields?: Array<{name: string; type: AvroType}>; itemsType?: AvroType; valuesType?: AvroType; types?: AvroType[]}
  switch (t.typeName) {
    case 'bytes':
    case 'fixed':
      return typeof value === 'string' ? Buffer.from(value, 'base64') : value
    case 'record':
    case 'error': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return value
      const object = value as Record<string, unknown>
      for (const field of t.fields ?? []) if (field.name in object) object[field.name] = jsonToAvro(field.type, object[field.name])
      return object
    }
    case 'array':
      return Array.isArray(value) ? value.map((item) => jsonToAvro(t.itemsType!, item)) : value
    case 'map': {
      if (value === null || typeof value !== 'object') return value
      const object = value as Record<string, unknown>
      for (const key of Object.keys(object)) object[key] = jsonToAvro(t.valuesType!, object[key])
      return object
    }
    case 'union:unwrapped':
      for (const branch of t.types ?? []) {
        const converted = jsonToAvro(branch, structuredClone(value))
        if (branch.isValid(converted)) return converted
      }
      return value
    default:
      return value
  }
}

/** A number JSON has no text for (jsonl writes these top-level values as their text, in a string). */
const isSpecialNumber = (value: unknown) => typeof value === 'number' && (!Number.isFinite(value) || Object.is(value, -0))

const hasBytes = (schema: string) => /"(bytes|fixed)"/.test(schema)

function shortJson(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

// ---------- codecs ----------

interface Serdes {
  serde: SerdeModule
  deserializer: unknown
  serializer?: unknown
}

export interface CodecOptions {
  /** Protobuf: the message to encode (default: the file's first). */
  protoMessage?: string
}

/** Builds codecs with the library's serdes, one set per format, created on first use. */
class CodecFactory {
  private readonly serdes = new Map<SchemaFormat, Serdes>()

  constructor(
    private readonly client: RegistryClient,
    private readonly isKey: boolean,
  ) {}

  private serdesFor(format: SchemaFormat): Serdes {
    let found = this.serdes.get(format)
    if (!found) {
      const serde = library<SerdeModule>('serde.js')
      const type = this.isKey ? serde.SerdeType.KEY : serde.SerdeType.VALUE
      const client = this.client.library
      if (format === 'avro') {
        const avro = library<AvroModule>('avro.js')
        // Logical types as readable JSON (avro-logical-types.ts): avsc options, which the serdes pass on.
        found = {serde, deserializer: new avro.AvroDeserializer(client, type, {logicalTypes: readableLogicalTypes(library<AvscModule>('avsc'))} as never)}
      } else if (format === 'protobuf') {
        const protobuf = library<ProtobufModule>('protobuf.js')
        found = {serde, deserializer: new protobuf.ProtobufDeserializer(client, type, {}), serializer: new protobuf.ProtobufSerializer(client, type, {})}
      } else {
        const json = library<JsonModule>('json.js')
        found = {serde, deserializer: new json.JsonDeserializer(client, type, {})}
      }
      this.serdes.set(format, found)
    }
    return found
  }

  async build(id: number, info: LibrarySchemaInfo, options: CodecOptions = {}): Promise<Codec> {
    const format = formatOfType(info.schemaType)
    const {serde, deserializer, serializer} = this.serdesFor(format)
    const prefix = (messageIndexes?: number[]) => new serde.SchemaId(REGISTRY_TYPE[format], id, undefined, messageIndexes).idToBytes()
    const what = `schema id ${id}`
    if (format === 'avro') {
      const [type] = await this.client.run(what, () => (deserializer as InstanceType<AvroModule['AvroDeserializer']>).toType(info))
      const header = prefix()
      // (A referenced schema's text is not at hand here: with references, always look.)
      const bytesInside = hasBytes(info.schema) || (info.references?.length ?? 0) > 0
      const raw = (type as AvroType & {typeName: string}).typeName === 'bytes'
      // Records are written here, then copied out: one allocation per record.
      let scratch = Buffer.allocUnsafe(64 * 1024)
      const write = avroJsonWriter(type)
      return {
        format,
        decode: (body) => (raw ? body.toString('base64') : bytesInside ? avroToJson(type.fromBuffer(body)) : type.fromBuffer(body)),
        writeJson: (record, start, end, out, asPayload) => {
          if (raw) return out.string(record.toString('base64', start, end))
          // Read in place (no view of the body to make); anything but an exact read is read
          // again the usual way, for its error.
          const read = type.decode(record, start)
          const value: unknown = read.offset === end ? read.value : type.fromBuffer(record.subarray(start, end))
          if (asPayload && isSpecialNumber(value)) out.string(JSON.stringify(value))
          else write(out, value)
        },
        encode: (value) => {
          const avro = bytesInside ? jsonToAvro(type, value) : value
          if (raw) return Buffer.concat([header, avro as Buffer])
          // avsc checks every value as it writes; only a value it refuses is walked again, for the field's path.
          let end: number
          try {
            header.copy(scratch)
            end = type.encode(avro, scratch, header.length)
            if (end < 0) {
              scratch = Buffer.allocUnsafe(Math.max(-end, scratch.length * 2))
              header.copy(scratch)
              end = type.encode(avro, scratch, header.length)
            }
          } catch {
            let problem: string | undefined
            type.isValid(avro, {errorHook: (path: string[], any: unknown, t: AvroType) => (problem ??= `${path.length > 0 ? `field ${path.join('.')}` : 'the value'}: expected ${shortJson(t.schema())}, got ${shortJson(any)}`)})
            throw new SerializationError(`does not fit Avro schema id ${id}: ${problem ?? 'invalid'}`)
          }
          return Buffer.from(scratch.subarray(0, end))
        },
      }
    }
    if (format === 'protobuf') {
      const protobuf = library<BufbuildModule>('@bufbuild/protobuf')
      const reader = deserializer as InstanceType<ProtobufModule['ProtobufDeserializer']>
      const file = await this.client.run(what, () => reader.toFileDesc(this.client.library, info))
      if (file.messages.length === 0) throw new SerializationError(`Protobuf schema id ${id} has no message`)
      const chosen = options.protoMessage === undefined ? undefined : file.messages.find((m) => m.name === options.protoMessage || m.typeName === options.protoMessage)
      if (options.protoMessage !== undefined && !chosen) {
        throw new KafkitError('usage', `Protobuf schema id ${id} has no message ${options.protoMessage}`, {hint: `its messages: ${file.messages.map((m) => m.name).join(', ')}`})
      }
      // Without --*-proto-message, a value is written as the first top-level message its JSON fits
      // (the wire format names the message by its index, so any of them can be read back).
      const candidates = chosen ? [chosen] : file.messages
      const writer = serializer as InstanceType<ProtobufModule['ProtobufSerializer']>
      const headers = new Map(candidates.map((m) => [m, prefix(writer.toMessageIndexArray(m))]))
      const descs = new Map<string, import('@bufbuild/protobuf').DescMessage>()
      return {
        format,
        decode: (body, indexes) => {
          const key = (indexes ?? [0]).join('.')
          let desc = descs.get(key)
          if (!desc) descs.set(key, (desc = (reader as unknown as {toMessageDescFromIndexes(f: unknown, i: number[]): import('@bufbuild/protobuf').DescMessage}).toMessageDescFromIndexes(file, indexes ?? [0])))
          return protobuf.toJson(desc, protobuf.fromBinary(desc, body), {alwaysEmitImplicit: true, useProtoFieldName: true})
        },
        encode: (value) => {
          let first: Error | undefined
          for (const message of candidates) {
            try {
              const parsed = protobuf.fromJson(message, value as import('@bufbuild/protobuf').JsonValue)
              return Buffer.concat([headers.get(message)!, Buffer.from(protobuf.toBinary(message, parsed))])
            } catch (error) {
              first ??= error as Error
            }
          }
          throw new SerializationError(`does not fit Protobuf schema id ${id} (${candidates.length === 1 ? candidates[0]!.name : `any of ${candidates.map((m) => m.name).join(', ')}`}): ${first?.message}`)
        },
      }
    }
    const reader = deserializer as InstanceType<JsonModule['JsonDeserializer']>
    const validate = await this.client.run(what, () => reader.toValidateFunction(info))
    const header = prefix()
    return {
      format,
      decode: (body) => JSON.parse(body.toString('utf8')) as unknown,
      encode: (value) => {
        if (validate && !validate(value)) {
          const first = validate.errors?.[0]
          const where = first?.instancePath ? `field ${first.instancePath.slice(1).replaceAll('/', '.')}` : 'the value'
          throw new SerializationError(`does not fit JSON Schema id ${id}: ${where} ${first?.message ?? 'is invalid'}`)
        }
        return Buffer.concat([header, Buffer.from(JSON.stringify(value), 'utf8')])
      },
    }
  }
}

// ---------- the serializer-registry entry ----------

export interface RegistrySerializerOptions extends CodecOptions {
  /** The key's serializer (KEY serdes) or the value's. */
  isKey: boolean
  /** produce: the schema chosen on the command line, for values given without a schema id. */
  defaultSchema?: {id: number; info: LibrarySchemaInfo}
}

/** What a registry format is for the rest of kafkit: a Serializer whose schemas are fetched by `prepare`. */
export async function registrySerializer(format: RegistryFormat, client: RegistryClient, options: RegistrySerializerOptions): Promise<Serializer> {
  const factory = new CodecFactory(client, options.isKey)
  // A schema id the registry does not know (or whose schema kafkit cannot build) is remembered as that failure.
  const codecs = new Map<number, Codec | SerializationError>()
  const defaultCodec = options.defaultSchema ? await factory.build(options.defaultSchema.id, options.defaultSchema.info, options) : undefined
  if (options.defaultSchema && defaultCodec) codecs.set(options.defaultSchema.id, defaultCodec)
  if (defaultCodec && format !== 'registry' && defaultCodec.format !== format) {
    throw new KafkitError('usage', `schema id ${options.defaultSchema!.id} is a ${defaultCodec.format} schema, not ${format}`, {hint: `use --${options.isKey ? 'key' : 'value'}-format ${defaultCodec.format}`})
  }

  const fetch = async (id: number): Promise<Codec | SerializationError> => {
    try {
      let info = await client.schemaInfoById(id)
      // The serdes read Protobuf schemas as serialized descriptors, which the registry gives when asked.
      if (info.schemaType === 'PROTOBUF') info = await client.schemaInfoById(id, 'serialized')
      return await factory.build(id, info, options)
    } catch (error) {
      // An unreachable or refusing registry stops the run; anything about this one schema marks its records.
      if (error instanceof KafkitError && (error.kind === 'connection' || error.kind === 'auth')) throw error
      const message = error instanceof KafkitError && error.kind === 'not_found' ? `schema id ${id} is unknown to the registry` : `schema id ${id}: ${(error as Error).message.split('\n')[0]}`
      return new SerializationError(message)
    }
  }

  // The last id's codec: the records of a batch mostly share their schema.
  let lastId = -1
  let lastCodec: Codec | undefined
  const codecFor = (id: number): Codec => {
    if (id === lastId) return lastCodec!
    const codec = codecs.get(id)
    if (codec === undefined) throw new SerializationError(`schema id ${id} was not fetched`)
    if (codec instanceof SerializationError) throw codec
    if (format !== 'registry' && codec.format !== format) throw new SerializationError(`schema id ${id} is ${codec.format}, not ${format} (--${options.isKey ? 'key' : 'value'}-format registry reads any)`)
    lastId = id
    lastCodec = codec
    return codec
  }

  // One decoding for the value and for its JSON text: `out` given, the text is written there.
  const decodeTo = (bytes: Buffer, out: TextOutput | undefined, asPayload = false, start = 0, end = bytes.length): unknown => {
    // Avro text is written from the bytes where they are (in a consumed batch).
    if (out !== undefined && end - start >= 5 && bytes[start] === 0) {
      const id = bytes.readInt32BE(start + 1)
      const codec = codecFor(id)
      if (codec.writeJson) {
        try {
          return codec.writeJson(bytes, start + 5, end, out, asPayload)
        } catch (error) {
          throw new SerializationError(`schema id ${id}: the bytes do not decode as ${codec.format}: ${(error as Error).message.split('\n')[0]}`)
        }
      }
    }
    if (start !== 0 || end !== bytes.length) bytes = bytes.subarray(start, end)
    const id = wireSchemaId(bytes)
    if (id === undefined) {
      throw new SerializationError(bytes.length < 5 ? `not in the Schema Registry wire format (${bytes.length} bytes)` : `not in the Schema Registry wire format (magic byte 0x${bytes[0]!.toString(16).padStart(2, '0')}, expected 0x00)`)
    }
    const codec = codecFor(id)
    let body = bytes.subarray(5)
    let indexes: number[] | undefined
    if (codec.format === 'protobuf') {
      const schemaId = new (library<SerdeModule>('serde.js').SchemaId)('PROTOBUF')
      try {
        body = bytes.subarray(schemaId.fromBytes(bytes))
      } catch (error) {
        throw new SerializationError(`schema id ${id}: ${(error as Error).message}`)
      }
      indexes = schemaId.messageIndexes
    }
    try {
      if (out === undefined) return codec.decode(body, indexes)
      const value = codec.decode(body, indexes)
      if (asPayload && isSpecialNumber(value)) out.string(JSON.stringify(value))
      else out.text(JSON.stringify(value))
      return undefined
    } catch (error) {
      throw new SerializationError(`schema id ${id}: the bytes do not decode as ${codec.format}: ${(error as Error).message.split('\n')[0]}`)
    }
  }
  const decode = (bytes: Buffer): unknown => decodeTo(bytes, undefined)
  const writeText = (bytes: Buffer, out: TextOutput, asPayload?: boolean, start?: number, end?: number) => {
    decodeTo(bytes, out, asPayload, start, end)
  }
  // toText: the text written into a scratch buffer, then read back.
  const scratch = new TextOutput(64 * 1024)
  const toText = (bytes: Buffer) => {
    scratch.reset()
    decodeTo(bytes, scratch)
    return scratch.buffer.toString('utf8', 0, scratch.length)
  }

  const encodeJson = (value: unknown, schemaId?: number): Buffer => {
    const codec = schemaId === undefined ? defaultCodec : codecFor(schemaId)
    if (!codec) throw new SerializationError(`no schema chosen: give --${options.isKey ? 'key' : 'value'}-schema-file, -subject or -id, or a ${options.isKey ? 'key' : 'value'}SchemaId in the record`)
    return codec.encode(value)
  }

  return {
    name: format,
    description: format === 'registry' ? 'Schema Registry: the type the schema id names' : `Schema Registry ${format}`,
    decode,
    toText,
    writeText,
    encode: (text) => {
      let value: unknown
      try {
        value = JSON.parse(text)
      } catch (error) {
        throw new SerializationError(`not JSON: ${(error as Error).message}`)
      }
      return encodeJson(value)
    },
    encodeJson,
    prepare: async (ids) => {
      const missing = [...new Set(ids)].filter((id) => !codecs.has(id))
      if (missing.length === 0) return
      const built = await Promise.all(missing.map(fetch))
      missing.forEach((id, i) => codecs.set(id, built[i]!))
    },
  }
}
