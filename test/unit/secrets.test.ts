import {describe, expect, it} from 'vitest'

import {isSecretProperty, maskProperties, redactSecrets, secretValues} from '../../src/lib/secrets.js'

describe('secrets', () => {
  it('recognises secret property names', () => {
    for (const name of ['sasl.password', 'ssl.key.password', 'ssl.keystore.password', 'sasl.oauthbearer.client.secret', 'ssl.key.pem', 'sasl.jaas.config', 'sasl.oauthbearer.config', 'ssl.truststore.password']) {
      expect(isSecretProperty(name), name).toBe(true)
    }
    for (const name of ['bootstrap.servers', 'sasl.username', 'ssl.ca.location', 'client.id']) expect(isSecretProperty(name), name).toBe(false)
  })

  it('masks secret properties and scrubs their values from any text', () => {
    const props = {'sasl.username': 'alice', 'sasl.password': 'hunter22', 'ssl.key.password': 'k3y'}
    expect(maskProperties(props)).toEqual({'sasl.username': 'alice', 'sasl.password': '********', 'ssl.key.password': '********'})
    const text = 'Invalid value "hunter22" for sasl.password; key k3y'
    expect(redactSecrets(text, secretValues(props))).toBe('Invalid value "********" for sasl.password; key ********')
  })
})
