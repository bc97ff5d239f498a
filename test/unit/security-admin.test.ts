import {describe, expect, it} from 'vitest'

import {KafkitError} from '../../src/lib/errors.js'
import {brokerConfigOps, isSecretConfigName} from '../../src/lib/kafka/broker-configs.js'
import {checkIterations, parseScramMechanism} from '../../src/lib/kafka/scram-users.js'
import {brokerText} from '../../src/lib/kafka/admin-denials.js'
import {WireReader, WireWriter} from '../../src/lib/kafka/wire-connection.js'

// The pure parts of users, cluster configs and kafkit's own protocol connection.

const usageMessage = (fn: () => unknown) => {
  try {
    fn()
  } catch (error) {
    expect((error as KafkitError).exitCode).toBe(2)
    return (error as KafkitError).message
  }
  throw new Error('no usage error')
}

describe('SCRAM users', () => {
  it('reads mechanism names loosely and refuses others', () => {
    expect(parseScramMechanism('SCRAM-SHA-256')).toBe('SCRAM-SHA-256')
    expect(parseScramMechanism('scram-sha-512')).toBe('SCRAM-SHA-512')
    expect(parseScramMechanism('sha-512')).toBe('SCRAM-SHA-512')
    expect(parseScramMechanism('256')).toBe('SCRAM-SHA-256')
    expect(usageMessage(() => parseScramMechanism('PLAIN'))).toContain("unknown SCRAM mechanism 'PLAIN'")
  })

  it('keeps iterations within what Kafka accepts', () => {
    expect(checkIterations(4096)).toBe(4096)
    expect(checkIterations(16384)).toBe(16384)
    expect(usageMessage(() => checkIterations(4095))).toContain('between 4096 and 16384')
    expect(usageMessage(() => checkIterations(20000))).toContain('between 4096 and 16384')
  })
})

describe('broker configs', () => {
  it('turns --set and --delete into operations, each config once', () => {
    expect(brokerConfigOps(['log.cleaner.threads=2', 'a=b=c'], ['log.retention.ms'])).toEqual([
      {name: 'log.cleaner.threads', op: 'set', value: '2'},
      {name: 'a', op: 'set', value: 'b=c'},
      {name: 'log.retention.ms', op: 'delete'},
    ])
    expect(usageMessage(() => brokerConfigOps(['x=1'], ['x']))).toContain('config x is changed twice')
    expect(usageMessage(() => brokerConfigOps(['novalue']))).toContain('--set expects key=value')
    expect(usageMessage(() => brokerConfigOps([], ['x=1']))).toContain('--delete expects a config name')
  })

  it('knows secret config names by their shape', () => {
    expect(isSecretConfigName('listener.name.sasl_ssl.ssl.key.password')).toBe(true)
    expect(isSecretConfigName('listener.name.sasl_plaintext.plain.sasl.jaas.config')).toBe(true)
    expect(isSecretConfigName('log.cleaner.threads')).toBe(false)
  })
})

describe('broker texts', () => {
  it('cuts stray bytes after the text', () => {
    expect(brokerText('Attempt to describe a user credential that does not exist: nobody\u0001\u0002')).toBe('Attempt to describe a user credential that does not exist: nobody')
    expect(brokerText('clean')).toBe('clean')
  })
})

describe('wire encoding', () => {
  it('round-trips the types of classic and flexible versions', () => {
    const buf = new WireWriter().int8(-3).int16(300).int32(-70000).uvarint(0).uvarint(127).uvarint(128).uvarint(300000).string('héllo').string(null).compactString('').compactString(null).compactString('x'.repeat(200)).bytes(Buffer.from([1, 2])).toBuffer()
    const r = new WireReader(buf)
    expect([r.int8(), r.int16(), r.int32(), r.uvarint(), r.uvarint(), r.uvarint(), r.uvarint()]).toEqual([-3, 300, -70000, 0, 127, 128, 300000])
    expect([r.string(), r.string(), r.compactString(), r.compactString(), r.compactString()]).toEqual(['héllo', null, '', null, 'x'.repeat(200)])
    expect([...r.bytes()]).toEqual([1, 2])
    expect(() => r.int8()).toThrow(/truncated/)
  })

  it('writes uvarints as Kafka does (7 bits a byte, low bits first)', () => {
    expect([...new WireWriter().uvarint(300).toBuffer()]).toEqual([0xac, 0x02])
    expect([...new WireWriter().compactString('ab').toBuffer()]).toEqual([3, 0x61, 0x62])
  })
})
