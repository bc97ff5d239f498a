import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, inject, it} from 'vitest'

import {runKafkit, stripAnsi, uniqueName} from './cli.js'
import {
  commitOffsets,
  committedOffsets,
  CONSUMER_GROUP_COMMAND,
  createTopic,
  deleteRecordsBefore,
  firstOffsetsForGroup,
  parseApachePlan,
  produce,
  recordsPerPartition,
  runApache,
} from './groups-fixtures.js'

// groups reset-offsets against the real broker, compared target by target with Apache's
// kafka-consumer-groups --reset-offsets --dry-run on the same group, and checked by hand-computed
// expectations, so that a shared mistake cannot pass.
//
// The topic has 3 partitions of 10 records; record i of every partition is stamped
// (now - 100 min + i * 10 min). Partition 0 lost its first 2 records (earliest offset 2).
// The group has committed 5 on partition 0 and 8 on partition 1, nothing on partition 2.

const bootstrap = inject('bootstrap')
const MINUTE = 60_000
const workDir = mkdtempSync(join(tmpdir(), 'kafkit-reset-'))

let topic: string
let group: string
let base: number

/** kafkit's plan as "topic:partition" -> new offset, from --json. */
async function kafkitPlan(args: string[]): Promise<{plan: Record<string, number>; notes: Record<string, string>; json: {partitions: Array<{topic: string; partition: number; newOffset: number; note?: string}>}}> {
  const result = await runKafkit(['groups', 'reset-offsets', ...args, '-b', bootstrap, '--json'])
  expect(result.stderr).toBe('')
  expect(result.exitCode).toBe(0)
  const json = JSON.parse(result.stdout)
  const plan: Record<string, number> = {}
  const notes: Record<string, string> = {}
  for (const p of json.partitions) {
    plan[`${p.topic}:${p.partition}`] = p.newOffset
    if (p.note) notes[`${p.topic}:${p.partition}`] = p.note
  }
  return {plan, notes, json}
}

async function apachePlan(args: string[]): Promise<Record<string, number>> {
  const result = await runApache(CONSUMER_GROUP_COMMAND, ['--bootstrap-server', bootstrap, '--reset-offsets', '--dry-run', ...args])
  expect(result.exitCode).toBe(0)
  return parseApachePlan(result.stdout)
}

