import {describe, expect, it} from 'vitest'

import {parseJavaProperties, translateJavaClientProperties} from '../../src/lib/config/java-properties.js'

describe('parseJavaProperties', () => {
  it('reads =, : and space separators, comments, continuations and escapes', () => {
    const props = parseJavaProperties([
      '# comment',
      '! also a comment',
      'a=1',
      'b : 2',
      'c 3',
      'long=first \\',
      '     second',
      'esc=tab\\there\\u0041',
      'key\\=with\\:seps=v',
      'empty=',
    ].join('\n'))
    expect(Object.fromEntries(props)).toEqual({a: '1', b: '2', c: '3', long: 'first second', esc: 'tab\thereA', 'key=with:seps': 'v', empty: ''})
  })
})

describe('translateJavaClientProperties', () => {
  it('turns a SCRAM jaas config into sasl.username / sasl.password', () => {
    const java = parseJavaProperties([
      'security.protocol=SASL_SSL',
      'sasl.mechanism=SCRAM-SHA-256',
      'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="bob" password="p@ss \\\\"q\\\\"";', // .properties escaping doubles the JAAS backslash
      'ssl.truststore.type=PEM',
      'ssl.truststore.location=/etc/kafka/ca.pem',
      'ssl.endpoint.identification.algorithm=',
    ].join('\n'))
    const {properties, warnings} = translateJavaClientProperties(java, 'client.properties')
    expect(properties).toEqual({
      'security.protocol': 'SASL_SSL',
      'sasl.mechanisms': 'SCRAM-SHA-256',
      'sasl.username': 'bob',
      'sasl.password': 'p@ss "q"',
      'ssl.ca.location': '/etc/kafka/ca.pem',
      'ssl.endpoint.identification.algorithm': 'none',
    })
    expect(warnings).toEqual([])
  })

  it('translates PLAIN and warns about Java-only settings', () => {
    const java = parseJavaProperties('sasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=u password=pw;\nkey.serializer=org.apache.kafka.common.serialization.StringSerializer\n')
    const {properties, warnings} = translateJavaClientProperties(java, 'f')
    expect(properties['sasl.username']).toBe('u')
    expect(properties['sasl.password']).toBe('pw')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('key.serializer')
  })

  it('refuses a JKS trust store with a hint to convert it', () => {
    const java = parseJavaProperties('ssl.truststore.location=/etc/ts.jks\nssl.truststore.password=changeit\n')
    expect(() => translateJavaClientProperties(java, 'f')).toThrowError(/JKS trust store/)
  })

  it('keeps a PKCS12 key store and maps a PEM key store to certificate and key', () => {
    const p12 = translateJavaClientProperties(parseJavaProperties('ssl.keystore.type=PKCS12\nssl.keystore.location=/k.p12\nssl.keystore.password=pw\n'), 'f')
    expect(p12.properties).toEqual({'ssl.keystore.location': '/k.p12', 'ssl.keystore.password': 'pw'})
    const pem = translateJavaClientProperties(parseJavaProperties('ssl.keystore.type=PEM\nssl.keystore.location=/k.pem\n'), 'f')
    expect(pem.properties).toEqual({'ssl.certificate.location': '/k.pem', 'ssl.key.location': '/k.pem'})
  })

  it('rejects a jaas module it cannot translate', () => {
    const java = parseJavaProperties('sasl.jaas.config=com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true;\n')
    expect(() => translateJavaClientProperties(java, 'f')).toThrowError(/cannot translate/)
  })

  it('turns an unsecured OAUTHBEARER login into librdkafka unsecured JWTs', () => {
    const java = parseJavaProperties('sasl.mechanism=OAUTHBEARER\nsasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub="alice";\n')
    expect(translateJavaClientProperties(java, 'f').properties).toEqual({
      'sasl.mechanisms': 'OAUTHBEARER',
      'enable.sasl.oauthbearer.unsecure.jwt': 'true',
      'sasl.oauthbearer.config': 'principal=alice',
    })
  })

  it('names an unreadable PKCS12 trust store', () => {
    const java = parseJavaProperties('ssl.truststore.type=PKCS12\nssl.truststore.location=/nonexistent/trust.p12\nssl.truststore.password=x\n')
    expect(() => translateJavaClientProperties(java, 'f')).toThrowError(/cannot read the PKCS12 trust store \/nonexistent\/trust.p12/)
  })
})
