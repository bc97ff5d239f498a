import {type ChildProcess, spawn} from 'node:child_process'
import {closeSync, openSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, describe, expect, inject, it} from 'vitest'

import {createTopics} from './admin-client.js'
import {baseEnv, kafkitBin, runKafkit, stripAnsi, uniqueName} from './cli.js'
import {committedOffsets, waitFor} from './groups-fixtures.js'

// Group-mode consume (-g) seen from outside, as the contract of its implementation: the built
// CLI as child processes against the real broker, the group as `kafkit groups describe --json`
// shows it, and the offsets it committed. Rebalances while reading (nothing lost, duplicates
// only at a handover), null headers through a jsonl round trip, `| head`, signals, and the stops.

const bootstrap = inject('bootstrap')

interface Background {
  child: ChildProcess
  /** stdout so far (empty when stdout goes to a file). */
  stdout: () => string
  stderr: () => string
  exited: Promise<{code: number | null; signal: NodeJS.Signals | null}>
  running: () => boolean
}

const started = new Set<ChildProcess>()
const slowReaders = new Set<NodeJS.Timeout>()

afterEach(async () => {
  for (const timer of slowReaders) clearInterval(timer)
  slowReaders.clear()
  // A failed test must not leave members in the shared broker's groups or producers writing.
  for (const child of started) {
    if (child.exitCode === null && child.signalCode === null) {
      const closed = new Promise((resolve) => child.once('close', resolve))
      child.kill('SIGKILL')
      await closed
    }
  }
  started.clear()
})

/** Starts kafkit in the background; stdout to the test (a pipe) or to a file descriptor. */
function start(args: string[], options: {stdoutFd?: number} = {}): Background {
  const child = spawn(process.execPath, [kafkitBin, ...args, '-b', bootstrap], {
    env: baseEnv(),
    stdio: ['pipe', options.stdoutFd ?? 'pipe', 'pipe'],
  })
  started.add(child)
  let out = ''
  let err = ''
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d))
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d))
  let done = false
  const exited = new Promise<{code: number | null; signal: NodeJS.Signals | null}>((resolve) =>
    child.on('close', (code, signal) => {
      done = true
      resolve({code, signal})
    }),
  )
  return {child, stdout: () => out, stderr: () => err, exited, running: () => !done}
}

/** Runs a shell command line (bash -c) and returns its exit code, stdout and stderr. */
function sh(script: string): Promise<{code: number | null; stdout: string; stderr: string}> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], {env: baseEnv()})
    let out = ''
    let err = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({code, stdout: out, stderr: err})
    })
    child.stdin.end()
  })
}

