import {type ChildProcess, spawn} from 'node:child_process'

import {afterAll, beforeAll, describe, expect, inject, it} from 'vitest'

import {baseEnv, kafkitBin, runKafkit, stripAnsi, uniqueName} from './cli.js'
import {
  commitOffsets,
  committedOffsets,
  CONSUMER_GROUP_COMMAND,
  createTopic,
  groupState,
  parseApacheDescribe,
  produce,
  recordsPerPartition,
  runApache,
  startConsoleConsumer,
  stopProcess,
  waitFor,
} from './groups-fixtures.js'

// groups list / describe / delete / delete-offsets with groups formed by real consumers: Apache's
// console consumer (a JVM member) and kafkit's own consume -g. Numbers are compared with Apache's
// kafka-consumer-groups --describe on the same group.

const bootstrap = inject('bootstrap')
const STABLE = 3
const EMPTY = 5

let live: string
let liveTopic: string
let otherTopic: string
let consoleConsumer: ChildProcess | undefined

beforeAll(async () => {
  live = uniqueName('live-group')
  liveTopic = uniqueName('live')
  otherTopic = uniqueName('other')
  await Promise.all([createTopic(bootstrap, liveTopic, 3), createTopic(bootstrap, otherTopic, 2)])
  await Promise.all([produce(bootstrap, liveTopic, recordsPerPartition(3, 10)), produce(bootstrap, otherTopic, recordsPerPartition(2, 10))])
  // A committed offset no member is assigned: describe must show it too, with "-" for the member.
  await commitOffsets(bootstrap, live, [{topic: otherTopic, partition: 0, offset: 3}])
  consoleConsumer = await startConsoleConsumer(bootstrap, liveTopic, live)
  await waitFor('the console consumer to join and commit', async () => {
    const [state, committed] = await Promise.all([groupState(bootstrap, live), committedOffsets(bootstrap, live)])
    return state.state === STABLE && state.members === 1 && [0, 1, 2].every((p) => committed[`${liveTopic}:${p}`] === 10)
  }, 60_000)
}, 120_000)

afterAll(async () => {
  await stopProcess(consoleConsumer)
})

