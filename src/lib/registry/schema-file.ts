import {extname} from 'node:path'

import {usageError} from '../errors.js'
import {readTextInput} from '../input/text-file.js'
import {checkProtoText, isSerializedDescriptor} from './proto-text.js'

// A schema as a user gives it: the file's text, its type (from --type or the file), and the
// references it names. Avro and JSON Schema are checked for JSON syntax here, so a typo fails
// with its line and column before any request; the registry checks the rest.

export type SchemaType = 'avro' | 'protobuf' | 'json'
export const SCHEMA_TYPES: readonly SchemaType[] = ['avro', 'protobuf', 'json']

export interface SchemaReference {
  name: string
  subject: string
  version: number
}

/** `NAME=SUBJECT:VERSION`, as --reference takes it. */
export function parseReference(text: string): SchemaReference {
  const match = /^([^=]+)=(.+):(\d+)$/.exec(text)
  if (!match) throw usageError(`invalid --reference '${text}'`, 'expected NAME=SUBJECT:VERSION, e.g. --reference com.acme.Address=address-value:1')
  return {name: match[1]!, subject: match[2]!, version: Number(match[3])}
}

/** The type a file's name and content suggest: .proto is protobuf, .avsc Avro, JSON with $schema or properties JSON Schema. */
export function inferSchemaType(file: string, text: string): SchemaType {
  const extension = extname(file).toLowerCase()
  if (extension === '.proto') return 'protobuf'
  if (extension === '.avsc') return 'avro'
  if (/^\s*(syntax|package|message)\b/m.test(text) && !text.trimStart().startsWith('{')) return 'protobuf'
  try {
    const parsed = JSON.parse(text) as unknown
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const keys = Object.keys(parsed)
      if (keys.includes('$schema') || (keys.includes('properties') && !keys.includes('fields'))) return 'json'
    }
  } catch {
    // Reported by checkSchemaText with its position.
  }
  return 'avro'
}

/** Line and column of a character offset, 1-based. */
function position(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n')
  return `line ${before.length}, column ${before.at(-1)!.length + 1}`
}

/** Fails with the parser's position when an Avro or JSON Schema text is not JSON. */
export function checkSchemaText(file: string, type: SchemaType, text: string): void {
  if (text.trim() === '') throw usageError(`${file}: the schema file is empty`)
  // A serialized descriptor (base64) is taken as it is; .proto text is parsed for its line.
  if (type === 'protobuf') return isSerializedDescriptor(text) ? undefined : checkProtoText(file, text)
  try {
    JSON.parse(text)
  } catch (error) {
    const message = (error as Error).message
    const at = /position (\d+)/.exec(message)
    const where = at ? position(text, Number(at[1])) : undefined
    const what = message.replace(/ in JSON at position \d+.*$/, '').replace(/^JSON\.parse: /, '')
    throw usageError(`${file}: not valid ${type === 'avro' ? 'Avro schema' : 'JSON Schema'} JSON${where ? ` at ${where}` : ''}: ${what}`)
  }
}

/** `latest` or a positive number, as --version takes them. */
export function parseSchemaVersion(text: string, flag = '--version'): number | 'latest' {
  if (text === 'latest') return 'latest'
  if (!/^\d+$/.test(text) || Number(text) < 1) throw usageError(`invalid ${flag} '${text}'`, 'expected a version number (1, 2, ...) or latest')
  return Number(text)
}

export interface SchemaInput {
  /** How messages name it: the path, or stdin. */
  name: string
  schemaType: SchemaType
  /** The file's text without trailing blank space (the registry compares text). */
  schema: string
  references: SchemaReference[]
}

/** The schema a command is given with --file, --type and --reference: read, typed and checked. */
export function readSchemaInput(flags: {file: string; type?: string; reference?: string[]}): SchemaInput {
  const input = readTextInput(flags.file, 'schema file')
  const schemaType = (flags.type as SchemaType | undefined) ?? inferSchemaType(input.name, input.text)
  checkSchemaText(input.name, schemaType, input.text)
  return {name: input.name, schemaType, schema: input.text.trimEnd(), references: (flags.reference ?? []).map(parseReference)}
}
