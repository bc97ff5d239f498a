import {spawn} from 'node:child_process'

import {describe, expect, inject, it} from 'vitest'

import {runKafkit, stripAnsi, uniqueName} from './cli.js'

const bootstrap = inject('bootstrap')

/** Produces records to one partition with kcat. */
function produce(topic: string, partition: number, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const kcat = spawn('kcat', ['-P', '-b', bootstrap, '-t', topic, '-p', String(partition)])
    let stderr = ''
    kcat.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    kcat.on('error', reject)
    kcat.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`kcat failed: ${stderr}`))))
    kcat.stdin.end(Array.from({length: count}, (_, i) => `r${i}`).join('\n') + '\n')
  })
}

interface Trimmed {
  topic: string
  dryRun: boolean
  before: {kind: string; offset?: number; timestamp?: number}
  partitions: Array<{partition: number; earliestOffset: number; newEarliestOffset: number; latestOffset: number; records: number}>
}

const trimJson = async (args: string[]) => {
  const result = await runKafkit(['topics', 'trim', '-b', bootstrap, '--json', ...args])
  expect(result.stderr).toBe('')
  expect(result.exitCode).toBe(0)
  return JSON.parse(result.stdout) as Trimmed
}

const earliestOffsets = async (topic: string) => {
  const result = await runKafkit(['topics', 'describe', topic, '-b', bootstrap, '--json'])
  return (JSON.parse(result.stdout) as Array<{partitions: Array<{earliestOffset: number}>}>)[0]!.partitions.map((p) => p.earliestOffset)
}

async function createWithRecords(counts: number[]): Promise<string> {
  const topic = uniqueName('tt')
  expect((await runKafkit(['topics', 'create', topic, '-b', bootstrap, '-p', String(counts.length)])).exitCode).toBe(0)
  for (const [partition, count] of counts.entries()) if (count > 0) await produce(topic, partition, count)
  return topic
}

describe('topics trim', () => {
  it('a dry run by default: earliest current -> new, nothing deleted', async () => {
    const topic = await createWithRecords([10, 4])
    const result = await runKafkit(['topics', 'trim', topic, '--before', '6', '-b', bootstrap])
    expect(result.exitCode).toBe(2) // offset 6 is past the end of partition 1 (4 records)
    expect(result.stderr).toContain('offset 6 is past the end of partition 1 (latest offset 4)')

    const dry = await runKafkit(['topics', 'trim', topic, '--before', '3', '-b', bootstrap])
    expect(dry.exitCode).toBe(0)
    expect(dry.stdout).toBe('0\t0\t3\t10\t3\n1\t0\t3\t4\t3\n')
    expect(dry.stderr).toContain('dry run: 6 records would be deleted; add --execute to delete them')
    expect(await earliestOffsets(topic)).toEqual([0, 0])

    const tty = await runKafkit(['topics', 'trim', topic, '--before', '3', '-b', bootstrap], {tty: true})
    expect(stripAnsi(tty.stdout)).toMatch(/PARTITION\s+EARLIEST \(CURRENT -> NEW\)\s+LATEST\s+RECORDS\n\s+0\s+0 -> 3\s+10\s+3\n/)
  })

  it('--execute with an offset, for one partition', async () => {
    const topic = await createWithRecords([10, 4])
    const result = await trimJson([topic, '--before', '7', '--partition', '0', '--execute'])
    expect(result).toEqual({
      topic,
      dryRun: false,
      before: {kind: 'offset', offset: 7},
      partitions: [{partition: 0, earliestOffset: 0, newEarliestOffset: 7, latestOffset: 10, records: 7}],
    })
    expect(await earliestOffsets(topic)).toEqual([7, 0])
    // Below the earliest offset now: nothing to do.
    const again = await trimJson([topic, '--before', '5', '--partition', '0', '--execute'])
    expect(again.partitions[0]).toMatchObject({earliestOffset: 7, newEarliestOffset: 7, records: 0})
  })

  it('--before @TIME: a time after every record empties the partitions; one before them keeps all', async () => {
    const topic = await createWithRecords([5, 2])
    const past = await trimJson([topic, '--before', '@2000-01-01T00:00:00Z', '--execute'])
    expect(past.partitions.map((p) => p.records)).toEqual([0, 0])
    await new Promise((resolve) => setTimeout(resolve, 20))
    const now = await trimJson([topic, '--before', `@${Date.now()}`, '--execute'])
    expect(now.before).toMatchObject({kind: 'time'})
    expect(now.partitions.map((p) => [p.partition, p.earliestOffset, p.newEarliestOffset, p.records])).toEqual([
      [0, 0, 5, 5],
      [1, 0, 2, 2],
    ])
    expect(await earliestOffsets(topic)).toEqual([5, 2])
  })

  it('errors: unknown topic (5), unknown partition (5), bad --before (2)', async () => {
    const topic = await createWithRecords([1])
    const noTopic = await runKafkit(['topics', 'trim', uniqueName('tt-none'), '--before', '1', '-b', bootstrap])
    expect(noTopic.exitCode).toBe(5)
    const noPartition = await runKafkit(['topics', 'trim', topic, '--before', '1', '--partition', '3', '-b', bootstrap])
    expect(noPartition.exitCode).toBe(5)
    expect(noPartition.stderr).toContain(`topic ${topic} has no partition 3`)
    const bad = await runKafkit(['topics', 'trim', topic, '--before', 'yesterday', '-b', bootstrap])
    expect(bad.exitCode).toBe(2)
    expect(bad.stderr).toContain("invalid --before 'yesterday'")
  })
})
