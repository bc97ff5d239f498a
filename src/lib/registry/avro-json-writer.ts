// The JSON text of a value avsc decoded, written by a function generated once per schema from its
// avsc type tree: records' fields in schema order, each written by its type, instead of walking
// the value for bytes (base64) and then JSON.stringify. The text is exactly what
// JSON.stringify gives after bytes and fixed values became base64 strings (the decoded value as
// kafkit prints it; unit tests compare the two on every schema shape). Shapes where the value
// alone says how it is written (unions of several types, wrapped unions, error records, logical
// types kafkit does not read) are written by that generic path.

import type {TextOutput} from '../records/text-output.js'

type AvroType = import('avsc').Type

interface TypeNode {
  typeName: string
  name?: string
  fields?: Array<{name: string; type: TypeNode}>
  itemsType?: TypeNode
  valuesType?: TypeNode
  types?: TypeNode[]
}

/** Avro bytes and fixed values are shown as base64, as JSON has no bytes (walks the value in place). */
export function avroToJson(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return value.toString('base64')
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = avroToJson(value[i])
    return value
  }
  if (value !== null && typeof value === 'object') {
    const object = value as Record<string, unknown>
    for (const key of Object.keys(object)) object[key] = avroToJson(object[key])
  }
  return value
}

/** Writes a value the generic way: JSON.stringify, after bytes became base64. */
const generic = (o: TextOutput, v: unknown) => o.text(JSON.stringify(avroToJson(v)))
/** kafkit's logical types (avro-logical-types.ts) are read as text. */
const logical = (o: TextOutput, v: unknown) => (typeof v === 'string' ? o.string(v) : generic(o, v))
const base64 = (o: TextOutput, v: Buffer) => {
  o.byte(0x22)
  o.ascii(v.toString('base64'))
  o.byte(0x22)
}

/** The logical types kafkit reads as text (the classes of avro-logical-types.ts). */
const TEXT_LOGICAL_TYPES = new Set(
  ['timestamp-millis', 'timestamp-micros', 'local-timestamp-millis', 'local-timestamp-micros', 'time-millis', 'time-micros', 'date', 'decimal'].map((name) => `logical:${name}`),
)

export type AvroJsonWriter = (out: TextOutput, value: unknown) => void

/** A function that writes the JSON text of values decoded with `type` into a TextOutput. */
export function avroJsonWriter(type: AvroType): AvroJsonWriter {
  const functions: string[] = []
  // Literal pieces of the output (`{"name":`), as bytes.
  const literals: Buffer[] = []
  // Named types (records) get one function each, so a recursive schema refers to itself.
  const named = new Map<TypeNode, string>()

  const literal = (text: string): string => {
    const bytes = Buffer.from(text, 'utf8')
    if (bytes.length > 32) {
      literals.push(bytes)
      return `o.bytes(c[${literals.length - 1}]);`
    }
    // Short ones (a field's name) as stores of their bytes, unrolled.
    const stores = [...bytes].map((b, i) => `b[a + ${i}] = ${b};`).join(' ')
    return `{o.reserve(${bytes.length}); const b = o.buffer, a = o.length; ${stores} o.length = a + ${bytes.length};}`
  }
  const fn = (body: string): string => {
    const name = `w${functions.length}`
    functions.push(`function ${name}(o, v) {${body}}`)
    return name
  }

  /** JS statements that write the JSON text of `value` (an expression, evaluated once) of type `t`. */
  const statement = (t: TypeNode, value: string): string => {
    switch (t.typeName) {
      case 'null':
        return `o.ascii("null");`
      case 'boolean':
        return `o.ascii(${value} ? "true" : "false");`
      case 'int':
      case 'long':
      case 'float':
      case 'double':
        return `o.number(${value});`
      case 'string':
      case 'enum':
        return `o.string(${value});`
      case 'bytes':
      case 'fixed':
        return `base64(o, ${value});`
      case 'record':
        return `${recordFunction(t)}(o, ${value});`
      case 'array':
        return `${fn(`o.byte(0x5b); for (let i = 0, n = v.length; i < n; i++) {if (i > 0) o.byte(0x2c); ${statement(t.itemsType!, 'v[i]')}} o.byte(0x5d);`)}(o, ${value});`
      case 'map':
        // Object.keys: the own keys, in JSON.stringify's order.
        return `${fn(`o.byte(0x7b); const k = Object.keys(v); for (let i = 0, n = k.length; i < n; i++) {if (i > 0) o.byte(0x2c); o.string(k[i]); o.byte(0x3a); ${statement(t.valuesType!, 'v[k[i]]')}} o.byte(0x7d);`)}(o, ${value});`
      case 'union:unwrapped': {
        // The usual optional field: null or one type.
        const others = t.types!.filter((b) => b.typeName !== 'null')
        if (others.length === 1 && t.types!.length === 2) return `${fn(`if (v === null) o.ascii("null"); else {${statement(others[0]!, 'v')}}`)}(o, ${value});`
        return `generic(o, ${value});`
      }
      default:
        if (TEXT_LOGICAL_TYPES.has(t.typeName)) return `logical(o, ${value});`
        // Wrapped unions, error records, other logical types: the value says how.
        return `generic(o, ${value});`
    }
  }

  const recordFunction = (t: TypeNode): string => {
    const known = named.get(t)
    if (known) return known
    const name = `w${functions.length}`
    named.set(t, name)
    functions.push('')
    const body = t.fields!.map((field, i) => literal(`${i === 0 ? '{' : ','}${JSON.stringify(field.name)}:`) + statement(field.type, `v[${JSON.stringify(field.name)}]`))
    functions[Number(name.slice(1))] = `function ${name}(o, v) {${body.length === 0 ? 'o.byte(0x7b);' : body.join(' ')} o.byte(0x7d);}`
    return name
  }

  const top = statement(type as unknown as TypeNode, 'v')
  // Generated once per schema; field names enter the code JSON-quoted only: no schema text runs.
  const make = new Function('c', 'generic', 'logical', 'base64', `"use strict"; ${functions.join('\n')}\nreturn function write(o, v) {${top}}`)
  return make(literals, generic, logical, base64) as AvroJsonWriter
}
