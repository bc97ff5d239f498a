import {beforeAll, describe, expect, inject, it} from 'vitest'

import {commitOffset, createTopics} from './admin-client.js'
import {runKafkit, stripAnsi, uniqueName} from './cli.js'

const bootstrap = inject('bootstrap')

describe('topics list', () => {
  const prefix = uniqueName('tl')
  const names = [`${prefix}.b`, `${prefix}.a`, `${prefix}-other`]
  beforeAll(() => createTopics(bootstrap, names))

  it('piped: one name per line, sorted, no header, no colour', async () => {
    const result = await runKafkit(['topics', 'list', '-b', bootstrap], {env: {FORCE_COLOR: '0'}})
    expect(result.exitCode).toBe(0)
    const lines = result.stdout.trimEnd().split('\n')
    expect(lines).not.toContain('TOPIC')
    const ours = lines.filter((l) => l.startsWith(prefix))
    expect(ours).toEqual([`${prefix}-other`, `${prefix}.a`, `${prefix}.b`].sort((a, b) => a.localeCompare(b)))
    expect(result.stdout).not.toContain('\u001B[')
    expect(result.stderr).toBe('')
  })

  it('a pattern is a regular expression over the whole name', async () => {
    const result = await runKafkit(['topics', 'list', '-b', bootstrap, `${prefix}\\..*`])
    expect(result.stdout.trimEnd().split('\n')).toEqual([`${prefix}.a`, `${prefix}.b`])
    const partial = await runKafkit(['topics', 'list', '-b', bootstrap, prefix])
    expect(partial.stdout).toBe('') // a prefix alone does not match the whole name
    const invalid = await runKafkit(['topics', 'list', '-b', bootstrap, '(['])
    expect(invalid.exitCode).toBe(2)
    expect(invalid.stderr).toContain('invalid topic pattern')
  })

  it('internal topics only with --internal', async () => {
    // Creating a consumer group offset makes the broker create __consumer_offsets.
    await commitOffset(bootstrap, uniqueName('tl-group'), names[0]!)
    const plain = await runKafkit(['topics', 'list', '-b', bootstrap])
    expect(plain.stdout.split('\n')).not.toContain('__consumer_offsets')
    const all = await runKafkit(['topics', 'list', '-b', bootstrap, '--internal'])
    expect(all.stdout.split('\n')).toContain('__consumer_offsets')
  })

  it('--json: an array of {name}', async () => {
    const result = await runKafkit(['topics', 'list', '-b', bootstrap, `${prefix}.*`, '--json'])
    expect(result.exitCode).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual([{name: `${prefix}-other`}, {name: `${prefix}.a`}, {name: `${prefix}.b`}])
  })

  it('on a terminal: a table with a header', async () => {
    const result = await runKafkit(['topics', 'list', '-b', bootstrap, `${prefix}.*`], {tty: true})
    expect(result.exitCode).toBe(0)
    const lines = stripAnsi(result.stdout).trimEnd().split('\n')
    expect(lines[0]!.trim()).toBe('TOPIC')
    expect(lines.slice(1).map((l) => l.trim())).toEqual([`${prefix}-other`, `${prefix}.a`, `${prefix}.b`])
    // colour on a terminal (the header is bold)
    expect(result.stdout).toContain('\u001B[1m')
    const noColor = await runKafkit(['topics', 'list', '-b', bootstrap, `${prefix}.*`], {tty: true, env: {NO_COLOR: '1'}})
    expect(noColor.stdout).not.toContain('\u001B[1m')
  })
})

describe('topics list --long', () => {
  const prefix = uniqueName('tll')
  beforeAll(async () => {
    const a = await runKafkit(['topics', 'create', `${prefix}.a`, '-b', bootstrap, '-p', '3', '--config', 'retention.ms=1000', '--config', 'cleanup.policy=compact'])
    const b = await runKafkit(['topics', 'create', `${prefix}.b`, '-b', bootstrap])
    expect([a.exitCode, b.exitCode]).toEqual([0, 0])
  })

  it('piped: name, partitions, replication factor, overrides', async () => {
    const result = await runKafkit(['topics', 'list', '-l', '-b', bootstrap, `${prefix}\\..*`])
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toBe(`${prefix}.a\t3\t1\t2\n${prefix}.b\t1\t1\t0\n`)
  })

  it('--json: objects with name first', async () => {
    const result = await runKafkit(['topics', 'list', '--long', '-b', bootstrap, `${prefix}\\..*`, '--json'])
    const rows = JSON.parse(result.stdout) as Array<Record<string, unknown>>
    expect(rows).toEqual([
      {name: `${prefix}.a`, partitions: 3, replicationFactor: 1, configOverrides: 2},
      {name: `${prefix}.b`, partitions: 1, replicationFactor: 1, configOverrides: 0},
    ])
    expect(Object.keys(rows[0]!)[0]).toBe('name')
  })

  it('on a terminal: a table with headers', async () => {
    const result = await runKafkit(['topics', 'list', '-l', '-b', bootstrap, `${prefix}\\..*`], {tty: true})
    const lines = stripAnsi(result.stdout).trimEnd().split('\n')
    expect(lines[0]).toMatch(/^TOPIC\s+PARTITIONS\s+REPLICATION\s+OVERRIDES$/)
    expect(lines[1]).toMatch(new RegExp(`^${prefix}\\.a\\s+3\\s+1\\s+2$`))
  })
})
