import type {SchemaType} from '../registry/schema-file.js'

/** A registered schema for reading: Avro and JSON Schema indented, Protobuf as the registry keeps it. */
export function schemaText(type: SchemaType, schema: string): string {
  if (type === 'protobuf') return schema
  try {
    return JSON.stringify(JSON.parse(schema), null, 2)
  } catch {
    return schema
  }
}
