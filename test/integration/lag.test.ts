import {spawn} from 'node:child_process'

import {beforeAll, describe, expect, inject, it} from 'vitest'

import {baseEnv, kafkitBin, repoRoot, runKafkit, stripAnsi, uniqueName} from './cli.js'
import {commitOffsets, CONSUMER_GROUP_COMMAND, createTopic, parseApacheDescribe, produce, recordsPerPartition, runApache} from './groups-fixtures.js'
import {type Pace, startPace} from './lag-pace.js'

// kafkit lag against the real broker: numbers equal to kafka-consumer-groups --describe, the
// --max-lag exit codes, piped and terminal output, and --watch (live on a pseudo-terminal,
// appended rounds when piped, ended by SIGINT with exit code 130).
//
// Group A: topic T (3 partitions x 10 records) committed at 4, 6, 10 -> lag 6 + 4 + 0 = 10, max 6.
// Group B: topic U (2 partitions x 5 records) committed at 0, 0 -> lag 10; and T partition 0 at 10 -> lag 0.

const bootstrap = inject('bootstrap')
let groupA: string
let groupB: string
let topicT: string
let topicU: string

beforeAll(async () => {
  groupA = uniqueName('lag-a')
  groupB = uniqueName('lag-b')
  topicT = uniqueName('lag-t')
  topicU = uniqueName('lag-u')
  await Promise.all([createTopic(bootstrap, topicT, 3), createTopic(bootstrap, topicU, 2)])
  await Promise.all([produce(bootstrap, topicT, recordsPerPartition(3, 10)), produce(bootstrap, topicU, recordsPerPartition(2, 5))])
  await commitOffsets(bootstrap, groupA, [0, 1, 2].map((partition) => ({topic: topicT, partition, offset: [4, 6, 10][partition]!})))
  await commitOffsets(bootstrap, groupB, [
    {topic: topicU, partition: 0, offset: 0},
    {topic: topicU, partition: 1, offset: 0},
    {topic: topicT, partition: 0, offset: 10},
  ])
}, 60_000)

/** Runs kafkit under `timeout -s INT` (or TERM), on a pseudo-terminal or piped, for --watch. */
function runInterrupted(args: string[], seconds: number, tty: boolean, signal: 'INT' | 'TERM' = 'INT'): Promise<{stdout: string; stderr: string; exitCode: number | null}> {
  const command = ['timeout', '-s', signal, '--preserve-status', String(seconds), process.execPath, kafkitBin, ...args]
  const [file, argv] = tty ? ['script', ['-qefc', command.join(' '), '/dev/null']] : [command[0]!, command.slice(1)]
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, {cwd: repoRoot, env: tty ? {...baseEnv(), COLUMNS: '160', TERM: 'xterm'} : baseEnv(), stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (exitCode) => resolve({stdout: stdout.replaceAll('\r\n', '\n'), stderr, exitCode}))
  })
}

