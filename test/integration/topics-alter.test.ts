import {execFile} from 'node:child_process'
import {promisify} from 'node:util'

import {describe, expect, inject, it} from 'vitest'

import {kafkaClasspath} from './apache.js'
import {runKafkit, stripAnsi, uniqueName} from './cli.js'

const bootstrap = inject('bootstrap')
const run = promisify(execFile)

/** The topic's overrides as Apache ConfigCommand --describe reports them: name -> value. */
async function apacheOverrides(topic: string): Promise<Record<string, string>> {
  const {stdout} = await run(
    'java',
    ['-cp', await kafkaClasspath(), 'kafka.admin.ConfigCommand', '--bootstrap-server', bootstrap, '--describe', '--entity-type', 'topics', '--entity-name', topic],
    {timeout: 30_000},
  )
  const entries = stdout
    .split('\n')
    .filter((l) => l.startsWith('  '))
    .map((l) => /^ {2}([^=]+)=(.*?) sensitive=/.exec(l)!)
    .map((m) => [m[1]!, m[2]!] as const)
  return Object.fromEntries(entries)
}

async function create(topic: string, ...args: string[]): Promise<void> {
  const result = await runKafkit(['topics', 'create', topic, '-b', bootstrap, ...args])
  expect(result.stderr).toBe('')
  expect(result.exitCode).toBe(0)
}

const partitionCount = async (topic: string) => {
  const result = await runKafkit(['topics', 'describe', topic, '-b', bootstrap, '--json'])
  return (JSON.parse(result.stdout) as Array<{partitionCount: number}>)[0]!.partitionCount
}

