import {execFile} from 'node:child_process'
import {promisify} from 'node:util'

import {describe, expect, inject, it} from 'vitest'

import {kafkaClasspath} from './apache.js'
import {runKafkit, stripAnsi, uniqueName} from './cli.js'

const bootstrap = inject('bootstrap')
const run = promisify(execFile)

/** Apache's own TopicCommand, the reference kafkit is checked against. */
async function apacheDescribe(topic: string): Promise<string> {
  const classpath = await kafkaClasspath()
  const {stdout} = await run('java', ['-cp', classpath, 'org.apache.kafka.tools.TopicCommand', '--bootstrap-server', bootstrap, '--describe', '--topic', topic], {timeout: 30_000})
  return stdout
}

const describeJson = async (topic: string) => {
  const result = await runKafkit(['topics', 'describe', topic, '-b', bootstrap, '--json'])
  expect(result.exitCode).toBe(0)
  return JSON.parse(result.stdout)[0] as {partitionCount: number; replicationFactor: number; configs: Array<{name: string; value: string; source: string}>}
}

describe('topics create', () => {
  it('creates with partitions, replication factor and the configs the seeds use (read back by Apache TopicCommand)', async () => {
    const topic = uniqueName('tc')
    const configs = [
      'retention.ms=3600000',
      'retention.bytes=104857600',
      'cleanup.policy=compact,delete',
      'max.message.bytes=2097152',
      'min.insync.replicas=1',
      'min.cleanable.dirty.ratio=0.2',
      'segment.ms=600000',
    ]
    const result = await runKafkit(['topics', 'create', topic, '-b', bootstrap, '--partitions', '3', '--replication-factor', '1', ...configs.flatMap((c) => ['--config', c])])
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toBe(`${topic}\tcreated\t3\t1\t\n`)
    const apache = await apacheDescribe(topic)
    expect(apache).toMatch(new RegExp(`Topic: ${topic}\\tTopicId: \\S+\\tPartitionCount: 3\\tReplicationFactor: 1\\tConfigs: `))
    for (const c of configs) expect(apache).toContain(c)
  })

  it('without --partitions/--replication-factor the broker defaults apply', async () => {
    const topic = uniqueName('tc-default')
    const result = await runKafkit(['topics', 'create', topic, '-b', bootstrap, '--json'])
    expect(result.exitCode).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual([{name: topic, status: 'created', partitions: null, replicationFactor: null, configs: {}}])
    const described = await describeJson(topic)
    // The test broker has num.partitions=1 and default.replication.factor=1.
    expect([described.partitionCount, described.replicationFactor]).toEqual([1, 1])
  })

  it('an existing topic is an error (exit 7) unless --if-not-exists', async () => {
    const topic = uniqueName('tc-exists')
    expect((await runKafkit(['topics', 'create', topic, '-b', bootstrap])).exitCode).toBe(0)
    const again = await runKafkit(['topics', 'create', topic, '-b', bootstrap])
    expect(again.exitCode).toBe(7)
    expect(again.stdout).toBe('')
    expect(again.stderr).toMatch(new RegExp(`^error: topic ${topic}: the topic already exists`))
    expect(again.stderr).toContain('--if-not-exists')
    const tolerant = await runKafkit(['topics', 'create', topic, '-b', bootstrap, '--if-not-exists'])
    expect(tolerant.exitCode).toBe(0)
    expect(tolerant.stdout).toBe(`${topic}\texists\tdefault\tdefault\t\n`)
  })

  it.each([
    [['--replication-factor', '3'], /invalid replication factor: .*replication factor of 3 cannot be reached because only 1 broker/],
    [['--config', 'no.such.config=1'], /invalid configuration: Unknown topic config name: no\.such\.config/],
    [['--config', 'retention.ms=soon'], /invalid configuration: Invalid value soon for configuration retention\.ms/],
    [['--config', 'cleanup.policy=shred'], /invalid configuration: Invalid value .*cleanup\.policy/],
    [['--config', 'min.cleanable.dirty.ratio=2'], /invalid configuration: Invalid value 2(\.0)? for configuration min\.cleanable\.dirty\.ratio/],
  ])('the broker refuses %j: one line with its reason, exit 7, nothing created', async (flags, reason) => {
    const topic = uniqueName('tc-bad')
    const result = await runKafkit(['topics', 'create', topic, '-b', bootstrap, ...flags])
    expect(result.exitCode).toBe(7)
    const lines = result.stderr.trimEnd().split('\n')
    expect(lines[0]).toMatch(new RegExp(`^error: topic ${topic}: `))
    expect(lines[0]).toMatch(reason)
    expect(lines.length).toBeLessThanOrEqual(2) // the error line and at most one hint
    const list = await runKafkit(['topics', 'list', '-b', bootstrap, topic])
    expect(list.stdout).toBe('')
  })

  it('--dry-run validates with the broker and creates nothing', async () => {
    const topic = uniqueName('tc-dry')
    const ok = await runKafkit(['topics', 'create', topic, '-b', bootstrap, '-p', '2', '--config', 'retention.ms=1000', '--dry-run'])
    expect(ok.exitCode).toBe(0)
    expect(ok.stdout).toBe(`${topic}\twould-create\t2\tdefault\t\n`)
    expect(ok.stderr).toContain('dry run: nothing was created')
    const bad = await runKafkit(['topics', 'create', topic, '-b', bootstrap, '--config', 'retention.ms=soon', '--dry-run'])
    expect(bad.exitCode).toBe(7)
    expect(bad.stderr).toContain('Invalid value soon for configuration retention.ms')
    expect((await runKafkit(['topics', 'list', '-b', bootstrap, topic])).stdout).toBe('')
  })

  it('several topics: one row each; exit 6 when some fail, and --json still lists every row', async () => {
    const good = uniqueName('tc-many')
    const existing = uniqueName('tc-many')
    await runKafkit(['topics', 'create', existing, '-b', bootstrap])
    const result = await runKafkit(['topics', 'create', good, existing, '-b', bootstrap, '--json'])
    expect(result.exitCode).toBe(6)
    const rows = JSON.parse(result.stdout) as Array<{name: string; status: string; error?: {code: string; kafkaCode: string; exitCode: number}}>
    expect(rows.map((r) => [r.name, r.status])).toEqual([
      [good, 'created'],
      [existing, 'failed'],
    ])
    expect(rows[1]!.error).toMatchObject({code: 'conflict', kafkaCode: 'TOPIC_ALREADY_EXISTS', exitCode: 7})
    expect(JSON.parse(result.stderr)).toMatchObject({error: {code: 'partial', exitCode: 6}})
  })

  it('usage errors: bad key=value, zero partitions, invalid name', async () => {
    const noValue = await runKafkit(['topics', 'create', uniqueName('tc'), '-b', bootstrap, '--config', 'retention.ms'])
    expect(noValue.exitCode).toBe(2)
    expect(noValue.stderr).toContain("--config expects key=value, got 'retention.ms'")
    const zero = await runKafkit(['topics', 'create', uniqueName('tc'), '-b', bootstrap, '--partitions', '0'])
    expect(zero.exitCode).toBe(2)
    const badName = await runKafkit(['topics', 'create', 'no spaces!', '-b', bootstrap])
    expect(badName.exitCode).toBe(2)
    expect(badName.stderr).toContain('error: topic no spaces!: invalid topic name')
  })

  it('on a terminal: a table with a header', async () => {
    const topic = uniqueName('tc-tty')
    const result = await runKafkit(['topics', 'create', topic, '-b', bootstrap, '-p', '2'], {tty: true})
    expect(result.exitCode).toBe(0)
    const lines = stripAnsi(result.stdout).trimEnd().split('\n')
    expect(lines[0]).toMatch(/^TOPIC\s+STATUS\s+PARTITIONS\s+REPLICATION\s+ERROR$/)
    expect(lines[1]).toMatch(new RegExp(`^${topic}\\s+created\\s+2\\s+default$`))
  })
})
