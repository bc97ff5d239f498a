import {beforeAll, describe, expect, inject, it} from 'vitest'

import {runKafkit, stripAnsi, uniqueName} from './cli.js'
import {commitOffsets, createTopic, deleteRecordsBefore, GET_OFFSET_SHELL, produce, runApache, type TestRecord} from './groups-fixtures.js'

// kafkit offsets get against the real broker, compared with Apache's kafka-get-offsets
// (GetOffsetShell) line for line on the same topic.
//
// Topic O has 4 partitions; partition p holds 3 * (p + 1) records, record i stamped base + i min.
// Partition 3 lost its first 2 records (earliest offset 2).

const bootstrap = inject('bootstrap')
const MINUTE = 60_000
let topic: string
let base: number

beforeAll(async () => {
  topic = uniqueName('offsets')
  base = Date.now() - 60 * MINUTE
  await createTopic(bootstrap, topic, 4)
  const records: TestRecord[] = []
  for (let partition = 0; partition < 4; partition++) {
    for (let i = 0; i < 3 * (partition + 1); i++) records.push({partition, value: `p${partition}-${i}`, timestamp: base + i * MINUTE})
  }
  await produce(bootstrap, topic, records)
  await deleteRecordsBefore(bootstrap, topic, 3, 2)
}, 60_000)

const sortedLines = (text: string) => text.trim().split('\n').filter(Boolean).sort()

async function compare(kafkitArgs: string[], apacheArgs: string[]): Promise<string[]> {
  const [kafkit, apache] = await Promise.all([
    runKafkit(['offsets', 'get', ...kafkitArgs, '-b', bootstrap]),
    runApache(GET_OFFSET_SHELL, ['--bootstrap-server', bootstrap, ...apacheArgs]),
  ])
  expect(kafkit.exitCode).toBe(0)
  expect(apache.exitCode).toBe(0)
  expect(sortedLines(kafkit.stdout)).toEqual(sortedLines(apache.stdout))
  return sortedLines(kafkit.stdout)
}

describe('kafkit offsets get, compared with kafka-get-offsets', () => {
  it('latest (the default) and earliest', async () => {
    expect(await compare([topic], ['--topic', topic])).toEqual([`${topic}:0:3`, `${topic}:1:6`, `${topic}:2:9`, `${topic}:3:12`])
    expect(await compare([topic, '--time', 'earliest'], ['--topic', topic, '--time', '-2'])).toEqual([`${topic}:0:0`, `${topic}:1:0`, `${topic}:2:0`, `${topic}:3:2`])
  }, 60_000)

  it('by time: the first record at or after it; partitions without one are left out', async () => {
    const at = base + 4.5 * MINUTE
    expect(await compare([topic, '--time', String(at)], ['--topic', topic, '--time', String(at)])).toEqual([`${topic}:1:5`, `${topic}:2:5`, `${topic}:3:5`])
    // The same instant as ISO 8601.
    const iso = await runKafkit(['offsets', 'get', topic, '--time', new Date(at).toISOString(), '-b', bootstrap])
    expect(sortedLines(iso.stdout)).toEqual([`${topic}:1:5`, `${topic}:2:5`, `${topic}:3:5`])
  }, 60_000)

  it('partition ranges (kafkit includes the upper bound, kafka-get-offsets excludes it) and max-timestamp', async () => {
    expect(await compare([`${topic}:1-2`, '--time', 'max-timestamp'], ['--topic-partitions', `${topic}:1-3`, '--time', '-3'])).toEqual([`${topic}:1:5`, `${topic}:2:8`])
    expect(await compare([`${topic}:-1`], ['--topic-partitions', `${topic}:-2`])).toEqual([`${topic}:0:3`, `${topic}:1:6`])
    const inclusive = await runKafkit(['offsets', 'get', `${topic}:0-3`, '-b', bootstrap])
    expect(sortedLines(inclusive.stdout)).toEqual([`${topic}:0:3`, `${topic}:1:6`, `${topic}:2:9`, `${topic}:3:12`])
    const openRange = await runKafkit(['offsets', 'get', `${topic}:2-`, '-b', bootstrap])
    expect(openRange.stdout).toBe(`${topic}:2:9\n${topic}:3:12\n`)
  }, 60_000)

  it('--json keeps partitions without an offset (null) and gives record timestamps', async () => {
    const at = base + 4.5 * MINUTE
    const json = JSON.parse((await runKafkit(['offsets', 'get', `${topic}:0,1`, '--time', String(at), '-b', bootstrap, '--json'])).stdout)
    expect(json).toEqual([
      {topic, partition: 0, offset: null},
      {topic, partition: 1, offset: 5, timestamp: base + 5 * MINUTE},
    ])
  })

  it('a table on a terminal', async () => {
    const tty = stripAnsi((await runKafkit(['offsets', 'get', `${topic}:0`, '-b', bootstrap], {tty: true})).stdout)
    expect(tty).toMatch(/TOPIC\s+PARTITION\s+OFFSET/)
    expect(tty).toMatch(new RegExp(`${topic}\\s+0\\s+3`))
  })

  it("--group: the group's committed offsets with their metadata", async () => {
    const group = uniqueName('offsets-group')
    await commitOffsets(bootstrap, group, [
      {topic, partition: 1, offset: 4},
      {topic, partition: 2, offset: 7, metadata: 'batch-17'} as {topic: string; partition: number; offset: number},
    ])
    const piped = await runKafkit(['offsets', 'get', '--group', group, '-b', bootstrap])
    expect(piped.stdout).toBe(`${topic}:1:4\n${topic}:2:7\n`)
    const json = JSON.parse((await runKafkit(['offsets', 'get', '--group', group, '-b', bootstrap, '--json'])).stdout)
    expect(json).toEqual([
      {topic, partition: 1, offset: 4},
      {topic, partition: 2, offset: 7, metadata: 'batch-17'},
    ])
    const missing = await runKafkit(['offsets', 'get', '--group', uniqueName('nope'), '-b', bootstrap])
    expect(missing.exitCode).toBe(5)
  })

  it('clear errors: unknown topic or partition 5, bad input 2', async () => {
    const noTopic = await runKafkit(['offsets', 'get', uniqueName('nope'), '-b', bootstrap])
    expect(noTopic.exitCode).toBe(5)
    expect(noTopic.stderr).toMatch(/^error: topic \S+ does not exist\n/)
    const noPartition = await runKafkit(['offsets', 'get', `${topic}:9`, '-b', bootstrap])
    expect(noPartition.exitCode).toBe(5)
    expect(noPartition.stderr).toContain(`topic ${topic} has no partition 9 (it has 4: 0-3)`)
    for (const args of [[`${topic}:x`], [topic, '--time', 'soon']]) {
      const bad = await runKafkit(['offsets', 'get', ...args, '-b', bootstrap])
      expect(bad.exitCode).toBe(2)
      expect(bad.stdout).toBe('')
    }
  })
})
