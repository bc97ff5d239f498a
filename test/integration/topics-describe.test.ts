import {execFile, spawn} from 'node:child_process'
import {promisify} from 'node:util'

import {beforeAll, describe, expect, inject, it} from 'vitest'

import {kafkaClasspath} from './apache.js'
import {runKafkit, stripAnsi, uniqueName} from './cli.js'

const bootstrap = inject('bootstrap')
const run = promisify(execFile)

/** Apache's own tools (TopicCommand, ConfigCommand), the reference kafkit is compared with. */
async function apache(mainClass: string, args: string[]): Promise<string> {
  const {stdout} = await run('java', ['-cp', await kafkaClasspath(), mainClass, '--bootstrap-server', bootstrap, ...args], {timeout: 30_000})
  return stdout
}

/** Produces keyed records (compacted topics need keys) to one partition with kcat (retried: a new topic takes a moment to reach every broker's metadata). */
async function produce(topic: string, partition: number, count: number): Promise<void> {
  const once = () =>
    new Promise<string | undefined>((resolve, reject) => {
      const kcat = spawn('kcat', ['-P', '-K', ':', '-b', bootstrap, '-t', topic, '-p', String(partition)])
      let stderr = ''
      kcat.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
      kcat.on('error', reject)
      kcat.on('close', (code) => resolve(code === 0 ? undefined : stderr))
      kcat.stdin.end(Array.from({length: count}, (_, i) => `key-${i}:record-${i}`).join('\n') + '\n')
    })
  for (let attempt = 1; ; attempt++) {
    const failure = await once()
    if (failure === undefined) return
    if (attempt === 20) throw new Error(`kcat failed: ${failure}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

interface Described {
  name: string
  topicId: string
  internal: boolean
  partitionCount: number
  replicationFactor: number
  configOverrides: number
  partitions: Array<{partition: number; leader: number | null; replicas: number[]; isr: number[]; offlineReplicas: number[]; earliestOffset: number; latestOffset: number; messages: number; findings: string[]}>
  configs: Array<{name: string; value: string | null; source: string; sourceLabel: string; sensitive: boolean; readOnly: boolean; isDefault: boolean}>
}

async function describeJson(args: string[]): Promise<Described[]> {
  const result = await runKafkit(['topics', 'describe', '-b', bootstrap, '--json', ...args])
  expect(result.stderr).toBe('')
  expect(result.exitCode).toBe(0)
  return JSON.parse(result.stdout) as Described[]
}

describe('topics describe', () => {
  const prefix = uniqueName('td')
  const topic = `${prefix}.main`
  const plain = `${prefix}.plain`
  beforeAll(async () => {
    const created = await runKafkit([
      'topics', 'create', topic, '-b', bootstrap, '-p', '3',
      '--config', 'cleanup.policy=compact,delete', '--config', 'retention.ms=86400000', '--config', 'min.insync.replicas=1', '--config', 'segment.ms=3600000',
    ])
    expect(created.exitCode).toBe(0)
    expect((await runKafkit(['topics', 'create', plain, '-b', bootstrap, '-p', '1'])).exitCode).toBe(0)
    await produce(topic, 0, 5)
    await produce(topic, 2, 2)
  })

  it('--json: topics with partitions (leader, replicas, ISR, offsets) and configs with their sources', async () => {
    const [d] = await describeJson([topic])
    expect(d).toMatchObject({name: topic, internal: false, partitionCount: 3, replicationFactor: 1, configOverrides: 4})
    expect(d!.topicId).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(d!.partitions.map((p) => [p.partition, p.leader, p.replicas, p.isr, p.offlineReplicas, p.earliestOffset, p.latestOffset, p.messages])).toEqual([
      [0, 1, [1], [1], [], 0, 5, 5],
      [1, 1, [1], [1], [], 0, 0, 0],
      [2, 1, [1], [1], [], 0, 2, 2],
    ])
    const overrides = d!.configs.filter((c) => c.source === 'DYNAMIC_TOPIC_CONFIG').map((c) => [c.name, c.value, c.sourceLabel])
    expect(overrides).toEqual([
      ['cleanup.policy', 'compact,delete', 'topic'],
      ['min.insync.replicas', '1', 'topic'],
      ['retention.ms', '86400000', 'topic'],
      ['segment.ms', '3600000', 'topic'],
    ])
    // By default, no config that comes from Kafka's built-in default.
    expect(d!.configs.every((c) => c.source !== 'DEFAULT_CONFIG')).toBe(true)
  })

  it('matches Apache TopicCommand --describe field by field (partitions, leader, replicas, ISR, configs)', async () => {
    const [[d], text] = await Promise.all([describeJson([topic]), apache('org.apache.kafka.tools.TopicCommand', ['--describe', '--topic', topic])])
    const lines = text.trimEnd().split('\n')
    const header = Object.fromEntries(lines[0]!.split('\t').map((f) => [f.slice(0, f.indexOf(':')), f.slice(f.indexOf(':') + 1).trim()]))
    expect(header.Topic).toBe(d!.name)
    expect(header.TopicId).toBe(d!.topicId)
    expect(Number(header.PartitionCount)).toBe(d!.partitionCount)
    expect(Number(header.ReplicationFactor)).toBe(d!.replicationFactor)
    const apacheConfigs = header.Configs!.split(/,(?=[a-z0-9.]+=)/).sort()
    expect(apacheConfigs).toEqual(d!.configs.map((c) => `${c.name}=${c.value}`).sort())
    const partitions = lines.slice(1).map((line) => {
      const f = Object.fromEntries(line.trim().split('\t').map((x) => [x.slice(0, x.indexOf(':')), x.slice(x.indexOf(':') + 1).trim()]))
      return {partition: Number(f.Partition), leader: f.Leader === 'none' ? null : Number(f.Leader), replicas: f.Replicas!.split(',').map(Number), isr: f.Isr!.split(',').map(Number)}
    })
    expect(partitions).toEqual(d!.partitions.map(({partition, leader, replicas, isr}) => ({partition, leader, replicas, isr})))
  })

  it('--all-configs matches Apache ConfigCommand --describe --all (value, source, sensitive)', async () => {
    const [[d], text] = await Promise.all([
      describeJson([topic, '--all-configs']),
      apache('kafka.admin.ConfigCommand', ['--describe', '--all', '--entity-type', 'topics', '--entity-name', topic]),
    ])
    const apacheConfigs = text
      .split('\n')
      .filter((l) => l.startsWith('  '))
      .map((l) => {
        const m = /^ {2}([^=]+)=(.*) sensitive=(true|false) synonyms=\{(.*)\}$/.exec(l)!
        const firstSource = m[4]!.split(':')[0] || 'DEFAULT_CONFIG'
        return {name: m[1], value: m[3] === 'true' ? null : m[2], source: firstSource, sensitive: m[3] === 'true'}
      })
    expect(apacheConfigs.length).toBeGreaterThan(30)
    expect(d!.configs.map(({name, value, source, sensitive}) => ({name, value, source, sensitive}))).toEqual(
      apacheConfigs.sort((a, b) => a.name!.localeCompare(b.name!)),
    )
  })

  it('piped: one line per partition with its kind first, then the configs', async () => {
    const result = await runKafkit(['topics', 'describe', topic, '-b', bootstrap])
    expect(result.exitCode).toBe(0)
    const lines = result.stdout.trimEnd().split('\n')
    // The topic line counts the topic-level overrides; the configs are config lines, one each.
    expect(lines[0]).toMatch(new RegExp(`^topic\\t${topic.replaceAll('.', '\\.')}\\t\\S{22}\\t3\\t1\\t4$`))
    expect(lines.filter((l) => l.startsWith('partition\t'))).toEqual([
      `partition\t${topic}\t0\t1\t1\t1\t\t0\t5\t5`,
      `partition\t${topic}\t1\t1\t1\t1\t\t0\t0\t0`,
      `partition\t${topic}\t2\t1\t1\t1\t\t0\t2\t2`,
    ])
    expect(lines).toContain(`config\t${topic}\tretention.ms\t86400000\tDYNAMIC_TOPIC_CONFIG\tfalse`)
    expect(result.stdout).not.toContain('\u001B[')
  })

  it('piped with --all-configs: still one config per line, the topic line unchanged', async () => {
    const result = await runKafkit(['topics', 'describe', topic, '--all-configs', '-b', bootstrap])
    const lines = result.stdout.trimEnd().split('\n')
    expect(lines[0]!.split('\t')).toHaveLength(6)
    expect(lines[0]!.endsWith('\t4')).toBe(true)
    expect(lines.filter((l) => l.startsWith('config\t')).length).toBeGreaterThan(30)
    expect(lines).toContain(`config\t${topic}\tcleanup.policy\tcompact,delete\tDYNAMIC_TOPIC_CONFIG\tfalse`)
  })

  it('on a terminal: a summary, a partition table and a config table', async () => {
    const result = await runKafkit(['topics', 'describe', topic, '-b', bootstrap], {tty: true})
    expect(result.exitCode).toBe(0)
    const text = stripAnsi(result.stdout)
    expect(text).toMatch(new RegExp(`Topic\\s+${topic.replaceAll('.', '\\.')}\\n`))
    expect(text).toMatch(/Partitions\s+3\n/)
    expect(text).toMatch(/PARTITION\s+LEADER\s+REPLICAS\s+ISR\s+OFFLINE\s+EARLIEST\s+LATEST\s+MESSAGES/)
    expect(text).toMatch(/\n\s+0\s+1\s+1\s+1\s+0\s+5\s+5\n/)
    expect(text).toMatch(/CONFIG\s+VALUE\s+SOURCE\n/)
    expect(text).toMatch(/retention\.ms\s+86400000\s+topic\n/)
    expect(result.stdout).toContain('\u001B[1m')
  })

  it('--pattern, several names, and unknown topics (exit 5)', async () => {
    const byPattern = await describeJson(['--pattern', `${prefix.replaceAll('-', '\\-')}\\..*`])
    expect(byPattern.map((t) => t.name)).toEqual([topic, plain])
    const byNames = await describeJson([plain, topic])
    expect(byNames.map((t) => t.name)).toEqual([plain, topic])
    const missing = await runKafkit(['topics', 'describe', `${prefix}.nope`, '-b', bootstrap])
    expect(missing.exitCode).toBe(5)
    expect(missing.stderr).toContain(`topic ${prefix}.nope does not exist`)
    const noMatch = await runKafkit(['topics', 'describe', '--pattern', `${prefix}-none.*`, '-b', bootstrap])
    expect(noMatch.exitCode).toBe(5)
  })

  it('health filters on one broker: under-min-isr and at-min-isr; under-replicated and unavailable find nothing', async () => {
    const strict = `${prefix}.strict`
    // RF 1 with min.insync.replicas=2: every partition is under its min ISR (the broker accepts the config).
    expect((await runKafkit(['topics', 'create', strict, '-b', bootstrap, '-p', '2', '--config', 'min.insync.replicas=2'])).exitCode).toBe(0)
    const pattern = ['--pattern', `${prefix.replaceAll('-', '\\-')}\\..*`]

    const underMin = await runKafkit(['topics', 'describe', '-b', bootstrap, ...pattern, '--under-min-isr-partitions'])
    expect(underMin.exitCode).toBe(0)
    expect(underMin.stdout).toBe(`partition\t${strict}\t0\t1\t1\t1\t\t0\t0\t0\npartition\t${strict}\t1\t1\t1\t1\t\t0\t0\t0\n`)

    const atMin = await describeJson([...pattern, '--at-min-isr-partitions'])
    expect(atMin.map((t) => [t.name, t.partitions.map((p) => p.partition)])).toEqual([
      [topic, [0, 1, 2]],
      [plain, [0]],
    ])

    for (const filter of ['--under-replicated-partitions', '--unavailable-partitions']) {
      const none = await runKafkit(['topics', 'describe', '-b', bootstrap, ...pattern, filter, '--fail-on-findings'])
      expect([filter, none.exitCode, none.stdout]).toEqual([filter, 0, ''])
    }

    const gate = await runKafkit(['topics', 'describe', '-b', bootstrap, ...pattern, '--under-min-isr-partitions', '--fail-on-findings'])
    expect(gate.exitCode).toBe(8)
    expect(gate.stdout.trimEnd().split('\n')).toHaveLength(2)
    expect(gate.stderr).toContain('2 partitions matched the health filters')

    const gateJson = await runKafkit(['topics', 'describe', '-b', bootstrap, ...pattern, '--under-min-isr-partitions', '--fail-on-findings', '--json'])
    expect(gateJson.exitCode).toBe(8)
    expect((JSON.parse(gateJson.stdout) as Described[]).map((t) => t.name)).toEqual([strict])
    expect(JSON.parse(gateJson.stderr)).toMatchObject({error: {code: 'findings', exitCode: 8}})
  })

  it('--topics-with-overrides lists the topics with their configs, no partitions, as kafka-topics does', async () => {
    const result = await runKafkit(['topics', 'describe', '-b', bootstrap, topic, '--topics-with-overrides'])
    expect(result.exitCode).toBe(0)
    const lines = result.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(new RegExp(`^topic\\t${topic.replaceAll('.', '\\.')}\\t`))
    expect(lines.some((l) => l.startsWith('partition\t'))).toBe(false)
    expect(lines).toContain(`config\t${topic}\tretention.ms\t86400000\tDYNAMIC_TOPIC_CONFIG\tfalse`)
  })

  it('--fail-on-findings without a filter is a usage error', async () => {
    const result = await runKafkit(['topics', 'describe', '-b', bootstrap, topic, '--fail-on-findings'])
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain('--fail-on-findings needs a health filter')
  })
})
