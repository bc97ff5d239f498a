import {mkdtempSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, describe, expect, inject, it} from 'vitest'

import {runKafkit} from './cli.js'
import {expectNoSecrets, passwordOf, secureBroker} from './secure-broker.js'

// `kafkit local start --security` and `local status` on the suite's secured node (already
// running: start reports it and writes the profile of the mode asked for, starting nothing).
// Every output is checked for secrets; the password is only ever named by its file.

const configFile = join(mkdtempSync(join(inject('stateRoot'), 'secure-local-')), 'config.yaml')
const env = () => ({KAFKIT_CONFIG: configFile})

describe('local start --security on a running secured node', () => {
  afterAll(async () => {
    // Back to the mode the suite started it in (only the printed listener and the profile change).
    await runKafkit(['local', 'start', '--security', 'sasl', '--state-dir', secureBroker().stateDir, '--profile-name', 'back-to-sasl'], {env: env()})
  })

  it('piped: prints the mode\'s listener and writes a profile that works', async () => {
    const {stateDir, security} = secureBroker()
    const started = await runKafkit(['local', 'start', '--security', 'mtls', '--state-dir', stateDir, '--profile-name', 'my-mtls'], {env: env()})
    expect(started.exitCode, started.stderr).toBe(0)
    expect(started.stdout).toBe(`${security.listeners.mtls}\n`)
    expect(started.stderr).toContain(`wrote the kafkit profile 'my-mtls' to ${configFile}`)
    expectNoSecrets(started)
    expect(readFileSync(configFile, 'utf8')).toContain('my-mtls:')

    const listed = await runKafkit(['topics', 'list', '--profile', 'my-mtls'], {env: env()})
    expect(listed.exitCode, listed.stderr).toBe(0)
  })

  it('on a terminal: what a client needs, the password by its file only', async () => {
    const {stateDir, security} = secureBroker()
    const started = await runKafkit(['local', 'start', '--security', 'sasl', '--state-dir', stateDir], {env: env(), tty: true})
    expect(started.exitCode).toBe(0)
    for (const text of [security.listeners.sasl, security.listeners['sasl-tls'], security.listeners.tls, security.listeners.mtls, security.caFile, security.users[0]!.passwordFile, security.clientProperties.sasl]) {
      expect(started.stdout).toContain(text)
    }
    expect(started.stdout).toContain('topics list --profile local-sasl')
    expectNoSecrets(started)
    // A SASL profile names the password file; the password is not in the config file.
    const config = readFileSync(configFile, 'utf8')
    expect(config).toContain(`password-file: ${security.users[0]!.passwordFile}`)
    expect(config).not.toContain(passwordOf())
    const listed = await runKafkit(['topics', 'list', '--profile', 'local-sasl'], {env: env()})
    expect(listed.exitCode, listed.stderr).toBe(0)
  })

  it('--json and local status describe the security, with no secret', async () => {
    const {stateDir, security} = secureBroker()
    const status = await runKafkit(['local', 'status', '--state-dir', stateDir, '--json'])
    expect(status.exitCode, status.stderr).toBe(0)
    const parsed = JSON.parse(status.stdout) as {security: {listeners: Record<string, string>; adminUser: string; caFile: string}}
    expect(parsed.security.listeners).toEqual(security.listeners)
    expect(parsed.security.adminUser).toBe('admin')
    expectNoSecrets(status)
  })

  it('the secrets are files only their owner can read', () => {
    const {security} = secureBroker()
    for (const file of [security.users[0]!.passwordFile, security.users[0]!.keyFile, security.clientProperties.sasl]) {
      expect((statSync(file).mode & 0o777).toString(8), file).toBe('600')
    }
  })

  it('users are made only with a new state folder', async () => {
    const result = await runKafkit(['local', 'start', '--security', 'sasl', '--user', 'bob', '--state-dir', secureBroker().stateDir], {env: env()})
    expect(result.exitCode).toBe(7)
    expect(result.stderr).toContain('users are made when a secured state folder is created')
  })
})