const q = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`
/** The kafkit command line for bash, with the broker. */
const kafkitLine = (args: string[]) => [process.execPath, kafkitBin, ...args, '-b', bootstrap].map(q).join(' ')
const kafkit = (args: string[], input?: string) => runKafkit([...args, '-b', bootstrap], {input, timeoutMs: 90_000})

const lines = (text: string) => text.split('\n').filter((l) => l !== '')

interface Printed {
  partition: number
  offset: number
  key: unknown
  value: unknown
  headers: Array<{key: string; value: unknown}>
  timestamp?: number
}
const jsonl = (text: string): Printed[] => lines(text).map((l) => JSON.parse(l) as Printed)

/** Produces jsonl records with kafkit produce; fails the test when it fails. */
async function produceJsonl(topic: string, records: object[]): Promise<void> {
  const result = await kafkit(['produce', topic, '--input', 'jsonl'], records.map((r) => JSON.stringify(r)).join('\n') + '\n')
  expect(result.exitCode, result.stderr).toBe(0)
}

/** `n` one-line values "v0".."v(n-1)" into partition 0. */
const numbered = (n: number, from = 0) => Array.from({length: n}, (_, i) => ({partition: 0, key: null, value: `v${from + i}`}))

interface GroupDescription {
  state: string
  members: Array<{memberId: string; assignment: Array<{topic: string; partition: number}>}>
  partitions: Array<{topic: string; partition: number; currentOffset: number | null; logEndOffset: number | null}>
}

async function describeGroup(group: string): Promise<GroupDescription> {
  const result = await kafkit(['groups', 'describe', group, '--json'])
  expect(result.exitCode, result.stderr).toBe(0)
  return (JSON.parse(result.stdout) as GroupDescription[])[0]!
}

const interruptLine = (signal: string, records: number) => `stopped: interrupted by ${signal} after ${records} record(s); what was printed is committed\n`

/**
 * Reads a member's stdout slowly (4 KB every 20 ms): kafkit then waits on its writes with a
 * batch in flight, the case a rebalance must handle. Returns the function that ends it.
 */
function readSlowly(member: Background): () => void {
  const stdout = member.child.stdout!
  stdout.pause()
  // In paused mode read() hands the chunk to the 'data' listener too.
  const timer = setInterval(() => stdout.readableLength > 0 && stdout.read(Math.min(4096, stdout.readableLength)), 20)
  slowReaders.add(timer)
  return () => {
    clearInterval(timer)
    slowReaders.delete(timer)
    stdout.resume()
  }
}

describe('consume -g: rebalances while reading', () => {
  for (const [strategy, extra] of [
    ['cooperative-sticky (the default)', []],
    ['range (eager: every rebalance revokes everything)', ['-X', 'partition.assignment.strategy=range']],
  ] as const) {
    it(`${strategy}: two members, a third joining mid-read, a producer still writing: nothing lost, duplicates only at a handover`, async () => {
      const topic = uniqueName('cg-rebal')
      const group = uniqueName('cg-rebal-g')
      const partitions = 6
      const backlog = 30_000
      const total = 36_000
      await createTopics(bootstrap, [topic], partitions)
      // Unique values; partition i % 6, so each partition's log end offset is known.
      const records = Array.from({length: total}, (_, i) => ({partition: i % partitions, key: `k${i}`, value: `r${i}`}))
      const perPartition = Array.from({length: partitions}, (_, p) => records.filter((r) => r.partition === p).length)
      await produceJsonl(topic, records.slice(0, backlog))

      const members: Background[] = []
      const throttles: Array<() => void> = []
      const join = () => {
        const m = start(['consume', topic, '-g', group, '--output', 'jsonl', ...extra])
        members.push(m)
        throttles.push(readSlowly(m))
      }
      const printed = () => members.reduce((sum, m) => sum + lines(m.stdout()).length, 0)
      const allRunning = () => members.every((m) => m.running())
      join()
      join()
      await waitFor('the first two members to print records', async () => printed() >= 3000 || !allRunning(), 60_000)
      expect(allRunning(), members.map((m) => m.stderr()).join('')).toBe(true)

      // The rest arrives while the members read, in small slices, through a kafkit producer; the
      // third member joins while the first two are still working through the backlog.
      const producer = start(['produce', topic, '--input', 'jsonl'])
      join()
      const rest = records.slice(backlog)
      for (let i = 0; i < rest.length; i += 200) {
        producer.child.stdin!.write(
          rest
            .slice(i, i + 200)
            .map((r) => JSON.stringify(r) + '\n')
            .join(''),
        )
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      producer.child.stdin!.end()
      expect((await producer.exited).code, producer.stderr()).toBe(0)
      const printedWhenFed = printed()
      // Still reading slowly until the third member got partitions and printed from them.
      await waitFor('the third member to print', async () => lines(members[2]!.stdout()).length > 0 || !allRunning(), 120_000)

      // Every record reached some member; then they stop one by one (each leaving triggers a
      // rebalance of the others) with SIGTERM: exit 143, what was printed is committed.
      for (const stop of throttles) stop()
      // Complete lines only: a member may be in the middle of one.
      const complete = (text: string) => text.slice(0, text.lastIndexOf('\n') + 1)
      const union = () => new Set(members.flatMap((m) => jsonl(complete(m.stdout())).map((r) => r.value)))
      await waitFor('every record to be printed by some member', async () => union().size >= total || !allRunning(), 120_000)
      for (const [i, m] of [...members.entries()].reverse()) {
        const running = m.running()
        m.child.kill('SIGTERM')
        expect((await m.exited).code, `member ${i} (running before SIGTERM: ${running}): ${m.stderr()}`).toBe(143)
      }

      const outputs = members.map((m) => jsonl(m.stdout()))
      // Nothing lost: every record, at its partition and offset.
      const seen = new Map<string, string>()
      for (const r of outputs.flat()) seen.set(`${r.partition}:${r.offset}`, r.value as string)
      expect(seen.size).toBe(total)
      for (let p = 0; p < partitions; p++) {
        for (let o = 0; o < perPartition[p]!; o++) expect(seen.get(`${p}:${o}`)).toBe(`r${o * partitions + p}`)
      }
      // The third member took part.
      expect(outputs[2]!.length).toBeGreaterThan(0)

      // Duplicates only where a partition moved from one member to another: no member prints a
      // record twice or goes back in a partition.
      for (const out of outputs) {
        const last = new Map<number, number>()
        for (const r of out) {
          expect(r.offset, `partition ${r.partition} went back`).toBeGreaterThan(last.get(r.partition) ?? -1)
          last.set(r.partition, r.offset)
        }
      }
      // A handover: one more member printed a partition. Each prints again at most the records of
      // that partition that were read but not yet written when it was revoked
      // (docs/consume.md#group-mode).
      const reprinted: number[] = []
      const ranges: string[] = []
      for (let p = 0; p < partitions; p++) {
        const byMember = outputs.map((out) => out.filter((r) => r.partition === p).map((r) => r.offset))
        ranges.push(`p${p}:` + byMember.map((o, m) => (o.length > 0 ? `m${m}[${o[0]}-${o.at(-1)}]` : '')).join(''))
        const printers = byMember.filter((o) => o.length > 0)
        const handovers = printers.length - 1
        const duplicates = printers.reduce((sum, o) => sum + o.length, 0) - perPartition[p]!
        reprinted.push(duplicates)
        expect(duplicates, `partition ${p}`).toBeLessThanOrEqual(handovers * MAX_REPRINTED_PER_HANDOVER)
      }
      console.info(
        `[consume-group] rebalance, ${strategy}: duplicates per partition ${reprinted.join('/')} (total ${reprinted.reduce((a, b) => a + b, 0)}); ` +
          `printed per member ${outputs.map((o) => o.length).join('/')}; ${printedWhenFed} printed when the feed ended; ${ranges.join(' ')}`,
      )

      // The group is left at once, and its committed offsets are the log end offsets.
      const described = await describeGroup(group)
      expect(described.members).toEqual([])
      expect(described.partitions.map((p) => [p.partition, p.currentOffset, p.logEndOffset])).toEqual(perPartition.map((n, p) => [p, n, n]))
    }, 300_000)
  }
})

describe('consume -g: a member without partitions', () => {
  it('stands by while following, and takes over from what the other member committed when it leaves', async () => {
    const topic = uniqueName('cg-standby')
    const group = uniqueName('cg-standby-g')
    await createTopics(bootstrap, [topic], 1)
    await produceJsonl(topic, numbered(5))
    const first = start(['consume', topic, '-g', group])
    await waitFor('the first member to print', async () => lines(first.stdout()).length === 5 || !first.running())
    const second = start(['consume', topic, '-g', group])
    await waitFor('two members, one of them without partitions', async () => {
      const members = (await describeGroup(group)).members
      return members.length === 2 && members.some((m) => m.assignment.length === 0)
    })
    // Longer than a member waits for a second assignment round: a follow does not end there.
    await new Promise((resolve) => setTimeout(resolve, 6000))
    expect(second.running(), `the standby member exited: ${second.stderr()}`).toBe(true)
    first.child.kill('SIGTERM')
    expect((await first.exited).code).toBe(143)
    await produceJsonl(topic, numbered(3, 5))
    await waitFor('the standby member to print the new records', async () => lines(second.stdout()).length >= 3 || !second.running())
    second.child.kill('SIGTERM')
    expect((await second.exited).code, second.stderr()).toBe(143)
    expect(lines(second.stdout())).toEqual(['v5', 'v6', 'v7'])
    expect(await committedOffsets(bootstrap, group)).toEqual({[`${topic}:0`]: 8})
  }, 90_000)
})

describe('consume -g --pattern', () => {
  it('picks up a matching topic created while it follows, at the next metadata refresh', async () => {
    const prefix = uniqueName('cg-pat')
    const group = uniqueName('cg-pat-g')
    await createTopics(bootstrap, [`${prefix}.a`], 1)
    await produceJsonl(`${prefix}.a`, [{partition: 0, key: null, value: 'a0'}])
    const member = start(['consume', '--pattern', `${prefix}\\..*`, '-g', group, '-X', 'topic.metadata.refresh.interval.ms=1000'])
    await waitFor('the first topic to be read', async () => member.stdout() === 'a0\n' || !member.running())
    await createTopics(bootstrap, [`${prefix}.b`, `${prefix}-other`], 1)
    await produceJsonl(`${prefix}.b`, [{partition: 0, key: null, value: 'b0'}])
    await produceJsonl(`${prefix}-other`, [{partition: 0, key: null, value: 'other'}])
    await waitFor('the new topic to be read', async () => member.stdout().includes('b0') || !member.running())
    member.child.kill('SIGTERM')
    expect((await member.exited).code, member.stderr()).toBe(143)
    expect(member.stdout()).toBe('a0\nb0\n')
    expect(await committedOffsets(bootstrap, group)).toEqual({[`${prefix}.a:0`]: 1, [`${prefix}.b:0`]: 1})
  }, 90_000)
})

/** The bound docs/consume.md states for what a handover prints again: two read batches. */
const MAX_REPRINTED_PER_HANDOVER = 20_000

describe('consume -g: null header values through a jsonl round trip', () => {
  it('keeps null and empty header values, null keys and values, binary bytes; a copy through produce is identical', async () => {
    const source = uniqueName('cg-null-src')
    const copy = uniqueName('cg-null-copy')
    const group = uniqueName('cg-null-g')
    await createTopics(bootstrap, [source, copy], 2)
    const records = [
      {partition: 0, key: 'k1', value: 'v1', headers: [{key: 'h', value: null}, {key: 'e', value: ''}]},
      {partition: 0, key: null, value: null, headers: [{key: 'h', value: null}, {key: 'h', value: 'dup'}, {key: 'e', value: ''}]},
      {partition: 1, key: {base64: '/wA='}, value: {base64: 'AP8B'}, headers: [{key: 'bin', value: {base64: '/w=='}}, {key: 'h', value: null}]},
      {partition: 1, key: '', value: '', headers: []},
      {partition: 1, key: 'k5', value: 'héllo\n"quoted"', headers: [{key: 'e', value: ''}, {key: 'h', value: null}]},
    ]
    await produceJsonl(source, records)
    const shape = (r: Printed) => ({partition: r.partition, key: r.key, value: r.value, headers: r.headers})
    const byPosition = (a: Printed, b: Printed) => a.partition - b.partition || a.offset - b.offset

    const grouped = await kafkit(['consume', source, '-g', group, '-e', '--output', 'jsonl'])
    expect(grouped.exitCode, grouped.stderr).toBe(0)
    const read = jsonl(grouped.stdout).sort(byPosition)
    expect(read.map(shape)).toEqual(records)
    expect(await committedOffsets(bootstrap, group)).toEqual({[`${source}:0`]: 2, [`${source}:1`]: 3})

    // A second group member's output piped into produce: the copy reads back identical.
    const piped = await sh(
      `set -o pipefail; ${kafkitLine(['consume', source, '-g', `${group}-2`, '-e', '--output', 'jsonl'])} | ${kafkitLine(['produce', copy, '--input', 'jsonl'])}`,
    )
    expect(piped.code, piped.stderr).toBe(0)
    const copied = await kafkit(['consume', copy, '-e', '--output', 'jsonl'])
    expect(copied.exitCode, copied.stderr).toBe(0)
    const withoutTopic = ({topic: _topic, ...rest}: Printed & {topic?: string}) => rest
    expect(jsonl(copied.stdout).sort(byPosition).map(withoutTopic)).toEqual(read.map(withoutTopic))
  }, 120_000)
})

describe('consume -g: | head', () => {
  // A topic far larger than the pipe (a write fails), and a small quiet one (the reader goes
  // away while kafkit waits for records).
  for (const [count, what] of [
    [20_000, 'more records than the pipe holds'],
    [3, 'a quiet topic'],
  ] as const) {
    it(`${what}: exits 0 after one line, leaves the group at once (a reset is accepted right away), commits nothing past what was printed`, async () => {
      const topic = uniqueName('cg-head')
      const group = uniqueName('cg-head-g')
      await createTopics(bootstrap, [topic], 1)
      await produceJsonl(topic, numbered(count))
      // pipefail off: the line's status is kafkit's own, taken from PIPESTATUS.
      const result = await sh(`${kafkitLine(['consume', topic, '-g', group])} | head -1; exit "\${PIPESTATUS[0]}"`)
      expect(result.code, result.stderr).toBe(0)
      expect(result.stdout).toBe('v0\n')
      expect(result.stderr).toBe('')
      // Right away, without waiting: no member left behind.
      const described = await describeGroup(group)
      expect(described.members, 'a member stayed in the group').toEqual([])
      expect((await committedOffsets(bootstrap, group))[`${topic}:0`] ?? 0).toBeLessThanOrEqual(1)
      const reset = await kafkit(['groups', 'reset-offsets', group, '--topic', topic, '--to-offset', '2', '--execute'])
      expect(reset.exitCode, reset.stderr).toBe(0)
      expect(await committedOffsets(bootstrap, group)).toEqual({[`${topic}:0`]: 2})
    }, 90_000)
  }
})

describe('consume -g: signals', () => {
  type Output = 'a pipe' | 'a file' | 'a slow pipe'
  /**
   * A member follows a 3-partition topic while a producer keeps writing; once it printed some
   * records it gets `signal`, mid-stream. stdout goes to the test (a pipe), to a file, or to a
   * pipe read slowly (with a backlog, so a write is in flight when the signal comes).
   */
  async function interruptMidStream(signal: 'SIGINT' | 'SIGTERM', output: Output) {
    const topic = uniqueName('cg-sig')
    const group = uniqueName('cg-sig-g')
    await createTopics(bootstrap, [topic], 3)
    let i = 0
    const next = (n: number) => Array.from({length: n}, () => ({partition: i % 3, value: `m${i++}`}))
    if (output === 'a slow pipe') await produceJsonl(topic, next(20_000))
    const file = join(tmpdir(), `${uniqueName('cg-sig-out')}.txt`)
    const fd = output === 'a file' ? openSync(file, 'w') : undefined
    const consumer = start(['consume', topic, '-g', group, '-f', '%p %o %s\\n'], {stdoutFd: fd})
    if (fd !== undefined) closeSync(fd)
    const stopSlowReading = output === 'a slow pipe' ? readSlowly(consumer) : undefined
    const printed = () => (output === 'a file' ? readFileSync(file, 'utf8') : consumer.stdout())
    const producer = start(['produce', topic, '--input', 'jsonl'])
    const feed = setInterval(() => producer.child.stdin!.write(next(20).map((r) => JSON.stringify(r) + '\n').join('')), 50)
    try {
      await waitFor('the member to print 200 records', async () => lines(printed()).length >= 200 || !consumer.running(), 90_000)
      expect(consumer.running(), consumer.stderr()).toBe(true)
      consumer.child.kill(signal)
      stopSlowReading?.()
      const {code} = await consumer.exited
      // Straight after the exit: the member is gone.
      const described = await describeGroup(group)
      expect(described.members).toEqual([])
      return {code, stderr: consumer.stderr(), printed: lines(printed()), committed: await committedOffsets(bootstrap, group), topic}
    } finally {
      clearInterval(feed)
      producer.child.stdin!.end()
      await producer.exited
    }
  }

  for (const [signal, code, output] of [
    ['SIGINT', 130, 'a pipe'],
    ['SIGTERM', 143, 'a file'],
    ['SIGINT', 130, 'a slow pipe'],
  ] as const) {
    it(`${signal} mid-stream (stdout ${output}): exit ${code}, exactly what was printed is committed, the group is left at once`, async () => {
      const result = await interruptMidStream(signal, output)
      expect(result.code, result.stderr).toBe(code)
      expect(result.stderr).toBe(interruptLine(signal, result.printed.length))
      // Per partition: offsets 0..n-1 printed in order, and n committed.
      const printedPerPartition = new Map<number, number[]>()
      for (const line of result.printed) {
        const [p, o] = line.split(' ').map(Number)
        printedPerPartition.set(p!, [...(printedPerPartition.get(p!) ?? []), o!])
      }
      const expected: Record<string, number> = {}
      for (const [p, offsets] of printedPerPartition) {
        expect(offsets).toEqual(offsets.map((_, i) => i))
        expected[`${result.topic}:${p}`] = offsets.length
      }
      expect(result.committed).toEqual(expected)
    }, 150_000)
  }
})

describe('consume -g: where to start and stop', () => {
  it('-c N prints exactly N and commits N; the next run continues there', async () => {
    const topic = uniqueName('cg-count')
    const group = uniqueName('cg-count-g')
    await createTopics(bootstrap, [topic], 1)
    await produceJsonl(topic, numbered(50))
    const first = await kafkit(['consume', topic, '-g', group, '-c', '7'])
    expect(first.exitCode, first.stderr).toBe(0)
    expect(lines(first.stdout)).toEqual(numbered(7).map((r) => r.value))
    expect(await committedOffsets(bootstrap, group)).toEqual({[`${topic}:0`]: 7})
    const next = await kafkit(['consume', topic, '-g', group, '-c', '5', '--output', 'jsonl'])
    expect(jsonl(next.stdout).map((r) => r.offset)).toEqual([7, 8, 9, 10, 11])
    expect(await committedOffsets(bootstrap, group)).toEqual({[`${topic}:0`]: 12})
    expect((await describeGroup(group)).members).toEqual([])
  })

  it('an explicit -o N overrides the committed offset; beginning and end do not (they apply only without one)', async () => {
    const topic = uniqueName('cg-start')
    const group = uniqueName('cg-start-g')
    await createTopics(bootstrap, [topic], 1)
    await produceJsonl(topic, numbered(30))
    // A group that never committed: -o end starts at the end, so only records written after it
    // took its position are printed. New ones are written until it printed one.
    const fresh = start(['consume', topic, '-g', `${group}-new`, '-o', 'end', '-c', '1', '--output', 'jsonl'])
    for (let n = 0; fresh.running(); n++) {
      await produceJsonl(topic, [{partition: 0, key: null, value: `new${n}`}])
      await Promise.race([fresh.exited, new Promise((resolve) => setTimeout(resolve, 1000))])
    }
    expect((await fresh.exited).code, fresh.stderr()).toBe(0)
    const [first] = jsonl(fresh.stdout())
    expect(first!.value).toMatch(/^new\d+$/)
    expect(await committedOffsets(bootstrap, `${group}-new`)).toEqual({[`${topic}:0`]: first!.offset + 1})

    expect((await kafkit(['consume', topic, '-g', group, '-c', '12'])).exitCode).toBe(0)
    const explicit = await kafkit(['consume', topic, '-g', group, '-o', '5', '-c', '3'])
    expect(lines(explicit.stdout)).toEqual(['v5', 'v6', 'v7'])
    expect(await committedOffsets(bootstrap, group)).toEqual({[`${topic}:0`]: 8})
    const beginning = await kafkit(['consume', topic, '-g', group, '-o', 'beginning', '-c', '2'])
    expect(lines(beginning.stdout)).toEqual(['v8', 'v9'])
    const end = await kafkit(['consume', topic, '-g', group, '-o', 'end', '-c', '2'])
    expect(lines(end.stdout)).toEqual(['v10', 'v11'])
    expect(await committedOffsets(bootstrap, group)).toEqual({[`${topic}:0`]: 12})
  }, 90_000)

  it('a range START:END and --until stop exactly there and commit the stop', async () => {
    const topic = uniqueName('cg-range')
    const group = uniqueName('cg-range-g')
    await createTopics(bootstrap, [topic], 1)
    const base = Date.now() - 3_600_000
    await produceJsonl(
      topic,
      numbered(40).map((r, i) => ({...r, timestamp: base + i * 1000})),
    )
    const range = await kafkit(['consume', topic, '-g', group, '-o', '10:15'])
    expect(range.exitCode, range.stderr).toBe(0)
    expect(lines(range.stdout)).toEqual(['v10', 'v11', 'v12', 'v13', 'v14'])
    expect(await committedOffsets(bootstrap, group)).toEqual({[`${topic}:0`]: 15})
    // From the committed 15 up to the first record stamped at or after record 25's time.
    const until = await kafkit(['consume', topic, '-g', group, '--until', String(base + 25_000)])
    expect(until.exitCode, until.stderr).toBe(0)
    expect(lines(until.stdout)).toEqual(numbered(10, 15).map((r) => r.value))
    expect(await committedOffsets(bootstrap, group)).toEqual({[`${topic}:0`]: 25})
    expect((await describeGroup(group)).members).toEqual([])
  })

  it('--idle-timeout ends a follow in group mode: exit 0, everything committed, the group left', async () => {
    const topic = uniqueName('cg-idle')
    const group = uniqueName('cg-idle-g')
    await createTopics(bootstrap, [topic], 2)
    await produceJsonl(topic, [...numbered(4), ...numbered(3, 4).map((r) => ({...r, partition: 1}))])
    const result = await kafkit(['consume', topic, '-g', group, '--idle-timeout', '3s'])
    expect(result.exitCode, result.stderr).toBe(0)
    expect(lines(result.stdout).sort()).toEqual(numbered(7).map((r) => r.value).sort())
    expect(await committedOffsets(bootstrap, group)).toEqual({[`${topic}:0`]: 4, [`${topic}:1`]: 3})
    expect((await describeGroup(group)).members).toEqual([])
  })

  it('on a terminal: the readable view, and the same commits as piped', async () => {
    const topic = uniqueName('cg-tty')
    const group = uniqueName('cg-tty-g')
    await createTopics(bootstrap, [topic], 1)
    await produceJsonl(topic, numbered(5))
    const result = await runKafkit(['consume', topic, '-g', group, '-c', '3', '-b', bootstrap], {tty: true})
    expect(result.exitCode).toBe(0)
    expect(stripAnsi(result.stdout)).toMatch(/^0:0 \d{4}-\d\d-\d\dT[\d:.]+Z v0\n0:1 \S+ v1\n0:2 \S+ v2\n$/)
    expect(await committedOffsets(bootstrap, group)).toEqual({[`${topic}:0`]: 3})
    // The rest, piped, continues from the commit.
    const rest = await kafkit(['consume', topic, '-g', group, '-e'])
    expect(lines(rest.stdout)).toEqual(['v3', 'v4'])
  })
})