/** Apache's --to-datetime format, local time. */
function apacheLocalTime(ms: number): string {
  const d = new Date(ms)
  const pad = (n: number, w = 2) => String(n).padStart(w, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`
}

beforeAll(async () => {
  topic = uniqueName('reset')
  group = uniqueName('reset-group')
  base = Date.now() - 100 * MINUTE
  await createTopic(bootstrap, topic, 3)
  await produce(bootstrap, topic, recordsPerPartition(3, 10, (_p, i) => base + i * 10 * MINUTE))
  await deleteRecordsBefore(bootstrap, topic, 0, 2)
  await commitOffsets(bootstrap, group, [
    {topic, partition: 0, offset: 5},
    {topic, partition: 1, offset: 8},
  ])
})

afterAll(() => rmSync(workDir, {recursive: true, force: true}))

const p = (o0: number, o1: number, o2?: number) => ({[`${topic}:0`]: o0, [`${topic}:1`]: o1, ...(o2 === undefined ? {} : {[`${topic}:2`]: o2})})

describe('groups reset-offsets: plans equal to kafka-consumer-groups --dry-run', () => {
  // [flags, expected plan (built lazily: the topic name is known only in beforeAll)]
  const cases: Array<[string, () => string[], () => Record<string, number>]> = [
    ['--to-earliest (partition 0 starts at 2)', () => ['--topic', topic, '--to-earliest'], () => p(2, 0, 0)],
    ['--to-latest', () => ['--topic', topic, '--to-latest'], () => p(10, 10, 10)],
    ['--to-current (latest where nothing is committed)', () => ['--topic', topic, '--to-current'], () => p(5, 8, 10)],
    ['--to-offset clamped up to the earliest offset', () => ['--topic', topic, '--to-offset', '1'], () => p(2, 1, 1)],
    ['--to-offset clamped down to the latest offset', () => ['--topic', topic, '--to-offset', '50'], () => p(10, 10, 10)],
    ['--shift-by -4 (partition 0 clamped)', () => ['--topic', `${topic}:0,1`, '--shift-by', '-4'], () => p(2, 4)],
    ['--shift-by +5 (clamped to the end)', () => ['--topic', `${topic}:0,1`, '--shift-by', '5'], () => p(10, 10)],
    ['--to-datetime in the Apache format (local time)', () => ['--topic', topic, '--to-datetime', apacheLocalTime(base + 35 * MINUTE)], () => p(4, 4, 4)],
    ['--by-duration PT35M', () => ['--topic', topic, '--by-duration', 'PT35M'], () => p(7, 7, 7)],
    ['--all-topics --to-latest (only committed partitions)', () => ['--all-topics', '--to-latest'], () => p(10, 10)],
  ]

  it.each(cases)('%s', async (_name, flags, expected) => {
    const [kafkit, apache] = await Promise.all([kafkitPlan([group, ...flags()]), apachePlan(['--group', group, ...flags()])])
    expect(apache).toEqual(expected())
    expect(kafkit.plan).toEqual(apache)
  }, 60_000)

  it('--from-file: a CSV plan, clamped like Apache does', async () => {
    const file = join(workDir, 'plan.csv')
    writeFileSync(file, `${topic},0,1\n${topic},1,6\n${topic},2,99\n`)
    const [kafkit, apache] = await Promise.all([kafkitPlan([group, '--from-file', file]), apachePlan(['--group', group, '--from-file', file])])
    expect(apache).toEqual(p(2, 6, 10))
    expect(kafkit.plan).toEqual(apache)
    expect(kafkit.notes).toEqual({[`${topic}:0`]: 'clamped-to-earliest', [`${topic}:2`]: 'clamped-to-latest'})
  }, 60_000)

  it('--by-duration also takes short forms', async () => {
    const {plan} = await kafkitPlan([group, '--topic', topic, '--by-duration', '35m'])
    expect(plan).toEqual(p(7, 7, 7))
  })

  it('partition ranges include both ends, as everywhere in kafkit: T:0-1 is T:0,1', async () => {
    expect((await kafkitPlan([group, '--topic', `${topic}:0-1`, '--shift-by', '-4'])).plan).toEqual(p(2, 4))
    expect((await kafkitPlan([group, '--topic', `${topic}:-1`, '--to-latest'])).plan).toEqual(p(10, 10))
    expect(Object.keys((await kafkitPlan([group, '--topic', `${topic}:1-`, '--to-latest'])).plan).sort()).toEqual([`${topic}:1`, `${topic}:2`])
  })

  it('says in the plan why offsets differ from what was asked', async () => {
    const {json, notes} = await kafkitPlan([group, '--topic', topic, '--to-offset', '1'])
    expect(notes).toEqual({[`${topic}:0`]: 'clamped-to-earliest'})
    expect(json.partitions[0]).toMatchObject({currentOffset: 5, requestedOffset: 1, newOffset: 2, logStartOffset: 2, logEndOffset: 10})
    const future = await kafkitPlan([group, '--topic', topic, '--to-datetime', new Date(Date.now() + 60 * MINUTE).toISOString()])
    expect(future.plan).toEqual(p(10, 10, 10))
    expect(Object.values(future.notes)).toEqual(['no-record-after-time-latest', 'no-record-after-time-latest', 'no-record-after-time-latest'])
  })
})

describe('groups reset-offsets: dry run, execute, and consumers resuming', () => {
  it('a dry run changes nothing, on a terminal and piped', async () => {
    const before = await committedOffsets(bootstrap, group)
    expect(before).toEqual(p(5, 8))
    const tty = await runKafkit(['groups', 'reset-offsets', group, '--topic', topic, '--to-earliest', '-b', bootstrap], {tty: true})
    expect(tty.exitCode).toBe(0)
    const text = stripAnsi(tty.stdout)
    expect(text).toMatch(/TOPIC\s+PARTITION\s+CURRENT-OFFSET\s+NEW-OFFSET\s+NOTE/)
    expect(text).toMatch(new RegExp(`${topic}\\s+0\\s+5\\s+2`))
    expect(text).toContain('dry run: nothing changed')
    const piped = await runKafkit(['groups', 'reset-offsets', group, '--topic', `${topic}:2`, '--to-offset', '99', '-b', bootstrap])
    expect(piped.stdout).toBe(`${topic}\t2\t-\t10\tclamped-to-latest\n`)
    expect(piped.stderr).toContain('dry run')
    expect(await committedOffsets(bootstrap, group)).toEqual(before)
  })

  it('--execute commits the plan and a consumer resumes exactly there; a new group can be pre-positioned', async () => {
    const fresh = uniqueName('reset-new')
    const dry = await runKafkit(['groups', 'reset-offsets', fresh, '--topic', topic, '--to-offset', '3', '-b', bootstrap])
    expect(dry.exitCode).toBe(0)
    expect(await committedOffsets(bootstrap, fresh)).toEqual({})

    const run = await runKafkit(['groups', 'reset-offsets', fresh, '--topic', topic, '--to-offset', '3', '--execute', '-b', bootstrap, '--json'])
    expect(run.exitCode).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({group: fresh, executed: true})
    expect(await committedOffsets(bootstrap, fresh)).toEqual(p(3, 3, 3))
    expect(await firstOffsetsForGroup(bootstrap, fresh, topic, [0, 1, 2])).toEqual(p(3, 3, 3))

    // And once more, relative to what is committed now.
    const shift = await runKafkit(['groups', 'reset-offsets', fresh, '--topic', `${topic}:1`, '--shift-by', '+4', '--execute', '-b', bootstrap])
    expect(shift.exitCode).toBe(0)
    expect(shift.stderr).toContain(`committed 1 offset for group '${fresh}'`)
    expect(await firstOffsetsForGroup(bootstrap, fresh, topic, [0, 1, 2])).toEqual(p(3, 7, 3))
  }, 90_000)

  it('kafkit consume -g resumes at the offsets --execute committed', async () => {
    const consumerGroup = uniqueName('reset-consume')
    const reset = await runKafkit(['groups', 'reset-offsets', consumerGroup, '--topic', topic, '--to-offset', '6', '--execute', '-b', bootstrap])
    expect(reset.exitCode).toBe(0)
    const consumed = await runKafkit(['consume', topic, '-g', consumerGroup, '-e', '-f', '%p:%o\\n', '-b', bootstrap], {timeoutMs: 60_000})
    expect(consumed.exitCode).toBe(0)
    const first: Record<string, number> = {}
    for (const line of consumed.stdout.trim().split('\n')) {
      const [partition, offset] = line.split(':').map(Number)
      first[`${topic}:${partition}`] ??= offset!
    }
    expect(first).toEqual(p(6, 6, 6))
    // Four records per partition from offset 6 to the end (10).
    expect(consumed.stdout.trim().split('\n')).toHaveLength(12)
  }, 90_000)

  it('export and import round trip with the Apache tool, and through the JSON plan', async () => {
    const exported = await runKafkit(['groups', 'reset-offsets', group, '--topic', topic, '--to-offset', '4', '--export', '-b', bootstrap])
    expect(exported.exitCode).toBe(0)
    expect(exported.stdout).toBe(`${topic},0,4\n${topic},1,4\n${topic},2,4\n`)
    const apacheExport = await runApache(CONSUMER_GROUP_COMMAND, ['--bootstrap-server', bootstrap, '--reset-offsets', '--dry-run', '--export', '--group', group, '--topic', topic, '--to-offset', '4'])
    expect(apacheExport.stdout.trim().split('\n').sort()).toEqual(exported.stdout.trim().split('\n'))

    // kafkit's CSV read by Apache, Apache's CSV read by kafkit.
    const kafkitCsv = join(workDir, 'kafkit.csv')
    writeFileSync(kafkitCsv, exported.stdout)
    expect(await apachePlan(['--group', group, '--from-file', kafkitCsv])).toEqual(p(4, 4, 4))
    const apacheCsv = join(workDir, 'apache.csv')
    writeFileSync(apacheCsv, apacheExport.stdout)
    expect((await kafkitPlan([group, '--from-file', apacheCsv])).plan).toEqual(p(4, 4, 4))

    // The --json plan is a plan file too.
    const jsonFile = join(workDir, 'plan.json')
    writeFileSync(jsonFile, JSON.stringify((await kafkitPlan([group, '--topic', `${topic}:0,1`, '--shift-by', '-1'])).json))
    expect((await kafkitPlan([group, '--from-file', jsonFile])).plan).toEqual(p(4, 7))
  }, 90_000)
})

describe('groups reset-offsets: refusals', () => {
  it('refuses a missing target, two targets, a missing scope and bad values with exit code 2', async () => {
    for (const args of [
      [group, '--topic', topic],
      [group, '--topic', topic, '--to-earliest', '--to-latest'],
      [group, '--to-earliest'],
      [group, '--topic', topic, '--shift-by', 'two'],
      [group, '--topic', topic, '--to-datetime', 'last tuesday'],
      [group, '--topic', `${topic}:x`, '--to-earliest'],
    ]) {
      const result = await runKafkit(['groups', 'reset-offsets', ...args, '-b', bootstrap])
      expect(result.exitCode, args.join(' ')).toBe(2)
      expect(result.stderr).toMatch(/^error: /)
      expect(result.stdout).toBe('')
    }
  })

  it('refuses --shift-by where nothing is committed, naming the partition', async () => {
    const result = await runKafkit(['groups', 'reset-offsets', group, '--topic', topic, '--shift-by', '1', '-b', bootstrap])
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain(`cannot shift ${topic}:2`)
  })

  it('refuses unknown topics and partitions with exit code 5', async () => {
    const noTopic = await runKafkit(['groups', 'reset-offsets', group, '--topic', uniqueName('nope'), '--to-earliest', '-b', bootstrap])
    expect(noTopic.exitCode).toBe(5)
    const noPartition = await runKafkit(['groups', 'reset-offsets', group, '--topic', `${topic}:7`, '--to-earliest', '-b', bootstrap])
    expect(noPartition.exitCode).toBe(5)
    expect(noPartition.stderr).toContain('has no partition 7')
  })

  it('refuses a plan file without rows for the group', async () => {
    const file = join(workDir, 'other.csv')
    writeFileSync(file, `other-group,${topic},0,1\n`)
    const result = await runKafkit(['groups', 'reset-offsets', group, '--from-file', file, '-b', bootstrap])
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain(`no rows for group '${group}'`)
  })
})
