import {createRequire} from 'node:module'

import {describe, expect, it} from 'vitest'

import {checkProtoText, isSerializedDescriptor, serializedDescriptor, type ProtoSchemaText} from '../../src/lib/registry/proto-text.js'

// .proto text compiled into the descriptor the serdes read: checked through @bufbuild/protobuf
// itself (the serdes' copy), by the shape it sees and by encoding and decoding values with it.

const serdes = createRequire(createRequire(import.meta.url).resolve('@confluentinc/schemaregistry/dist/serde/serde.js'))
const protobuf = serdes('@bufbuild/protobuf') as typeof import('@bufbuild/protobuf')
const wkt = serdes('@bufbuild/protobuf/wkt') as typeof import('@bufbuild/protobuf/wkt')

const noReferences = async (): Promise<ProtoSchemaText> => {
  throw new Error('no reference expected')
}

async function compile(text: string, references: Record<string, string> = {}) {
  const refs = Object.keys(references).map((name, i) => ({name, subject: `s${i}`, version: 1}))
  const fetch = async (subject: string): Promise<ProtoSchemaText> => ({schema: references[refs.find((r) => r.subject === subject)!.name]!})
  const base64 = await serializedDescriptor('main.proto', {schema: text, references: refs}, refs.length > 0 ? fetch : noReferences)
  expect(isSerializedDescriptor(base64)).toBe(true)
  const file = protobuf.fromBinary(wkt.FileDescriptorProtoSchema, Buffer.from(base64, 'base64'))
  const deps = new Map<string, import('@bufbuild/protobuf/wkt').FileDescriptorProto>()
  for (const [name, dep] of Object.entries(references)) {
    const compiled = protobuf.fromBinary(wkt.FileDescriptorProtoSchema, Buffer.from(await serializedDescriptor(name, {schema: dep}, noReferences), 'base64'))
    deps.set(name, compiled)
  }
  const registry = protobuf.createFileRegistry(file, (name) => deps.get(name) ?? (wkt as unknown as Record<string, {proto: import('@bufbuild/protobuf/wkt').FileDescriptorProto}>)[wellKnown[name]!]?.proto)
  return {file, registry}
}

/** A field by its .proto name (bufbuild keys `field` by the camel-case name). */
const named = (message: import('@bufbuild/protobuf').DescMessage, name: string) => message.fields.find((f) => f.name === name)!

const wellKnown: Record<string, string> = {'google/protobuf/timestamp.proto': 'file_google_protobuf_timestamp'}

const weather = `syntax = "proto3";
package demo.weather;

message Reading {
  string city = 1;
  double celsius = 2;
  repeated string tags = 3;
  map<string, int32> by_sensor = 4;
  Kind kind = 5;
  oneof extra { string note = 6; int64 code = 7; }
  message Inner { bool ok = 1; }
  Inner inner = 8;
  optional int32 altitude = 9;
  repeated Inner history = 10;
  enum Kind { UNKNOWN = 0; SENSOR = 1; }
}

message Station { string id = 1; repeated Reading readings = 2; }
`

describe('.proto text compiled to a descriptor', () => {
  it('keeps messages in order, with nested messages and enums, maps as *Entry messages, oneofs and proto3 optional', async () => {
    const {file, registry} = await compile(weather)
    expect(file.package).toBe('demo.weather')
    expect(file.syntax).toBe('proto3')
    expect(file.messageType.map((m) => m.name)).toEqual(['Reading', 'Station'])
    const reading = registry.getMessage('demo.weather.Reading')!
    expect(reading.fields.map((f) => f.name)).toEqual(['city', 'celsius', 'tags', 'by_sensor', 'kind', 'note', 'code', 'inner', 'altitude', 'history'])
    expect(named(reading, 'by_sensor').fieldKind).toBe('map')
    expect(file.messageType[0]!.nestedType.map((m) => m.name)).toContain('BySensorEntry')
    expect(reading.oneofs.map((o) => o.name)).toEqual(['extra'])
    expect(named(reading, 'altitude').presence).not.toBe(named(reading, 'city').presence)
    expect(named(reading, 'kind').enum?.typeName).toBe('demo.weather.Reading.Kind')
    expect(named(registry.getMessage('demo.weather.Station')!, 'readings').message?.typeName).toBe('demo.weather.Reading')
  })

  it('encodes and decodes values through the serdes library with the compiled descriptor', async () => {
    const {registry} = await compile(weather)
    const reading = registry.getMessage('demo.weather.Reading')!
    const value: import('@bufbuild/protobuf').JsonObject = {city: 'Oslo', celsius: -3.5, tags: ['a'], by_sensor: {s1: 2}, kind: 'SENSOR', code: '42', inner: {ok: true}, altitude: 0, history: [{ok: false}, {}]}
    const bytes = protobuf.toBinary(reading, protobuf.fromJson(reading, value))
    const back = protobuf.toJson(reading, protobuf.fromBinary(reading, bytes), {useProtoFieldName: true})
    // proto3 `optional` keeps an explicit zero; plain fields at their default are left out.
    expect(back).toEqual({city: 'Oslo', celsius: -3.5, tags: ['a'], by_sensor: {s1: 2}, kind: 'SENSOR', code: '42', inner: {ok: true}, altitude: 0, history: [{}, {}]})
  })

  it('resolves imports through the references and well-known types by name', async () => {
    const {file, registry} = await compile(
      'syntax = "proto3";\npackage shop;\nimport "address.proto";\nimport "google/protobuf/timestamp.proto";\nmessage Order { Address to = 1; google.protobuf.Timestamp at = 2; }\n',
      {'address.proto': 'syntax = "proto3";\npackage shop;\nmessage Address { string city = 1; }\n'},
    )
    expect(file.dependency).toEqual(['address.proto', 'google/protobuf/timestamp.proto'])
    const order = registry.getMessage('shop.Order')!
    expect(named(order, 'to').message?.typeName).toBe('shop.Address')
    expect(named(order, 'at').message?.typeName).toBe('google.protobuf.Timestamp')
  })

  it('proto2 keeps required fields and defaults', async () => {
    const {file} = await compile('syntax = "proto2";\nmessage Old { required string id = 1; optional int32 n = 2 [default = 7]; }\n')
    expect(file.syntax).toBe('')
    expect(file.messageType[0]!.field.map((f) => [f.name, f.label, f.defaultValue])).toEqual([
      ['id', 2, ''],
      ['n', 1, '7'],
    ])
  })

  it('refuses text that does not parse, an import no reference names, and editions, each in one line', async () => {
    expect(() => checkProtoText('bad.proto', 'syntax = "proto3";\nmessage M {\n  string s = ;\n}\n')).toThrow(/bad\.proto: not a valid \.proto file: .*line 3/)
    await expect(serializedDescriptor('o.proto', {schema: 'syntax = "proto3";\nimport "x.proto";\nmessage M { X x = 1; }\n'}, noReferences)).rejects.toThrow(/imports 'x.proto', which the schema's references do not name/)
    expect(() => checkProtoText('e.proto', 'edition = "2023";\nmessage M {}\n')).toThrow(/editions are not supported/)
  })
})
