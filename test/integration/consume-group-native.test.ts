import {beforeAll, describe, expect, inject, it} from 'vitest'

import {createTopics} from './admin-client.js'
import {baseEnv, kafkitBin, runProgram as run, uniqueName} from './cli.js'
import {committedOffsets} from './groups-fixtures.js'

// Group mode on the native consume loop (native/src/kafkit_consume.c): which loop runs, null
// header values kept in group mode, explicit starts and ranges over committed offsets, and the
// group left at once when stdout's reader goes away.

const bootstrap = inject('bootstrap')


const kafkit = (args: string[], input?: string | Buffer, env?: NodeJS.ProcessEnv) => run(process.execPath, [kafkitBin, ...args, '-b', bootstrap], input, env)
const kcat = (args: string[], input?: string | Buffer) => run('kcat', ['-b', bootstrap, '-X', 'enable.idempotence=true', ...args], input)
const lines = (b: Buffer) => b.toString('utf8').split('\n').filter((l) => l !== '')
const loopLine = (stderr: string) => stderr.split('\n').find((l) => l.includes('consume: ') && l.includes(' loop ('))

/** `perPartition` records "p<P>-r<I>" in each partition. */
async function fill(topic: string, partitions: number, perPartition: number): Promise<void> {
  for (let p = 0; p < partitions; p++) {
    const records = Array.from({length: perPartition}, (_, i) => `p${p}-r${i}`).join('\n') + '\n'
    expect((await kcat(['-P', '-t', topic, '-p', String(p)], records)).exitCode).toBe(0)
  }
}

