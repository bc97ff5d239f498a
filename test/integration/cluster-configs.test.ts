import {afterAll, beforeAll, describe, expect, inject, it} from 'vitest'

import {runApache} from './apache.js'
import {runKafkit, stripAnsi} from './cli.js'
import {ALICE, expectNoSecrets, mtlsFlags, saslFlags} from './secure-broker.js'

// kafkit cluster configs against the plaintext test broker, read and written both ways with
// Apache's ConfigCommand; secrets masked and denials on the secured node. The configs changed
// (log.cleaner.threads per broker, log.cleaner.backoff.ms cluster-wide) are restored after.

const bootstrap = inject('bootstrap')
let brokerId = ''

interface ApacheEntry {
  value: string
  sensitive: boolean
  /** The first synonym's source: where the value comes from. */
  source?: string
}

/** ConfigCommand's "  name=value sensitive=false synonyms={SOURCE:name=value, ...}" lines. */
function parseConfigCommand(stdout: string): Map<string, ApacheEntry> {
  const out = new Map<string, ApacheEntry>()
  for (const line of stdout.split('\n')) {
    const m = /^ {2}([^=\s]+)=(.*) sensitive=(true|false) synonyms=\{(.*)\}$/.exec(line)
    if (m) out.set(m[1]!, {value: m[2]!, sensitive: m[3] === 'true', source: /^([A-Z_]+):/.exec(m[4]!)?.[1]})
  }
  return out
}

const configCommand = (args: string[]) => runApache('kafka.admin.ConfigCommand', ['--bootstrap-server', bootstrap, '--entity-type', 'brokers', ...args])

async function apacheDescribe(entity: string[], all = false): Promise<Map<string, ApacheEntry>> {
  const result = await configCommand([...entity, '--describe', ...(all ? ['--all'] : [])])
  expect(result.exitCode, result.stderr).toBe(0)
  return parseConfigCommand(result.stdout)
}

async function kafkit(args: string[]) {
  const result = await runKafkit(['cluster', 'configs', ...args, '-b', bootstrap])
  expect(result.exitCode, result.stderr).toBe(0)
  return result
}

const rows = (stdout: string) => new Map(stdout.trim().split('\n').filter(Boolean).map((line) => {
  const [name, value, source, sensitive, readOnly] = line.split('\t')
  return [name!, {value: value!, source: source!, sensitive: sensitive === 'true', readOnly: readOnly === 'true'}]
}))

const restore = async () => {
  await configCommand(['--entity-name', brokerId, '--alter', '--delete-config', 'log.cleaner.threads'])
  await configCommand(['--entity-default', '--alter', '--delete-config', 'log.cleaner.backoff.ms'])
}

beforeAll(async () => {
  const cluster = JSON.parse((await runKafkit(['cluster', 'describe', '--json', '-b', bootstrap])).stdout) as {brokers: Array<{id: number}>}
  brokerId = String(cluster.brokers[0]!.id)
})
afterAll(restore)