describe('kafkit lag', () => {
  it('sums lag per group and topic, equal to kafka-consumer-groups --describe', async () => {
    const [kafkit, apache] = await Promise.all([
      runKafkit(['lag', groupA, groupB, '-b', bootstrap]),
      runApache(CONSUMER_GROUP_COMMAND, ['--bootstrap-server', bootstrap, '--describe', '--group', groupA, '--group', groupB]),
    ])
    expect(kafkit.exitCode).toBe(0)
    expect(kafkit.stdout).toBe([`${groupA}\t${topicT}\t3\t10\t6\t0`, `${groupB}\t${topicT}\t1\t0\t0\t0`, `${groupB}\t${topicU}\t2\t10\t5\t0`].join('\n') + '\n')
    const apacheLag: Record<string, number> = {}
    for (const row of parseApacheDescribe(apache.stdout)) apacheLag[`${row.group}/${row.topic}`] = (apacheLag[`${row.group}/${row.topic}`] ?? 0) + (row.lag ?? 0)
    expect(apacheLag).toEqual({[`${groupA}/${topicT}`]: 10, [`${groupB}/${topicT}`]: 0, [`${groupB}/${topicU}`]: 10})
  }, 60_000)

  it('--by-partition, --topic, --json and the terminal table', async () => {
    const byPartition = await runKafkit(['lag', groupA, '--by-partition', '-b', bootstrap])
    expect(byPartition.stdout).toBe([0, 1, 2].map((p) => `${groupA}\t${topicT}\t${p}\t${[4, 6, 10][p]}\t10\t${[6, 4, 0][p]}\t-`).join('\n') + '\n')
    const onlyU = await runKafkit(['lag', groupB, '--topic', topicU, '-b', bootstrap])
    expect(onlyU.stdout).toBe(`${groupB}\t${topicU}\t2\t10\t5\t0\n`)
    const json = JSON.parse((await runKafkit(['lag', groupA, '-b', bootstrap, '--json'])).stdout)
    expect(json.topics).toEqual([{group: groupA, topic: topicT, partitions: 3, totalLag: 10, maxPartitionLag: 6, uncommitted: 0, members: 0}])
    expect(Date.parse(json.at)).toBeGreaterThan(Date.now() - 60_000)
    const tty = stripAnsi((await runKafkit(['lag', groupA, '-b', bootstrap], {tty: true})).stdout)
    expect(tty).toMatch(/GROUP\s+TOPIC\s+PARTITIONS\s+LAG\s+MAX-LAG\s+MEMBERS/)
    expect(tty).toMatch(new RegExp(`${groupA}\\s+${topicT}\\s+3\\s+10\\s+6\\s+0`))
  })

  it('--max-lag: exit 0 at or below the threshold, 8 above it, with the numbers still printed', async () => {
    const ok = await runKafkit(['lag', groupA, groupB, '--max-lag', '10', '-b', bootstrap])
    expect(ok.exitCode).toBe(0)
    const over = await runKafkit(['lag', groupA, groupB, '--max-lag', '9', '-b', bootstrap])
    expect(over.exitCode).toBe(8)
    expect(over.stdout.trim().split('\n')).toHaveLength(3)
    expect(over.stderr).toContain(`lag above 9: ${groupA}/${topicT}=10, ${groupB}/${topicU}=10`)
    const json = await runKafkit(['lag', groupA, '--max-lag', '5', '-b', bootstrap, '--json'])
    expect(json.exitCode).toBe(8)
    expect(JSON.parse(json.stdout)).toMatchObject({maxLag: 5, exceeded: [{group: groupA, topic: topicT, totalLag: 10}]})
    expect(JSON.parse(json.stderr)).toMatchObject({error: {code: 'findings', exitCode: 8}})
    const bad = await runKafkit(['lag', groupA, '--max-lag', 'lots', '-b', bootstrap])
    expect(bad.exitCode).toBe(2)
  })

  it('exit 5 for an unknown group', async () => {
    const result = await runKafkit(['lag', uniqueName('nope'), '-b', bootstrap])
    expect(result.exitCode).toBe(5)
  })

  it('--watch on a terminal redraws in place and shows the lag growing', async () => {
    const watching = runInterrupted(['lag', groupA, '--watch', '1s', '-b', bootstrap], 6, true)
    await new Promise((resolve) => setTimeout(resolve, 2500))
    await produce(bootstrap, topicT, recordsPerPartition(1, 30))
    const {stdout, exitCode} = await watching
    expect(exitCode).toBe(130)
    const frames = stdout.split('\u001B[H\u001B[2J').slice(1).map(stripAnsi)
    expect(frames.length).toBeGreaterThanOrEqual(3)
    expect(frames[0]).toMatch(/GROUP\s+TOPIC\s+PARTITIONS\s+LAG\s+MAX-LAG\s+MEMBERS\s+CONSUMED\/S\s+PRODUCED\/S\s+TREND\s+ETA\s+HISTORY/)
    expect(frames[0]).toMatch(new RegExp(`${groupA}\\s+${topicT}\\s+3\\s+10\\s+`))
    // After the 30 new records: lag 40, nothing consumed, records produced: rising, never caught up.
    expect(frames.at(-1)).toMatch(new RegExp(`${groupA}\\s+${topicT}\\s+3\\s+40\\s+`))
    expect(frames.some((f) => /\s40\s+36\s+0\s+0\s+\d+(\.\d)?\s+↑ rising\s+never\s+[▁-█]+/.test(f))).toBe(true)
  }, 30_000)

  it('--watch piped appends timestamped rounds; --json writes one object per round', async () => {
    const piped = await runInterrupted(['lag', groupB, '--topic', topicU, '--watch=1s', '-b', bootstrap], 4, false)
    expect(piped.exitCode).toBe(130)
    const lines = piped.stdout.trim().split('\n')
    expect(lines.length).toBeGreaterThanOrEqual(2)
    for (const line of lines) expect(line).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[^\\t]+Z\\t${groupB}\\t${topicU}\\t2\\t10\\t5\\t0\\t`))
    const json = await runInterrupted(['lag', groupB, '--topic', topicU, '--watch', '1', '--json', '-b', bootstrap], 4, false)
    const rounds = json.stdout.trim().split('\n').map((l) => JSON.parse(l))
    expect(rounds.length).toBeGreaterThanOrEqual(2)
    // The estimate fields are in every round, null until there are two reads.
    expect(rounds[0].topics).toEqual([expect.objectContaining({group: groupB, topic: topicU, consumptionRate: null, catchUpSeconds: null, neverCatchesUp: null})])
    // Nothing moves: a lag of 10 that never shrinks.
    expect(rounds[1].topics).toEqual([
      {group: groupB, topic: topicU, partitions: 2, totalLag: 10, maxPartitionLag: 5, uncommitted: 0, members: 0, consumptionRate: 0, productionRate: 0, lagRate: 0, trend: 'steady', catchUpSeconds: null, neverCatchesUp: true, rateWindowSeconds: expect.any(Number)},
    ])
  }, 30_000)

  it('--watch ended by SIGTERM: exit 143; under --json the rounds on stdout, the error as JSON on stderr', async () => {
    const json = await runInterrupted(['lag', groupB, '--watch', '1s', '--json', '-b', bootstrap], 3, false, 'TERM')
    expect(json.exitCode).toBe(143)
    const rounds = json.stdout.trim().split('\n').map((l) => JSON.parse(l))
    expect(rounds.length).toBeGreaterThanOrEqual(1)
    expect(JSON.parse(json.stderr)).toMatchObject({error: {code: 'interrupted', exitCode: 143}})
  }, 30_000)

  it('--watch on a terminal gives the cursor back when it ends', async () => {
    const {stdout, exitCode} = await runInterrupted(['lag', groupB, '--watch', '1s', '-b', bootstrap], 3, true)
    expect(exitCode).toBe(130)
    expect(stdout.indexOf('\u001B[?25l')).toBeGreaterThanOrEqual(0)
    expect(stdout.lastIndexOf('\u001B[?25h')).toBeGreaterThan(stdout.lastIndexOf('\u001B[H\u001B[2J'))
  }, 30_000)
})

// Rates and the estimate against a known pace (lag-pace.ts): group PACED commits 200 offsets/s
// over 2 partitions with a backlog while 60 records/s are written to its topic, so it consumes 200/s,
// the topic grows 60/s and the lag falls 140/s. Group STUCK commits nothing on a topic written at
// 20/s (never catches up); group DONE has read everything of a quiet topic (no lag); group STEPPED
// commits 60/s in steps every 5 s, as auto-commit does, on a quiet topic with a backlog.
// Tolerance: rates and the ETA within ±30% of the pace (a noisy 2-core machine; the pacer ticks
// every 100 ms and commits asynchronously). Wall time: about 15 s, the runs side by side.
describe('kafkit lag: rates and the catch-up estimate', () => {
  const CONSUME = 200
  const PRODUCE = 60
  const STUCK_PRODUCE = 20
  const STEPPED_CONSUME = 60
  const within = (actual: number, expected: number, share = 0.3) => {
    expect(actual).toBeGreaterThanOrEqual(expected * (1 - share))
    expect(actual).toBeLessThanOrEqual(expected * (1 + share))
  }
  let paced: string
  let stuck: string
  let done: string
  let stepped: string
  const paces: Pace[] = []

  beforeAll(async () => {
    paced = uniqueName('lag-paced')
    stuck = uniqueName('lag-stuck')
    done = uniqueName('lag-done')
    stepped = uniqueName('lag-stepped')
    const [pacedTopic, stuckTopic, doneTopic, steppedTopic] = [uniqueName('lag-pt'), uniqueName('lag-st'), uniqueName('lag-dt'), uniqueName('lag-xt')]
    await Promise.all([createTopic(bootstrap, pacedTopic, 2), createTopic(bootstrap, stuckTopic, 1), createTopic(bootstrap, doneTopic, 1), createTopic(bootstrap, steppedTopic, 1)])
    await Promise.all([
      produce(bootstrap, pacedTopic, recordsPerPartition(2, 3000)),
      produce(bootstrap, stuckTopic, recordsPerPartition(1, 100)),
      produce(bootstrap, doneTopic, recordsPerPartition(1, 10)),
      produce(bootstrap, steppedTopic, recordsPerPartition(1, 3000)),
    ])
    await Promise.all([
      commitOffsets(bootstrap, stepped, [{topic: steppedTopic, partition: 0, offset: 0}]),
      commitOffsets(bootstrap, paced, [0, 1].map((partition) => ({topic: pacedTopic, partition, offset: 0}))),
      commitOffsets(bootstrap, stuck, [{topic: stuckTopic, partition: 0, offset: 0}]),
      commitOffsets(bootstrap, done, [{topic: doneTopic, partition: 0, offset: 10}]),
    ])
    paces.push(
      await startPace(bootstrap, {topic: pacedTopic, partitions: 2, group: paced, committed: [0, 0], consumePerSecond: CONSUME, producePerSecond: PRODUCE}),
      await startPace(bootstrap, {topic: stuckTopic, partitions: 1, group: stuck, committed: [0], consumePerSecond: 0, producePerSecond: STUCK_PRODUCE}),
      await startPace(bootstrap, {topic: steppedTopic, partitions: 1, group: stepped, committed: [0], consumePerSecond: STEPPED_CONSUME, producePerSecond: 0, commitEveryMs: 5000}),
    )
    // Let the pace settle before the first read.
    await new Promise((resolve) => setTimeout(resolve, 1000))
    return async () => {
      await Promise.all(paces.map((p) => p.stop()))
    }
  }, 60_000)

  it('--sample, --max-catch-up and --watch measure the pace and sort the worst first', async () => {
    const [sampled, tooSlow, inTime, defaultSample, watching] = await Promise.all([
      runKafkit(['lag', paced, '--sample', '5s', '--json', '-b', bootstrap]),
      runKafkit(['lag', paced, '--sample', '2s', '--max-catch-up', '1s', '-b', bootstrap]),
      runKafkit(['lag', done, paced, '--sample', '2s', '--max-catch-up', '1h', '-b', bootstrap]),
      // No --sample: --max-catch-up samples over the default 10 s.
      runKafkit(['lag', stuck, stepped, '--max-catch-up', '1h', '--json', '-b', bootstrap]),
      runInterrupted(['lag', done, paced, stuck, '--watch', '1s', '-b', bootstrap], 7, true),
    ])

    // --sample 5s --json: the two rates, the trend and the ETA the pace implies.
    expect(sampled.exitCode).toBe(0)
    const [row] = JSON.parse(sampled.stdout).topics
    within(row.consumptionRate, CONSUME)
    within(row.productionRate, PRODUCE)
    expect(row.lagRate).toBeCloseTo(row.productionRate - row.consumptionRate, 6)
    expect(row).toMatchObject({group: paced, trend: 'falling', neverCatchesUp: false})
    expect(row.rateWindowSeconds).toBeGreaterThanOrEqual(5)
    expect(row.rateWindowSeconds).toBeLessThan(8)
    within(row.catchUpSeconds, row.totalLag / (CONSUME - PRODUCE))

    // --max-catch-up 1s: the ETA (thousands of records at 140/s) is longer: exit 8, naming the group.
    expect(tooSlow.exitCode).toBe(8)
    expect(tooSlow.stderr).toMatch(new RegExp(`not caught up within 1s: ${paced}/\\S+ \\(lag \\d+, ETA \\d+s\\)`))
    // --max-catch-up 1h: in time; piped rows worst first (the ETA before the caught-up group).
    expect(inTime.exitCode).toBe(0)
    const lines = inTime.stdout.trim().split('\n').map((l) => l.split('\t'))
    expect(lines.map((l) => l[0])).toEqual([paced, done])
    expect(lines[0]!.slice(8)).toEqual(['falling', expect.stringMatching(/^\d+s$/)])
    expect(lines[1]!.slice(6)).toEqual(['0', '0', 'steady', 'caught up'])

    // The default sample: 10 s, and a group that never catches up fails whatever the limit.
    expect(defaultSample.exitCode).toBe(8)
    const stuckResult = JSON.parse(defaultSample.stdout)
    expect(stuckResult.maxCatchUpSeconds).toBe(3600)
    expect(stuckResult.catchUpExceeded).toEqual([expect.objectContaining({group: stuck, neverCatchesUp: true, catchUpSeconds: null, trend: 'rising', consumptionRate: 0})])
    within(stuckResult.catchUpExceeded[0].productionRate, STUCK_PRODUCE)
    expect(stuckResult.catchUpExceeded[0].rateWindowSeconds).toBeGreaterThanOrEqual(10)
    expect(JSON.parse(defaultSample.stderr)).toMatchObject({error: {code: 'findings', exitCode: 8}})
    // Commits in 5 s steps, measured over the default sample: the steps' pace, and in time.
    const steppedRow = stuckResult.topics.find((r: {group: string}) => r.group === stepped)
    within(steppedRow.consumptionRate, STEPPED_CONSUME)
    expect(steppedRow).toMatchObject({productionRate: 0, trend: 'falling', neverCatchesUp: false})

    // --watch on a terminal: frames redrawn through the live view, the worst row first.
    expect(watching.exitCode).toBe(130)
    const frames = watching.stdout.split('\u001B[H\u001B[2J').slice(1).map(stripAnsi)
    expect(frames.length).toBeGreaterThanOrEqual(3)
    const last = frames.at(-1)!
    expect(last).toMatch(/GROUP\s+TOPIC\s+PARTITIONS\s+LAG\s+MAX-LAG\s+MEMBERS\s+CONSUMED\/S\s+PRODUCED\/S\s+TREND\s+ETA\s+HISTORY/)
    const rows = last.split('\n').filter((l) => l.startsWith('lag-'))
    expect(rows.map((l) => l.split(/\s+/)[0])).toEqual([stuck, paced, done])
    expect(rows[0]).toMatch(/↑ rising\s+never\s+[▁-█]+$/)
    expect(rows[1]).toMatch(/↓ falling\s+\d+(m\d\d)?s\s+[▁-█]+$/)
    expect(rows[2]).toMatch(/→ steady\s+caught up\s+▁+$/)
  }, 45_000)
})