describe('with an active group (Apache console consumer)', () => {
  it('groups list: one id per line piped, a table on a terminal, all fields in JSON, filtered by state', async () => {
    const piped = await runKafkit(['groups', 'list', '-b', bootstrap])
    expect(piped.exitCode).toBe(0)
    expect(piped.stdout.split('\n')).toContain(live)
    const json = JSON.parse((await runKafkit(['groups', 'list', '-b', bootstrap, '--json'])).stdout)
    expect(json.find((g: {group: string}) => g.group === live)).toEqual({group: live, state: 'Stable', type: 'Classic', protocolType: 'consumer', members: 1})
    const empty = await runKafkit(['groups', 'list', '--state', 'empty', '-b', bootstrap])
    expect(empty.stdout.split('\n')).not.toContain(live)
    const stable = await runKafkit(['groups', 'list', '--state', 'Stable', '-b', bootstrap])
    expect(stable.stdout.split('\n')).toContain(live)
    const tty = stripAnsi((await runKafkit(['groups', 'list', '-b', bootstrap], {tty: true})).stdout)
    expect(tty).toMatch(/GROUP\s+STATE\s+TYPE\s+PROTOCOL\s+MEMBERS/)
    expect(tty).toMatch(new RegExp(`${live}\\s+Stable\\s+Classic\\s+consumer\\s+1`))
    const bad = await runKafkit(['groups', 'list', '--state', 'sleepy', '-b', bootstrap])
    expect(bad.exitCode).toBe(2)
  })

  it('groups describe: the same numbers as kafka-consumer-groups --describe', async () => {
    const [kafkit, apache] = await Promise.all([
      runKafkit(['groups', 'describe', live, '-b', bootstrap, '--json']),
      runApache(CONSUMER_GROUP_COMMAND, ['--bootstrap-server', bootstrap, '--describe', '--group', live]),
    ])
    expect(kafkit.exitCode).toBe(0)
    const [detail] = JSON.parse(kafkit.stdout)
    const ours = detail.partitions.map((p: Record<string, unknown>) => ({
      group: live,
      topic: p.topic,
      partition: p.partition,
      currentOffset: p.currentOffset,
      logEndOffset: p.logEndOffset,
      lag: p.lag,
      consumerId: p.memberId,
    }))
    const theirs = parseApacheDescribe(apache.stdout)
    expect(theirs).toHaveLength(4)
    expect(ours).toEqual(theirs)
    // Hand-checked too: the live topic consumed to the end, the other topic 7 behind without a member.
    expect(ours.find((r: {topic: string}) => r.topic === otherTopic)).toMatchObject({currentOffset: 3, logEndOffset: 10, lag: 7, consumerId: null})
    expect(detail).toMatchObject({group: live, state: 'Stable', assignor: 'range'})
    expect(detail.members).toHaveLength(1)
    expect(detail.members[0].clientId).toBe('console-consumer')
  }, 60_000)

  it('groups describe: piped rows, terminal table, --members and --state', async () => {
    const piped = await runKafkit(['groups', 'describe', live, '-b', bootstrap])
    const rows = piped.stdout.trim().split('\n').map((l) => l.split('\t'))
    expect(rows).toHaveLength(4)
    for (const row of rows) expect(row).toHaveLength(9)
    expect(rows.find((r) => r[1] === otherTopic)).toEqual([live, otherTopic, '0', '3', '10', '7', '-', '-', '-'])

    const tty = stripAnsi((await runKafkit(['groups', 'describe', live, '-b', bootstrap], {tty: true})).stdout)
    expect(tty).toMatch(/GROUP\s+TOPIC\s+PARTITION\s+CURRENT-OFFSET\s+LOG-END-OFFSET\s+LAG\s+CONSUMER-ID\s+HOST\s+CLIENT-ID/)

    const members = (await runKafkit(['groups', 'describe', live, '--members', '-b', bootstrap])).stdout.trim().split('\t')
    expect(members[0]).toBe(live)
    expect(members[3]).toBe('console-consumer')
    expect(members[4]).toBe('3')
    expect(members[5]).toBe(`${liveTopic}:0-2`)

    const state = (await runKafkit(['groups', 'describe', live, '--state', '-b', bootstrap])).stdout.trim().split('\t')
    expect(state).toEqual([live, expect.stringMatching(/^127\.0\.0\.1:\d+ \(\d+\)$/), 'range', 'Stable', '1'])
  })

  it('groups describe: exit 5 for an unknown group, 2 without a group', async () => {
    const missing = await runKafkit(['groups', 'describe', uniqueName('nope'), '-b', bootstrap])
    expect(missing.exitCode).toBe(5)
    expect(missing.stderr).toMatch(/consumer group '.*' not found/)
    const none = await runKafkit(['groups', 'describe', '-b', bootstrap])
    expect(none.exitCode).toBe(2)
  })

  it('reset-offsets refuses the active group, naming its member, and changes nothing', async () => {
    const memberId = JSON.parse((await runKafkit(['groups', 'describe', live, '-b', bootstrap, '--json'])).stdout)[0].members[0].memberId
    for (const execute of [[], ['--execute']]) {
      const result = await runKafkit(['groups', 'reset-offsets', live, '--topic', liveTopic, '--to-earliest', ...execute, '-b', bootstrap])
      expect(result.exitCode).toBe(7)
      expect(result.stdout).toBe('')
      expect(result.stderr).toContain(`group '${live}' has 1 active member`)
      expect(result.stderr).toContain(memberId)
    }
    expect((await committedOffsets(bootstrap, live))[`${liveTopic}:0`]).toBe(10)
  })

  it('delete refuses the active group; one row per group; partial failure is exit 6', async () => {
    const empty = uniqueName('empty-group')
    await commitOffsets(bootstrap, empty, [{topic: otherTopic, partition: 1, offset: 1}])
    const result = await runKafkit(['groups', 'delete', live, empty, '--yes', '-b', bootstrap])
    expect(result.exitCode).toBe(6)
    const rows = result.stdout.replace(/\n$/, '').split('\n').map((l) => l.split('\t'))
    expect(rows).toEqual([
      [live, 'failed', expect.stringContaining('active members')],
      [empty, 'deleted', ''],
    ])
    expect(await committedOffsets(bootstrap, empty)).toEqual({})
    const onlyLive = await runKafkit(['groups', 'delete', live, '--yes', '-b', bootstrap])
    expect(onlyLive.exitCode).toBe(7)
    expect((await groupState(bootstrap, live)).members).toBe(1)
  })

  it('delete-offsets: refused for the subscribed topic, done for one the group does not read', async () => {
    const refused = await runKafkit(['groups', 'delete-offsets', live, '--topic', liveTopic, '-b', bootstrap])
    expect(refused.exitCode).toBe(7)
    expect(refused.stdout).toContain('subscribed')
    const done = await runKafkit(['groups', 'delete-offsets', live, '--topic', `${otherTopic}:0`, '-b', bootstrap, '--json'])
    expect(done.exitCode).toBe(0)
    expect(JSON.parse(done.stdout)).toEqual([{topic: otherTopic, partition: 0, deleted: true}])
    const committed = await committedOffsets(bootstrap, live)
    expect(committed[`${otherTopic}:0`]).toBeUndefined()
    expect(committed[`${liveTopic}:0`]).toBe(10)
  })

  it('once the consumer has stopped, the group is Empty and can be deleted', async () => {
    await stopProcess(consoleConsumer)
    await waitFor('the group to become empty', async () => (await groupState(bootstrap, live)).state === EMPTY)
    const noPrompt = await runKafkit(['groups', 'delete', live, '-b', bootstrap])
    expect(noPrompt.exitCode).toBe(2)
    expect(noPrompt.stderr).toContain('--yes')
    const deleted = await runKafkit(['groups', 'delete', live, '--yes', '-b', bootstrap, '--json'])
    expect(deleted.exitCode).toBe(0)
    expect(JSON.parse(deleted.stdout)).toEqual([{group: live, deleted: true}])
    expect((await runKafkit(['groups', 'describe', live, '-b', bootstrap])).exitCode).toBe(5)
    const again = await runKafkit(['groups', 'delete', live, '--yes', '-b', bootstrap])
    expect(again.exitCode).toBe(5)
  }, 60_000)
})