describe('consume -g on the native loop', () => {
  const topic = uniqueName('cgn')
  beforeAll(async () => {
    await createTopics(bootstrap, [topic], 3)
    await fill(topic, 3, 20)
  })

  it('group mode reads on the native loop (--debug says so); filters and KAFKIT_NATIVE_CONSUME=0 take the JS loop', async () => {
    const native = await kafkit(['consume', topic, '-g', uniqueName('cgn-n'), '-e', '--debug'])
    expect(native.exitCode).toBe(0)
    expect(lines(native.stdout)).toHaveLength(60)
    expect(loopLine(native.stderr)).toMatch(/native loop \(group cgn-n/)

    const filtered = await kafkit(['consume', topic, '-g', uniqueName('cgn-f'), '-e', '--grep', 'r1$', '--debug'])
    expect(lines(filtered.stdout).sort()).toEqual(['p0-r1', 'p1-r1', 'p2-r1'])
    expect(loopLine(filtered.stderr)).toMatch(/JS loop \(group .*per-record filter/)

    const switchedOff = await kafkit(['consume', topic, '-g', uniqueName('cgn-js'), '-e', '--debug'], undefined, baseEnv({KAFKIT_NATIVE_CONSUME: '0'}))
    expect(lines(switchedOff.stdout).sort()).toEqual(lines(native.stdout).sort())
    expect(loopLine(switchedOff.stderr)).toMatch(/JS loop \(group .*switched off/)
  })

  it('a null header value stays null in group mode: jsonl, a jsonl round trip, and -f %h', async () => {
    const source = uniqueName('cgn-nullh')
    const copy = uniqueName('cgn-nullh-copy')
    await createTopics(bootstrap, [source, copy])
    // A header without "=" has a null value.
    expect((await kcat(['-P', '-t', source, '-K:', '-H', 'nullh', '-H', 'empty=', '-H', 'x=1'], 'k:v\n')).exitCode).toBe(0)

    const exported = await kafkit(['consume', source, '-g', uniqueName('cgn-nullh-g'), '-e', '--output', 'jsonl'])
    expect(exported.exitCode).toBe(0)
    const record = JSON.parse(lines(exported.stdout)[0]!)
    expect(record.headers).toEqual([
      {key: 'nullh', value: null},
      {key: 'empty', value: ''},
      {key: 'x', value: '1'},
    ])
    expect((await kafkit(['produce', copy, '--input', 'jsonl'], exported.stdout)).exitCode).toBe(0)
    const copied = await kafkit(['consume', copy, '-g', uniqueName('cgn-nullh-g2'), '-e', '--output', 'jsonl'])
    expect(JSON.parse(lines(copied.stdout)[0]!).headers).toEqual(record.headers)

    const formatted = await kafkit(['consume', source, '-g', uniqueName('cgn-nullh-g3'), '-e', '-f', '%h|%k|%s\\n'])
    expect(formatted.stdout.toString()).toBe('nullh=NULL,empty=,x=1|k|v\n')
  })

  it('explicit -o overrides the committed offset, a range stops and commits where it ends; then the group goes on from there', async () => {
    const group = uniqueName('cgn-range')
    const first = await kafkit(['consume', topic, '-g', group, '-e', '-f', '%p:%o\\n'])
    expect(lines(first.stdout)).toHaveLength(60)
    expect(await committedOffsets(bootstrap, group)).toEqual({[`${topic}:0`]: 20, [`${topic}:1`]: 20, [`${topic}:2`]: 20})

    // Offsets 5 to 9 of each partition, although the group committed 20.
    const range = await kafkit(['consume', topic, '-g', group, '-o', '5:10', '-f', '%p:%o\\n'])
    expect(range.exitCode).toBe(0)
    const want = [0, 1, 2].flatMap((p) => [5, 6, 7, 8, 9].map((o) => `${p}:${o}`))
    expect(lines(range.stdout).sort()).toEqual(want.sort())
    expect(await committedOffsets(bootstrap, group)).toEqual({[`${topic}:0`]: 10, [`${topic}:1`]: 10, [`${topic}:2`]: 10})

    const rest = await kafkit(['consume', topic, '-g', group, '-e', '-f', '%p:%o\\n'])
    expect(lines(rest.stdout)).toHaveLength(30)
    expect(lines(rest.stdout).every((l) => Number(l.split(':')[1]) >= 10)).toBe(true)
  })

  it('-e: a member the group gives nothing ends after a grace period, printing nothing', async () => {
    const single = uniqueName('cgn-single')
    await createTopics(bootstrap, [single], 1)
    await fill(single, 1, 10)
    const group = uniqueName('cgn-single-g')
    const holder = kafkit(['consume', single, '-g', group, '--idle-timeout', '10s', '-f', '%o\\n'])
    // The first member owns the only partition before the second one joins.
    await new Promise((resolve) => setTimeout(resolve, 2500))
    const empty = await kafkit(['consume', single, '-g', group, '-e'])
    expect(empty.exitCode, empty.stderr).toBe(0)
    expect(empty.stdout.toString()).toBe('')
    const held = await holder
    expect(lines(held.stdout)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'])
  }, 60_000)

  it('-c in group mode commits exactly what was printed', async () => {
    const group = uniqueName('cgn-count')
    const result = await kafkit(['consume', topic, '-g', group, '-c', '7', '-f', '%p:%o\\n'])
    expect(result.exitCode).toBe(0)
    const printed = lines(result.stdout)
    expect(printed).toHaveLength(7)
    const offsets = await committedOffsets(bootstrap, group)
    for (const [tp, offset] of Object.entries(offsets)) {
      const partition = tp.split(':').pop()
      const last = Math.max(...printed.filter((l) => l.startsWith(`${partition}:`)).map((l) => Number(l.split(':')[1])))
      expect(offset).toBe(last + 1)
    }
    expect(Object.values(offsets).reduce((a, b) => a + b, 0)).toBe(7)
  })

  // More than a pipe holds: the reader leaves while kafkit is writing (EPIPE), not between writes.
  const big = uniqueName('cgn-big')
  beforeAll(async () => {
    await createTopics(bootstrap, [big], 3)
    const records = Array.from({length: 20_000}, (_, i) => String(i).padStart(99, '0')).join('\n') + '\n'
    for (let p = 0; p < 3; p++) expect((await kcat(['-P', '-t', big, '-p', String(p)], records)).exitCode).toBe(0)
  })

  for (const [loop, env] of [
    ['native', baseEnv()],
    ['JS', baseEnv({KAFKIT_NATIVE_CONSUME: '0'})],
  ] as const) {
    it(`| head -1 (${loop} loop): exit 0, the group is left at once, and reset-offsets is accepted right after`, async () => {
      const group = uniqueName('cgn-head')
      const piped = await run('bash', ['-c', `set -o pipefail; "${process.execPath}" "${kafkitBin}" consume ${big} -g ${group} -b ${bootstrap} | head -1`], undefined, env)
      expect(piped.exitCode).toBe(0)
      expect(lines(piped.stdout)).toHaveLength(1)
      expect(piped.stderr).toBe('')

      const described = await kafkit(['groups', 'describe', group, '--json'])
      expect(described.exitCode).toBe(0)
      expect(JSON.parse(described.stdout.toString())[0].members).toEqual([])
      const reset = await kafkit(['groups', 'reset-offsets', group, '--topic', big, '--to-earliest', '--execute'])
      expect(reset.exitCode, reset.stderr).toBe(0)
      expect(await committedOffsets(bootstrap, group)).toEqual({[`${big}:0`]: 0, [`${big}:1`]: 0, [`${big}:2`]: 0})
    })
  }

  // A commit sent while the group rebalances fails unseen: it must be sent again, not counted as done.
  for (const [loop, env] of [
    ['native', baseEnv()],
    ['JS', baseEnv({KAFKIT_NATIVE_CONSUME: '0'})],
  ] as const) {
    it(`a member joining while the first one is stalled writing (${loop} loop): nothing lost, every partition committed to its end`, async () => {
      const group = uniqueName('cgn-join')
      const follow = ['consume', big, '-g', group, '-b', bootstrap, '-f', "'%p:%o\\n'", '--idle-timeout', '8s']
      // The first member's reader waits before reading: kafkit is stalled writing when the second
      // member joins, so partitions are revoked while their records are still being written.
      const slow = run('bash', ['-c', `"${process.execPath}" "${kafkitBin}" ${follow.join(' ')} | (sleep 4; cat)`], undefined, env)
      await new Promise((resolve) => setTimeout(resolve, 2000))
      const second = run('bash', ['-c', `"${process.execPath}" "${kafkitBin}" ${follow.join(' ')}`], undefined, env)
      const [a, b] = await Promise.all([slow, second])
      expect(a.exitCode, a.stderr).toBe(0)
      expect(b.exitCode, b.stderr).toBe(0)
      const printed = new Set([...lines(a.stdout), ...lines(b.stdout)])
      const missing = [0, 1, 2].flatMap((p) => Array.from({length: 20_000}, (_, o) => `${p}:${o}`)).filter((r) => !printed.has(r))
      expect(missing).toEqual([])
      expect(await committedOffsets(bootstrap, group)).toEqual({[`${big}:0`]: 20_000, [`${big}:1`]: 20_000, [`${big}:2`]: 20_000})
    }, 60_000)
  }

  it('a direct read | head -1 exits 0 at once', async () => {
    const piped = await run('bash', ['-c', `set -o pipefail; "${process.execPath}" "${kafkitBin}" consume ${big} -b ${bootstrap} | head -1`])
    expect(piped.exitCode).toBe(0)
    expect(lines(piped.stdout)).toHaveLength(1)
    expect(piped.stderr).toBe('')
  })
})