describe('cluster configs', () => {
  it('--broker N lists every config with the value and source ConfigCommand --describe --all shows', async () => {
    const ours = rows((await kafkit(['--broker', brokerId])).stdout)
    const theirs = await apacheDescribe(['--entity-name', brokerId], true)
    expect([...ours.keys()].sort()).toEqual([...theirs.keys()].sort())
    for (const [name, apache] of theirs) {
      const mine = ours.get(name)!
      expect(mine.sensitive, name).toBe(apache.sensitive)
      if (apache.sensitive) expect(mine.value, name).toBe('[hidden]')
      else expect(mine.value, name).toBe(apache.value === 'null' ? '' : apache.value)
      if (apache.source) expect(mine.source, name).toBe(apache.source)
    }
  })

  it('a per-broker change: dry run changes nothing, --set is what ConfigCommand reads, --delete removes it', async () => {
    const dry = await kafkit(['--broker', brokerId, '--set', 'log.cleaner.threads=2', '--dry-run'])
    expect(dry.stdout.trim()).toBe('log.cleaner.threads\tset\t1\t2')
    expect(dry.stderr).toContain('dry run')
    expect((await apacheDescribe(['--entity-name', brokerId])).has('log.cleaner.threads')).toBe(false)

    await kafkit(['--broker', brokerId, '--set', 'log.cleaner.threads=2'])
    expect((await apacheDescribe(['--entity-name', brokerId])).get('log.cleaner.threads')).toEqual({value: '2', sensitive: false, source: 'DYNAMIC_BROKER_CONFIG'})

    const deleted = await kafkit(['--broker', brokerId, '--delete', 'log.cleaner.threads'])
    // Without the broker's own value it falls back to Kafka's default.
    expect(deleted.stdout.trim()).toBe('log.cleaner.threads\tdelete\t2\t1')
    expect((await apacheDescribe(['--entity-name', brokerId])).has('log.cleaner.threads')).toBe(false)
  })

  it('cluster-wide: ConfigCommand --entity-default and kafkit read and write the same default entity', async () => {
    const set = await configCommand(['--entity-default', '--alter', '--add-config', 'log.cleaner.backoff.ms=12345'])
    expect(set.exitCode, set.stderr).toBe(0)
    expect(rows((await kafkit([])).stdout).get('log.cleaner.backoff.ms')).toEqual({value: '12345', source: 'DYNAMIC_DEFAULT_BROKER_CONFIG', sensitive: false, readOnly: false})
    // Every broker inherits it.
    expect(rows((await kafkit(['--broker', brokerId])).stdout).get('log.cleaner.backoff.ms')?.source).toBe('DYNAMIC_DEFAULT_BROKER_CONFIG')
    const defaults = async () => [...(await apacheDescribe(['--entity-default'])).keys()].sort()
    expect([...rows((await kafkit([])).stdout).keys()].sort()).toEqual(await defaults())

    await kafkit(['--delete', 'log.cleaner.backoff.ms'])
    expect((await apacheDescribe(['--entity-default'])).has('log.cleaner.backoff.ms')).toBe(false)

    await kafkit(['--set', 'log.cleaner.backoff.ms=23456', '--dry-run'])
    expect((await apacheDescribe(['--entity-default'])).has('log.cleaner.backoff.ms')).toBe(false)
    const changed = await kafkit(['--set', 'log.cleaner.backoff.ms=23456', '--json'])
    expect(JSON.parse(changed.stdout)).toMatchObject({entity: 'cluster', brokerId: null, dryRun: false, changes: [{name: 'log.cleaner.backoff.ms', op: 'set', new: '23456'}]})
    expect((await apacheDescribe(['--entity-default'])).get('log.cleaner.backoff.ms')).toEqual({value: '23456', sensitive: false, source: 'DYNAMIC_DEFAULT_BROKER_CONFIG'})
    await kafkit(['--delete', 'log.cleaner.backoff.ms'])
  })

  it('an invalid value is refused with one line (exit 7) and changes nothing', async () => {
    for (const entity of [['--broker', brokerId], []]) {
      const result = await runKafkit(['cluster', 'configs', ...entity, '--set', 'log.cleaner.threads=abc', '-b', bootstrap])
      expect(result.exitCode, result.stderr).toBe(7)
      expect(result.stderr.split('\n')[0]).toMatch(/^error: .*log\.cleaner\.threads/)
    }
    const unknownBroker = await runKafkit(['cluster', 'configs', '--broker', '999', '-b', bootstrap])
    expect(unknownBroker.exitCode).toBe(5)
    const badSet = await runKafkit(['cluster', 'configs', '--set', 'novalue', '-b', bootstrap])
    expect(badSet.exitCode).toBe(2)
  })

  it('on a terminal: a table with readable sources', async () => {
    const result = await runKafkit(['cluster', 'configs', '--broker', brokerId, '-b', bootstrap], {tty: true})
    expect(result.exitCode).toBe(0)
    const text = stripAnsi(result.stdout)
    expect(text).toContain(`Configs of broker ${brokerId}:`)
    expect(text).toMatch(/NAME\s+VALUE\s+SOURCE\s+READ-ONLY/)
    expect(text).toMatch(/log\.dirs\s+\S+\s+broker-static\s+yes/)
  })
})

describe('cluster configs on the secured node', () => {
  const admin = () => saslFlags('SCRAM-SHA-512', {tls: true})

  it('masks sensitive values in every output and leaks no secret', async () => {
    for (const output of [[], ['--json']]) {
      const result = await runKafkit(['cluster', 'configs', '--broker', '1', ...output, ...admin(), '--debug'])
      expectNoSecrets(result)
      expect(result.exitCode, result.stderr).toBe(0)
      if (output.length === 0) expect(result.stdout).toMatch(/^listener\.name\.[^\t]*jaas\.config\t\[hidden\]\tSTATIC_BROKER_CONFIG\ttrue/m)
      else {
        const jaas = (JSON.parse(result.stdout) as {configs: Array<{name: string; value: string | null; sensitive: boolean}>}).configs.filter((c) => c.name.endsWith('jaas.config'))
        expect(jaas.length).toBeGreaterThan(0)
        for (const c of jaas) expect(c).toMatchObject({value: null, sensitive: true})
      }
    }
  })

  it('cluster-wide changes work over SASL_SSL and mutual TLS (validated by the broker)', async () => {
    for (const flags of [admin(), mtlsFlags(), saslFlags('OAUTHBEARER'), saslFlags('PLAIN')]) {
      const result = await runKafkit(['cluster', 'configs', '--set', 'log.cleaner.backoff.ms=15000', '--dry-run', ...flags])
      expectNoSecrets(result)
      expect(result.exitCode, `${flags.join(' ')}: ${result.stderr}`).toBe(0)
      expect(result.stderr).toContain('dry run')
    }
    const invalid = await runKafkit(['cluster', 'configs', '--set', 'log.cleaner.backoff.ms=-5', '--dry-run', ...admin()])
    expect(invalid.exitCode).toBe(7)
  })

  it('a principal without cluster ACLs is denied with one line naming the operation (exit 4)', async () => {
    const asAlice = saslFlags('SCRAM-SHA-256', {user: ALICE})
    const described = await runKafkit(['cluster', 'configs', ...asAlice])
    expectNoSecrets(described)
    expect(described.exitCode).toBe(4)
    expect(described.stderr.split('\n')[0]).toContain(`not authorized: User:${ALICE} may not DESCRIBE_CONFIGS the cluster`)
  })
})
