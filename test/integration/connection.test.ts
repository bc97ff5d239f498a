import {createServer, type Server} from 'node:net'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, inject, it} from 'vitest'

import {createTopics} from './admin-client.js'
import {closedAddress, runKafkit, uniqueName} from './cli.js'

const bootstrap = inject('bootstrap')

/** A loopback port that accepts connections and never answers: a broker that hangs. */
async function silentListener(): Promise<{server: Server; address: string}> {
  const server = createServer(() => {})
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as {port: number}
  return {server, address: `127.0.0.1:${port}`}
}

describe('reaching the cluster', () => {
  const topic = uniqueName('conn')
  beforeAll(() => createTopics(bootstrap, [topic]))

  it('refused address: one line naming it, a hint, exit 3, nothing on stdout', async () => {
    const address = await closedAddress()
    const result = await runKafkit(['topics', 'list', '-b', address])
    expect(result.exitCode).toBe(3)
    expect(result.stdout).toBe('')
    const lines = result.stderr.trim().split('\n')
    expect(lines[0]).toMatch(new RegExp(`^error: cannot reach Kafka at ${address}: .*Connection refused`))
    expect(lines[1]).toContain('kafkit local start')
    expect(lines).toHaveLength(2)
  })

  it('unresolvable host: exit 3 naming the host', async () => {
    const result = await runKafkit(['topics', 'list', '-b', 'no-such-host.invalid:9092'])
    expect(result.exitCode).toBe(3)
    expect(result.stderr).toContain('cannot reach Kafka at no-such-host.invalid:9092')
    expect(result.stderr).toMatch(/resolve/i)
  })

  describe('a listener that never answers', () => {
    let silent: {server: Server; address: string}
    beforeAll(async () => (silent = await silentListener()))
    afterAll(() => silent.server.close())

    it('ends after --timeout with exit 3 instead of hanging', async () => {
      const started = Date.now()
      const result = await runKafkit(['topics', 'list', '-b', silent.address, '--timeout', '2s'])
      expect(result.exitCode).toBe(3)
      expect(result.stderr).toContain(`cannot reach Kafka at ${silent.address}: no answer within 2s`)
      // Bounded by the timeout plus process start, not by librdkafka's own 30 s or more.
      expect(Date.now() - started).toBeLessThan(10_000)
    })
  })

  it('malformed address and unknown flag are usage errors (exit 2)', async () => {
    const bad = await runKafkit(['topics', 'list', '-b', 'localhost'])
    expect(bad.exitCode).toBe(2)
    expect(bad.stderr).toContain("invalid bootstrap server 'localhost'")
    const flag = await runKafkit(['topics', 'list', '--no-such-flag'])
    expect(flag.exitCode).toBe(2)
    expect(flag.stderr).toMatch(/^error: Nonexistent flag: --no-such-flag/)
  })

  it('--json puts the error on stderr as one JSON object and leaves stdout empty', async () => {
    const result = await runKafkit(['topics', 'list', '-b', await closedAddress(), '--json'])
    expect(result.exitCode).toBe(3)
    expect(result.stdout).toBe('')
    const json = JSON.parse(result.stderr)
    expect(json.error).toMatchObject({code: 'connection', exitCode: 3})
    expect(json.error.message).toContain('cannot reach Kafka')
  })

  it('KAFKA_BOOTSTRAP_SERVERS is used, and -b wins over it', async () => {
    const viaEnv = await runKafkit(['topics', 'list'], {env: {KAFKA_BOOTSTRAP_SERVERS: bootstrap}})
    expect(viaEnv.exitCode).toBe(0)
    expect(viaEnv.stdout.split('\n')).toContain(topic)
    const flagWins = await runKafkit(['topics', 'list', '-b', bootstrap], {env: {KAFKA_BOOTSTRAP_SERVERS: await closedAddress()}})
    expect(flagWins.exitCode).toBe(0)
    expect(flagWins.stdout.split('\n')).toContain(topic)
  })

  it('a profile from the config file supplies the address; --profile selects it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kafkit-profile-'))
    const file = join(dir, 'config.yaml')
    writeFileSync(file, `default-profile: broken\nprofiles:\n  broken:\n    bootstrap-servers: ${await closedAddress()}\n  local:\n    bootstrap-servers: ${bootstrap}\n`)
    const byDefault = await runKafkit(['topics', 'list'], {env: {KAFKIT_CONFIG: file}})
    expect(byDefault.exitCode).toBe(3)
    const selected = await runKafkit(['topics', 'list', '--profile', 'local'], {env: {KAFKIT_CONFIG: file}})
    expect(selected.exitCode).toBe(0)
    expect(selected.stdout.split('\n')).toContain(topic)
    const missing = await runKafkit(['topics', 'list', '--profile', 'nope'], {env: {KAFKIT_CONFIG: file}})
    expect(missing.exitCode).toBe(5)
    expect(missing.stderr).toContain("profile 'nope' is not defined")
  })

  it('--command-config reads a Java .properties file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kafkit-props-')), 'client.properties')
    writeFileSync(file, `bootstrap.servers=${bootstrap}\nclient.id=kafkit-test\nkey.serializer=org.apache.kafka.common.serialization.StringSerializer\n`)
    const result = await runKafkit(['topics', 'list', '--command-config', file])
    expect(result.exitCode).toBe(0)
    expect(result.stdout.split('\n')).toContain(topic)
    expect(result.stderr).toContain("ignored 'key.serializer'")
  })

  it('never prints a password, in errors or under --debug', async () => {
    const password = 'Sup3r-Secret-Pw'
    const file = join(mkdtempSync(join(tmpdir(), 'kafkit-props-')), 'client.properties')
    writeFileSync(file, [
      `bootstrap.servers=${bootstrap}`,
      'security.protocol=SASL_PLAINTEXT',
      'sasl.mechanism=PLAIN',
      `sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="${password}";`,
    ].join('\n'))
    // The broker's listener is PLAINTEXT: the SASL handshake fails, and the password must not leak.
    for (const extra of [[], ['--debug'], ['--json']]) {
      const result = await runKafkit(['topics', 'list', '--command-config', file, '--timeout', '3s', ...extra])
      expect(result.exitCode, result.stderr).not.toBe(0)
      expect(result.stdout + result.stderr).not.toContain(password)
    }
    const viaX = await runKafkit(['topics', 'list', '-b', bootstrap, '-X', `sasl.password=${password}`, '-X', 'security.protocol=bogus', '--debug'])
    expect(viaX.exitCode).toBe(2)
    expect(viaX.stdout + viaX.stderr).not.toContain(password)
  })

  it('an invalid -X property is a usage error naming it', async () => {
    const result = await runKafkit(['topics', 'list', '-b', bootstrap, '-X', 'no.such.property=1'])
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain('no.such.property')
  })
})