describe('groups delete on a terminal', () => {
  it('asks first: no keeps the group (a quiet "nothing deleted", exit 0), yes deletes it', async () => {
    const group = uniqueName('prompt-group')
    await commitOffsets(bootstrap, group, [{topic: otherTopic, partition: 0, offset: 2}])
    const declined = await runKafkit(['groups', 'delete', group, '-b', bootstrap], {tty: true, input: 'n\r'})
    expect(stripAnsi(declined.stdout)).toContain(`Delete group '${group}' and its committed offsets?`)
    expect(stripAnsi(declined.stdout)).toContain('nothing deleted')
    expect(stripAnsi(declined.stdout)).not.toContain('error')
    expect(declined.exitCode).toBe(0)
    expect(await committedOffsets(bootstrap, group)).toEqual({[`${otherTopic}:0`]: 2})
    const accepted = await runKafkit(['groups', 'delete', group, '-b', bootstrap], {tty: true, input: 'y\r'})
    expect(accepted.exitCode).toBe(0)
    expect(stripAnsi(accepted.stdout)).toMatch(new RegExp(`GROUP\\s+STATUS\\s*\\n${group}\\s+deleted`))
    // Piped: the same shape as topics delete, GROUP STATUS ERROR, whatever happened.
    const missing = await runKafkit(['groups', 'delete', group, '--yes', '-b', bootstrap])
    expect(missing.exitCode).toBe(5)
    expect(missing.stdout).toBe(`${group}\tfailed\tthe consumer group does not exist\n`)
    expect(await committedOffsets(bootstrap, group)).toEqual({})
  })
})

describe('with a group formed by kafkit consume -g', () => {
  it('shows the member, its assignment and lag; refuses a reset while it runs', async () => {
    const topic = uniqueName('kafkit-member')
    const group = uniqueName('kafkit-group')
    await createTopic(bootstrap, topic, 2)
    await produce(bootstrap, topic, recordsPerPartition(2, 5))
    const consumer = spawn(process.execPath, [kafkitBin, 'consume', topic, '-g', group, '-b', bootstrap], {env: baseEnv(), stdio: ['ignore', 'ignore', 'ignore']})
    try {
      await waitFor('kafkit consume to join', async () => {
        const state = await groupState(bootstrap, group)
        return state.state === STABLE && state.members === 1
      })
      const members = JSON.parse((await runKafkit(['groups', 'describe', group, '-b', bootstrap, '--json'])).stdout)[0].members
      expect(members).toHaveLength(1)
      expect(members[0].assignment).toEqual([
        {topic, partition: 0},
        {topic, partition: 1},
      ])
      const reset = await runKafkit(['groups', 'reset-offsets', group, '--topic', topic, '--to-earliest', '-b', bootstrap])
      expect(reset.exitCode).toBe(7)
      expect(reset.stderr).toContain(members[0].memberId)
    } finally {
      await stopProcess(consumer)
    }
    // kafkit consume commits what it printed when it stops: everything.
    await waitFor('the group to become empty', async () => (await groupState(bootstrap, group)).state === EMPTY)
    const lag = await runKafkit(['lag', group, '-b', bootstrap])
    expect(lag.stdout).toBe(`${group}\t${topic}\t2\t0\t0\t0\n`)
  }, 90_000)
})