describe('topics alter', () => {
  it('partitions only grow: more works, fewer or the same is a clear error (exit 7)', async () => {
    const topic = uniqueName('ta-parts')
    await create(topic, '-p', '2')
    const grow = await runKafkit(['topics', 'alter', topic, '-b', bootstrap, '--partitions', '5'])
    expect(grow.exitCode).toBe(0)
    expect(grow.stdout).toBe('partitions\tpartitions\tset\t2\t5\n')
    expect(await partitionCount(topic)).toBe(5)
    for (const asked of ['5', '3']) {
      const shrink = await runKafkit(['topics', 'alter', topic, '-b', bootstrap, '--partitions', asked])
      expect(shrink.exitCode).toBe(7)
      expect(shrink.stderr).toContain(`topic ${topic} has 5 partitions; partitions can only grow (asked for ${asked})`)
    }
    expect(await partitionCount(topic)).toBe(5)
  })

  it('configs change incrementally: other overrides stay (read back with Apache ConfigCommand)', async () => {
    const topic = uniqueName('ta-cfg')
    await create(topic, '--config', 'retention.ms=3600000', '--config', 'cleanup.policy=compact', '--config', 'segment.ms=600000')
    const result = await runKafkit([
      'topics', 'alter', topic, '-b', bootstrap,
      '--config', 'retention.bytes=1048576', '--config', 'max.message.bytes=2097152',
      '--delete-config', 'segment.ms',
      '--append-config', 'cleanup.policy=delete',
      '--json',
    ])
    expect(result.exitCode).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({
      topic,
      dryRun: false,
      changes: [
        {kind: 'config', name: 'retention.bytes', op: 'set', current: '-1', currentSource: 'DEFAULT_CONFIG', new: '1048576', newSource: 'DYNAMIC_TOPIC_CONFIG'},
        {kind: 'config', name: 'max.message.bytes', op: 'set', new: '2097152'},
        {kind: 'config', name: 'segment.ms', op: 'delete', current: '600000', currentSource: 'DYNAMIC_TOPIC_CONFIG'},
        {kind: 'config', name: 'cleanup.policy', op: 'append', current: 'compact', new: 'compact,delete'},
      ],
    })
    expect(await apacheOverrides(topic)).toEqual({
      'cleanup.policy': 'compact,delete',
      'max.message.bytes': '2097152',
      'retention.bytes': '1048576',
      'retention.ms': '3600000',
    })

    const subtract = await runKafkit(['topics', 'alter', topic, '-b', bootstrap, '--subtract-config', 'cleanup.policy=compact', '--config', 'min.cleanable.dirty.ratio=0.3', '--config', 'min.insync.replicas=1'])
    expect(subtract.exitCode).toBe(0)
    expect(subtract.stdout).toContain('config\tcleanup.policy\tsubtract\tcompact,delete\tdelete\n')
    expect(await apacheOverrides(topic)).toEqual({
      'cleanup.policy': 'delete',
      'max.message.bytes': '2097152',
      'min.cleanable.dirty.ratio': '0.3',
      'min.insync.replicas': '1',
      'retention.bytes': '1048576',
      'retention.ms': '3600000',
    })
  })

  it('--dry-run shows current -> new, validates with the broker, and changes nothing', async () => {
    const topic = uniqueName('ta-dry')
    await create(topic, '-p', '1', '--config', 'retention.ms=3600000', '--config', 'cleanup.policy=compact,delete')
    const dry = await runKafkit(['topics', 'alter', topic, '-b', bootstrap, '--partitions', '4', '--config', 'retention.ms=7200000', '--delete-config', 'cleanup.policy', '--dry-run'])
    expect(dry.exitCode).toBe(0)
    expect(dry.stdout).toBe(
      'partitions\tpartitions\tset\t1\t4\n' + 'config\tretention.ms\tset\t3600000\t7200000\n' + 'config\tcleanup.policy\tdelete\tcompact,delete\tdelete\n',
    )
    expect(dry.stderr).toContain('dry run: nothing was changed')
    expect(await partitionCount(topic)).toBe(1)
    expect(await apacheOverrides(topic)).toEqual({'cleanup.policy': 'compact,delete', 'retention.ms': '3600000'})

    const tty = await runKafkit(['topics', 'alter', topic, '-b', bootstrap, '--config', 'retention.ms=7200000', '--dry-run'], {tty: true})
    expect(stripAnsi(tty.stdout)).toMatch(/CHANGE\s+OP\s+CURRENT\s+NEW\n\s*retention\.ms\s+set\s+3600000\s+->\s+7200000/)

    const invalid = await runKafkit(['topics', 'alter', topic, '-b', bootstrap, '--config', 'retention.ms=soon', '--dry-run'])
    expect(invalid.exitCode).toBe(7)
    expect(invalid.stderr).toContain('Invalid value soon for configuration retention.ms')
  })

  it.each([
    [['--config', 'no.such.config=1'], 7, /Unknown topic config name: no\.such\.config|no\.such\.config/],
    [['--config', 'cleanup.policy=shred'], 7, /Invalid value shred for configuration cleanup\.policy/],
    [['--config', 'retention.ms=1', '--delete-config', 'retention.ms'], 2, /config retention\.ms is changed twice/],
    [[], 2, /nothing to alter/],
  ])('refuses %j with exit %i and one clear line', async (flags, exitCode, message) => {
    const topic = uniqueName('ta-bad')
    await create(topic)
    const result = await runKafkit(['topics', 'alter', topic, '-b', bootstrap, ...flags])
    expect(result.exitCode).toBe(exitCode)
    expect(result.stderr.split('\n')[0]).toMatch(message)
    const described = await runKafkit(['topics', 'describe', topic, '-b', bootstrap, '--json'])
    expect((JSON.parse(described.stdout) as Array<{configOverrides: number}>)[0]!.configOverrides).toBe(0)
  })

  it('an unknown topic is not found (exit 5)', async () => {
    const result = await runKafkit(['topics', 'alter', uniqueName('ta-none'), '-b', bootstrap, '--partitions', '3'])
    expect(result.exitCode).toBe(5)
    expect(result.stderr).toContain('the topic or partition does not exist')
  })
})
