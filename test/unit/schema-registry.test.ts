import {describe, expect, it} from 'vitest'

import {splitUrlCredentials} from '../../src/lib/config/registry-connection.js'
import {KafkitError} from '../../src/lib/errors.js'
import {checkSchemaText, inferSchemaType, parseReference, parseSchemaVersion} from '../../src/lib/registry/schema-file.js'

describe('schema files', () => {
  it('tells the type from the file name, then the content', () => {
    expect(inferSchemaType('user.proto', 'anything')).toBe('protobuf')
    expect(inferSchemaType('order.avsc', '{"$schema": "x"}')).toBe('avro')
    expect(inferSchemaType('s.txt', 'syntax = "proto3";\nmessage A {}')).toBe('protobuf')
    expect(inferSchemaType('e.json', '{"$schema": "http://json-schema.org/draft-07/schema#", "type": "object"}')).toBe('json')
    expect(inferSchemaType('e.json', '{"type": "object", "properties": {"n": {"type": "integer"}}}')).toBe('json')
    expect(inferSchemaType('o.json', '{"type": "record", "name": "O", "fields": []}')).toBe('avro')
  })

  it('a JSON syntax error names the line and column; a .proto text error names its line', () => {
    expect(() => checkSchemaText('o.avsc', 'avro', '{"type": "record",\n  "name": "X" "fields": []}')).toThrowError(/o\.avsc: not valid Avro schema JSON at line 2, column 15/)
    expect(() => checkSchemaText('o.avsc', 'avro', '   \n')).toThrowError(/empty/)
    expect(() => checkSchemaText('u.proto', 'protobuf', 'syntax = "proto3";\nmessage {')).toThrowError(/u\.proto: not a valid \.proto file: .*\(line 2\)/)
    expect(() => checkSchemaText('u.proto', 'protobuf', 'syntax = "proto3";\nmessage M { string s = 1; }')).not.toThrow()
    // A serialized descriptor (base64, as Python's serializer registers) is taken as it is.
    expect(() => checkSchemaText('d.proto', 'protobuf', 'CgdvLnByb3RvIgMKAU0=')).not.toThrow()
  })

  it('reads --reference NAME=SUBJECT:VERSION and --version', () => {
    expect(parseReference('com.acme.Address=address-value:3')).toEqual({name: 'com.acme.Address', subject: 'address-value', version: 3})
    expect(() => parseReference('Address=address-value')).toThrowError(KafkitError)
    expect(parseSchemaVersion('latest')).toBe('latest')
    expect(parseSchemaVersion('2')).toBe(2)
    expect(() => parseSchemaVersion('0')).toThrowError(/invalid --version/)
    expect(() => parseSchemaVersion('v2')).toThrowError(/invalid --version/)
  })
})

describe('registry URLs', () => {
  it('takes credentials out of the URL (decoded), and refuses other schemes without showing the password', () => {
    expect(splitUrlCredentials('http://127.0.0.1:8081/apis/ccompat/v7/')).toEqual({url: 'http://127.0.0.1:8081/apis/ccompat/v7', username: undefined, password: undefined})
    expect(splitUrlCredentials('https://alice:p%40ss@registry:8081')).toEqual({url: 'https://registry:8081', username: 'alice', password: 'p@ss'})
    expect(() => splitUrlCredentials('ftp://registry')).toThrowError(/http:\/\/ or https:\/\//)
    let message = ''
    try {
      splitUrlCredentials('http://alice:secret-pw@[bad')
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toMatch(/invalid Schema Registry URL/)
    expect(message).not.toContain('secret-pw')
  })
})
