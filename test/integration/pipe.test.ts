import {spawn, spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, inject, it} from 'vitest'

import {createTopics} from './admin-client.js'
import {baseEnv, kafkitBin, repoRoot, runKafkit, stripAnsi, uniqueName} from './cli.js'
import {
  expectExactlyOnce,
  ids,
  killAllPipes,
  Observer,
  produceLines,
  produceRecords,
  readCommitted,
  readCommittedValues,
  startKafkit,
  waitFor,
  type JsonRecord,
} from './pipe-fixtures.js'

// `kafkit pipe` against the shared single node (and the 3-node cluster for the cross-cluster
// copy), run as the built CLI. Every check compares, record by record, what a read_committed
// reader of the destination sees with the source: each source record's output once, nothing
// lost. Independent cases run concurrently: most of their time is waiting on the broker.

const bootstrap = inject('bootstrap')
const clusterBootstrap = inject('clusterBootstrap')
const kafkit = (args: string[], timeoutMs = 90_000) => runKafkit([...args, '-b', bootstrap], {timeoutMs})
const names = (prefix: string) => ({src: uniqueName(`${prefix}-src`), dst: uniqueName(`${prefix}-dst`), group: uniqueName(`${prefix}-g`)})
const summaryIn = (stderr: string) => Number(/pipe: ([\d,]+) in,/.exec(stderr)?.[1]?.replaceAll(',', '') ?? NaN)
/** What identifies a record's content: key, value, headers and timestamp. */
const content = (r: JsonRecord) => JSON.stringify({key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp})
const sortedContents = (records: JsonRecord[]) => records.map(content).sort()
const valueIds = (records: JsonRecord[]) => records.map((r) => (r.value as {id: string}).id)
const noStackTrace = (stderr: string) => expect(stderr).not.toMatch(/^\s+at /m)

let observer: Observer
let scratch: string
beforeAll(async () => {
  observer = await Observer.connect(bootstrap)
  scratch = mkdtempSync(join(tmpdir(), 'kafkit-pipe-test-'))
})
afterAll(async () => {
  killAllPipes()
  await observer?.close()
})

describe.concurrent('kafkit pipe', () => {
  it('copies exactly: key, value, headers, nulls, empties, binary, timestamps (also through a --map); keyed records land as produce puts them; --keep-partitions keeps them', async () => {
    const {src, dst, group} = names('pipe-copy')
    const kept = uniqueName('pipe-copy-kept')
    const mapped = uniqueName('pipe-copy-mapped')
    const reference = uniqueName('pipe-copy-ref')
    await createTopics(bootstrap, [src, dst, kept, mapped, reference], 3)
    // Recent timestamps: the broker's retention would delete records stamped long ago.
    const t0 = Date.now() - 3_600_000
    const records: Array<Record<string, unknown>> = []
    for (let i = 0; i < 30; i++) {
      const headers = i % 5 === 0 ? [{key: 'h', value: '1'}, {key: 'h', value: '2'}, {key: 'n', value: null}, {key: 'h', value: '1'}] : []
      records.push({key: `k${i % 10}`, value: `v-${i}`, partition: i % 3, timestamp: t0 + i, headers})
    }
    records.push(
      {key: null, value: 'no-key', partition: 0, timestamp: t0 + 100},
      {key: 'tombstone', value: null, partition: 1, timestamp: t0 + 101},
      {key: null, value: null, partition: 2, timestamp: t0 + 102},
      {key: 'empty', value: '', partition: 2, timestamp: t0 + 103},
      // A header's empty value stays empty, a null one null.
      {key: 'empty-header', value: 'eh', partition: 0, timestamp: t0 + 106, headers: [{key: 'e', value: ''}, {key: 'n', value: null}, {key: 'e', value: 'x'}]},
      {key: '', value: 'empty-key', partition: 1, timestamp: t0 + 105},
      {key: {base64: '/wCA'}, value: {base64: 'AP+AgQ=='}, partition: 0, timestamp: t0 + 104, headers: [{key: 'bin', value: {base64: 'gP8='}}]},
    )
    // The reference: the same records written by kafkit produce with its partitioner.
    await Promise.all([
      produceRecords(bootstrap, src, records),
      produceRecords(
        bootstrap,
        reference,
        records.map(({partition: _, ...r}) => r),
      ),
    ])
    const [copy, keep, map] = await Promise.all([
      kafkit(['pipe', src, dst, '-g', group, '-e']),
      kafkit(['pipe', src, kept, '-g', `${group}-kept`, '-e', '--keep-partitions']),
      kafkit(['pipe', src, mapped, '-g', `${group}-mapped`, '-e', '--map', '({...r})']),
    ])
    expect(copy.exitCode, copy.stderr).toBe(0)
    expect(keep.exitCode, keep.stderr).toBe(0)
    expect(map.exitCode, map.stderr).toBe(0)
    expect(copy.stdout).toBe('')
    expect(copy.stderr).toMatch(/^pipe: 37 in, 37 out, 0 dropped, 0 dead-lettered; \d+ transaction\(s\) committed \(exactly-once\)$/m)

    const [source, copied, keptCopy, mappedCopy, produced] = (await Promise.all([src, dst, kept, mapped, reference].map((t) => readCommitted(bootstrap, t)))) as [JsonRecord[], JsonRecord[], JsonRecord[], JsonRecord[], JsonRecord[]]
    expect(source).toHaveLength(records.length)
    expect(source.find((r) => r.key === 'empty-header')?.headers).toEqual([{key: 'e', value: ''}, {key: 'n', value: null}, {key: 'e', value: 'x'}])
    expect(sortedContents(copied)).toEqual(sortedContents(source))
    expect(sortedContents(keptCopy)).toEqual(sortedContents(source))
    expect(sortedContents(mappedCopy)).toEqual(sortedContents(source))
    // --keep-partitions: each partition holds the source partition's records, in its order.
    for (const p of [0, 1, 2]) {
      expect(keptCopy.filter((r) => r.partition === p).map(content)).toEqual(source.filter((r) => r.partition === p).map(content))
    }
    // Without it: a keyed record lands where kafkit produce (murmur2, as Java) puts its key.
    const partitionOfKey = new Map(produced.filter((r) => r.key !== null).map((r) => [JSON.stringify(r.key), r.partition]))
    const keyed = copied.filter((r) => r.key !== null)
    expect(keyed).toHaveLength(35)
    for (const r of keyed) expect({key: r.key, partition: r.partition}).toEqual({key: r.key, partition: partitionOfKey.get(JSON.stringify(r.key))})
    // The source spread k0 over three partitions on purpose: the copy gathers each key in one.
    expect(new Set(source.filter((r) => r.key === 'k0').map((r) => r.partition)).size).toBe(3)
  })

  it("the Celsius example: --map and --filter in the order given, fan out (a list) and drop (null)", async () => {
    const {src, dst, group} = names('pipe-celsius')
    await createTopics(bootstrap, [src, dst], 2)
    const cities = ['Oslo', 'Lima', 'Nowhere', 'Cairo']
    const readings = Array.from({length: 40}, (_, i) => ({id: `c-${i}`, city: cities[i % 4], celsius: (i % 8) * 10 - 20}))
    await produceLines(bootstrap, src, readings.map((r) => JSON.stringify(r)))
    const result = await kafkit([
      'pipe', src, dst, '-g', group, '-e', '--value-format', 'json',
      '--filter', 'r.value.city !== "Cairo"',
      '--map', '({...r, value: {...r.value, fahrenheit: r.value.celsius * 9 / 5 + 32}})',
      // After the map: the field it added exists (before it, this filter would drop everything).
      '--filter', 'r.value.fahrenheit >= 32',
      '--map', 'r.value.city === "Nowhere" ? null : r.value.city === "Oslo" ? [r, {...r, value: {...r.value, copy: true}}] : r',
    ])
    expect(result.exitCode, result.stderr).toBe(0)
    const expected: object[] = []
    for (const r of readings) {
      if (r.city === 'Cairo') continue
      const f = {...r, fahrenheit: (r.celsius * 9) / 5 + 32}
      if (f.fahrenheit < 32 || r.city === 'Nowhere') continue
      expected.push(f)
      if (r.city === 'Oslo') expected.push({...f, copy: true})
    }
    const out = await readCommitted(bootstrap, dst, ['--value-format', 'json'])
    const sort = (values: unknown[]) => values.map((v) => JSON.stringify(v)).sort()
    expect(sort(out.map((r) => r.value))).toEqual(sort(expected))
    // 40 in; Cairo (10), below freezing (Oslo 4, Lima 4, Nowhere 4... of the rest), and Nowhere dropped.
    const dropped = readings.length - new Set(expected.map((v) => (v as {id: string}).id)).size
    expect(result.stderr).toContain(`pipe: 40 in, ${expected.length} out, ${dropped} dropped, 0 dead-lettered`)
  })

  it('kill -9 mid-run, then a restart with the same group: each record exactly once', async () => {
    const {src, dst, group} = names('pipe-kill')
    await createTopics(bootstrap, [src, dst], 3)
    const expected = ids('kill', 0, 200_000)
    await produceLines(bootstrap, src, expected)
    // Transactions of at most 25,000 records (and 1 s): several, however fast the machine.
    const first = startKafkit(['pipe', src, dst, '-g', group, '-b', bootstrap, '--commit-every', '25000'])
    await waitFor('the first committed transaction', async () => (await observer.someCommitted(dst, 3)) || first.child.exitCode !== null, 60_000, 50)
    first.child.kill('SIGKILL')
    expect((await first.exited).signal, first.stderr()).toBe('SIGKILL')
    const committedAtKill = await observer.committedTotal(group, src, 3)
    // Killed mid-run: some transactions committed, not all of the source.
    expect(committedAtKill).toBeGreaterThan(0)
    expect(committedAtKill).toBeLessThan(expected.length)

    const restart = await kafkit(['pipe', src, dst, '-g', group, '-e'], 120_000)
    expect(restart.exitCode, restart.stderr).toBe(0)
    // The restart read exactly what the killed run had not committed.
    expect(summaryIn(restart.stderr)).toBe(expected.length - committedAtKill)
    expect(await observer.committedTotal(group, src, 3)).toBe(expected.length)
    // The killed run's open transaction ends when the coordinator aborts it (its timeout, 10 s).
    await observer.settled(dst, 3)
    expectExactlyOnce(await readCommittedValues(bootstrap, dst), expected)
  }, 180_000)

  it('a second process joins mid-run (eager rebalance), then one of the two is killed -9: exactly once', async () => {
    const {src, dst, group} = names('pipe-join')
    const partitions = 6
    await createTopics(bootstrap, [src, dst], partitions)
    // A killed member's partitions move after its session times out: 6 s instead of 45 s.
    const args = ['pipe', src, dst, '-g', group, '-b', bootstrap, '-X', 'session.timeout.ms=6000', '-X', 'heartbeat.interval.ms=1000']
    const chunks = [0, 1, 2, 3].map((c) => ids('join', c * 40_000, 40_000))
    const members = async () => {
      const described = await kafkit(['groups', 'describe', group, '--json'])
      if (described.exitCode !== 0) return []
      const [g] = JSON.parse(described.stdout) as Array<{members: Array<{assignment: unknown[]}>}>
      return g!.members.map((m) => m.assignment.length)
    }
    const caughtUp = (n: number) => async () => (await observer.committedTotal(group, src, partitions)) === n

    await produceLines(bootstrap, src, chunks[0]!)
    const a = startKafkit(args)
    await waitFor('the first member to commit', () => observer.someCommitted(dst, partitions), 60_000, 50)
    const b = startKafkit(args)
    // Records keep arriving while the group rebalances.
    await produceLines(bootstrap, src, chunks[1]!)
    await waitFor('both members to own partitions', async () => {
      const sizes = await members()
      return sizes.length === 2 && sizes.every((n) => n > 0)
    }, 60_000, 500)
    await produceLines(bootstrap, src, chunks[2]!)
    await waitFor('both members to catch up', caughtUp(120_000), 60_000, 250)

    // One member dies with records in flight; the other takes its partitions over.
    await produceLines(bootstrap, src, chunks[3]!)
    b.child.kill('SIGKILL')
    await b.exited
    await waitFor('the survivor to take over and catch up', caughtUp(160_000), 90_000, 250)
    expect((await members()).length).toBe(1)
    a.child.kill('SIGTERM')
    expect((await a.exited).code, a.stderr()).toBe(143)
    await observer.settled(dst, partitions)
    expectExactlyOnce(await readCommittedValues(bootstrap, dst), chunks.flat())
  }, 240_000)

  it('-e with two processes: a rebalance does not end a member early; both finish, exactly once', async () => {
    const {src, dst, group} = names('pipe-join-e')
    const partitions = 6
    await createTopics(bootstrap, [src, dst], partitions)
    const expected = ids('je', 0, 120_000)
    await produceLines(bootstrap, src, expected)
    // A pause every 1000 records (about 24 s for one process) keeps both busy through the rebalance.
    const slowly = ['--filter', 'r.offset % 1000 !== 0 || (() => { const until = Date.now() + 200; while (Date.now() < until); return true })()']
    const args = ['pipe', src, dst, '-g', group, '-e', '-b', bootstrap, ...slowly]
    const a = startKafkit(args)
    await waitFor('the first member to commit', () => observer.someCommitted(dst, partitions), 60_000, 50)
    // Well past the first member's first assignment: in the rebalance it has no partitions for a moment.
    await new Promise((resolve) => setTimeout(resolve, 3500))
    const b = startKafkit(args)
    let sizes: number[] = []
    await waitFor('both members to own partitions', async () => {
      const described = await kafkit(['groups', 'describe', group, '--json'])
      if (described.exitCode !== 0) return false
      const [g] = JSON.parse(described.stdout) as Array<{members: Array<{assignment: unknown[]}>}>
      sizes = g!.members.map((m) => m.assignment.length)
      return sizes.length === 2 && sizes.every((n) => n === 3)
    }, 30_000, 300).catch((error: Error) => {
      throw new Error(`${error.message}: members' partitions ${JSON.stringify(sizes)}; first member ${a.child.exitCode === null ? 'running' : `exited: ${a.stderr()}`}`)
    })
    const [endA, endB] = await Promise.all([a.exited, b.exited])
    expect(endA.code, a.stderr()).toBe(0)
    expect(endB.code, b.stderr()).toBe(0)
    expect(summaryIn(a.stderr()) + summaryIn(b.stderr())).toBe(expected.length)
    expectExactlyOnce(await readCommittedValues(bootstrap, dst), expected)
  }, 120_000)

  it('a transform that throws: --on-error fail stops at the record and commits nothing after the last commit; a fixed rerun continues exactly once', async () => {
    const {src, dst, group} = names('pipe-fail')
    await createTopics(bootstrap, [src, dst], 1)
    const good = (i: number) => JSON.stringify({id: `f-${i}`, t: {c: i}})
    const toF = ['--value-format', 'json', '--map', '({...r, value: {id: r.value.id, f: r.value.t.c * 9 / 5 + 32}})']
    await produceLines(bootstrap, src, Array.from({length: 10}, (_, i) => good(i)))
    const first = await kafkit(['pipe', src, dst, '-g', group, '-e', ...toF])
    expect(first.exitCode, first.stderr).toBe(0)
    // Offset 13 has no "t": the map throws a TypeError on it.
    await produceLines(bootstrap, src, Array.from({length: 10}, (_, i) => (i === 3 ? JSON.stringify({id: 'f-13'}) : good(10 + i))))

    const failed = await kafkit(['pipe', src, dst, '-g', group, '-e', ...toF])
    expect(failed.exitCode).toBe(2)
    noStackTrace(failed.stderr)
    const firstLine = failed.stderr.split('\n')[0]!
    expect(firstLine).toContain(`${src} partition 0 offset 13`)
    expect(firstLine).toMatch(/threw: TypeError/)
    expect(await observer.committedTotal(group, src, 1)).toBe(10)
    await observer.settled(dst, 1)
    expect(valueIds(await readCommitted(bootstrap, dst, ['--value-format', 'json']))).toEqual(Array.from({length: 10}, (_, i) => `f-${i}`))

    const fixed = await kafkit(['pipe', src, dst, '-g', group, '-e', '--value-format', 'json', '--map', '({...r, value: {id: r.value.id, f: r.value.t ? r.value.t.c * 9 / 5 + 32 : null}})'])
    expect(fixed.exitCode, fixed.stderr).toBe(0)
    expect(summaryIn(fixed.stderr)).toBe(10)
    expectExactlyOnce(valueIds(await readCommitted(bootstrap, dst, ['--value-format', 'json'])), Array.from({length: 20}, (_, i) => `f-${i}`))
  })

  it('--on-error skip passes over the record; --on-error dead-letter keeps its bytes and headers; replaying the dead letters ends with every record once', async () => {
    const {src, dst, group} = names('pipe-dlq')
    const skipped = uniqueName('pipe-dlq-skipped')
    const dlq = uniqueName('pipe-dlq-dlq')
    await createTopics(bootstrap, [src, dst, skipped, dlq], 2)
    const t0 = Date.now() - 60_000
    const source = Array.from({length: 20}, (_, i) => ({
      key: `k-${i}`,
      // Non-canonical JSON text (spaces): the dead letter must keep these exact bytes.
      value: i === 7 ? `{ "id": "d-${i}" }` : JSON.stringify({id: `d-${i}`, t: {c: i}}),
      timestamp: t0 + i,
      headers: i === 7 ? [{key: 'trace', value: 't-7'}, {key: 'trace', value: 't-7b'}] : [],
    }))
    await produceRecords(bootstrap, src, source)
    const toF = ['--value-format', 'json', '--map', '({...r, value: {id: r.value.id, f: r.value.t.c * 9 / 5 + 32}})']
    const [skip, dead] = await Promise.all([
      kafkit(['pipe', src, skipped, '-g', `${group}-skip`, '-e', '--on-error', 'skip', ...toF]),
      kafkit(['pipe', src, dst, '-g', group, '-e', '--on-error', 'dead-letter', dlq, ...toF]),
    ])
    expect(skip.exitCode, skip.stderr).toBe(0)
    expect(skip.stderr).toMatch(new RegExp(`${src} partition \\d offset \\d+: .*threw.*\\(skipped\\)`))
    expect(skip.stderr).toContain('pipe: 20 in, 19 out, 1 dropped, 0 dead-lettered')
    expect(dead.exitCode, dead.stderr).toBe(0)
    expect(dead.stderr).toContain('pipe: 20 in, 19 out, 0 dropped, 1 dead-lettered')
    const everyIdBut7 = Array.from({length: 20}, (_, i) => `d-${i}`).filter((id) => id !== 'd-7')
    expectExactlyOnce(valueIds(await readCommitted(bootstrap, skipped, ['--value-format', 'json'])), everyIdBut7)
    expectExactlyOnce(valueIds(await readCommitted(bootstrap, dst, ['--value-format', 'json'])), everyIdBut7)

    const [letter, ...more] = await readCommitted(bootstrap, dlq)
    expect(more).toEqual([])
    const original = (await readCommitted(bootstrap, src)).find((r) => r.key === 'k-7')!
    expect({key: letter!.key, value: letter!.value, timestamp: letter!.timestamp}).toEqual({key: 'k-7', value: '{ "id": "d-7" }', timestamp: t0 + 7})
    const headers = letter!.headers
    expect(headers.slice(0, 2)).toEqual([{key: 'trace', value: 't-7'}, {key: 'trace', value: 't-7b'}])
    expect(headers.slice(2).map((h) => h.key)).toEqual(['kafkit.error', 'kafkit.source.topic', 'kafkit.source.partition', 'kafkit.source.offset'])
    expect(headers[2]!.value).toMatch(/threw: TypeError/)
    expect(headers.slice(3).map((h) => h.value)).toEqual([src, String(original.partition), String(original.offset)])

    // The replay: fixed and without the kafkit.* headers, back into the source; the pipe picks it up.
    const replay = await kafkit([
      'pipe', dlq, src, '-g', `${group}-replay`, '-e', '--value-format', 'json',
      '--map', '({...r, value: {...r.value, t: {c: 7}}, headers: r.headers.filter((h) => !h.key.startsWith("kafkit."))})',
    ])
    expect(replay.exitCode, replay.stderr).toBe(0)
    const replayed = (await readCommitted(bootstrap, src)).filter((r) => r.key === 'k-7')
    expect(replayed.map((r) => r.headers)).toEqual([headers.slice(0, 2), headers.slice(0, 2)])
    const again = await kafkit(['pipe', src, dst, '-g', group, '-e', '--on-error', 'dead-letter', dlq, ...toF])
    expect(again.exitCode, again.stderr).toBe(0)
    expect(again.stderr).toContain('pipe: 1 in, 1 out, 0 dropped, 0 dead-lettered')
    expectExactlyOnce(valueIds(await readCommitted(bootstrap, dst, ['--value-format', 'json'])), Array.from({length: 20}, (_, i) => `d-${i}`))
    expect(await readCommitted(bootstrap, dlq)).toHaveLength(1)
  })

  it('--exec: jq and a node program (fan out, drop, partial records); a program that dies or writes a non-JSON line stops the pipe with one line, and a rerun completes exactly once', async () => {
    const {src, dst, group} = names('pipe-exec')
    const viaNode = uniqueName('pipe-exec-node')
    const broken = uniqueName('pipe-exec-broken')
    await createTopics(bootstrap, [src, dst, viaNode, broken], 2)
    const first = ids('e', 0, 10)
    await produceLines(bootstrap, src, first)
    // jq when installed (scripts/setup.sh --with-peers does not install it), else the same in node.
    const upcase = join(scratch, 'upcase.cjs')
    writeFileSync(upcase, `require('node:readline').createInterface({input: process.stdin}).on('line', (l) => { const r = JSON.parse(l); console.log(JSON.stringify({...r, value: r.value.toUpperCase()})) })\n`)
    const jq = ['--exec', spawnSync('jq', ['--version']).status === 0 ? "jq -c --unbuffered '.value |= ascii_upcase'" : `node ${upcase}`]
    const upper = (values: string[]) => values.map((v) => v.toUpperCase())

    const program = join(scratch, 'answer.cjs')
    writeFileSync(
      program,
      `const rl = require('node:readline').createInterface({input: process.stdin})
rl.on('line', (line) => {
  const r = JSON.parse(line)
  const n = Number(r.value.slice(2))
  const out = n % 3 === 0 ? null : n % 3 === 1 ? [r, {value: r.value + '-copy'}] : {value: r.value + '-seen'}
  process.stdout.write(JSON.stringify(out) + '\\n')
})
`,
    )
    const [viaJq, node] = await Promise.all([
      kafkit(['pipe', src, dst, '-g', group, '-e', ...jq]),
      kafkit(['pipe', src, viaNode, '-g', `${group}-node`, '-e', '--exec', `node ${program}`]),
    ])
    expect(viaJq.exitCode, viaJq.stderr).toBe(0)
    expectExactlyOnce(await readCommittedValues(bootstrap, dst), upper(first))
    expect(node.exitCode, node.stderr).toBe(0)
    const expectedNode = first.flatMap((v, n) => (n % 3 === 0 ? [] : n % 3 === 1 ? [v, `${v}-copy`] : [`${v}-seen`]))
    expectExactlyOnce(await readCommittedValues(bootstrap, viaNode), expectedNode)
    expect(node.stderr).toContain(`pipe: 10 in, ${expectedNode.length} out, 4 dropped`)

    // A program that answers 5 records and exits, on records 10..19: nothing of them is committed.
    const second = ids('e', 10, 10)
    await produceLines(bootstrap, src, second)
    const died = await kafkit(['pipe', src, dst, '-g', group, '-e', '--exec', 'head -n 5'])
    expect(died.exitCode).toBe(2)
    noStackTrace(died.stderr)
    expect(died.stderr.split('\n')[0]).toMatch(/--exec 'head -n 5' exited with code 0 after answering \d+ record\(s\)/)
    expect(await observer.committedTotal(group, src, 2)).toBe(10)
    await observer.settled(dst, 2)
    expect((await readCommittedValues(bootstrap, dst)).length).toBe(10)
    const rerun = await kafkit(['pipe', src, dst, '-g', group, '-e', ...jq])
    expect(rerun.exitCode, rerun.stderr).toBe(0)
    expectExactlyOnce(await readCommittedValues(bootstrap, dst), upper([...first, ...second]))

    // A line that is not JSON.
    const notJson = await kafkit(['pipe', src, broken, '-g', `${group}-broken`, '-e', '--exec', 'sed -u s/^/x/'])
    expect(notJson.exitCode).toBe(2)
    noStackTrace(notJson.stderr)
    expect(notJson.stderr.split('\n')[0]).toMatch(/--exec 'sed -u s\/\^\/x\/': answer 1 is not JSON: x\{/)
    expect(await readCommittedValues(bootstrap, broken)).toEqual([])
  })

  it('--transform FILE.mjs: an async function per record, and a batch module', async () => {
    const {src, dst, group} = names('pipe-module')
    const batched = uniqueName('pipe-module-batch')
    await createTopics(bootstrap, [src, dst, batched], 2)
    await produceLines(bootstrap, src, Array.from({length: 30}, (_, n) => JSON.stringify({id: `m-${n}`, n})))
    const perRecord = join(scratch, 'per-record.mjs')
    writeFileSync(
      perRecord,
      `export default async (r) => {
  await new Promise((resolve) => setTimeout(resolve, 1))
  // A partial record: the fields left out are kept from the input.
  return r.value.n % 4 === 0 ? null : {value: {...r.value, half: r.value.n / 2}}
}
`,
    )
    const batch = join(scratch, 'batch.mjs')
    writeFileSync(
      batch,
      `export const batch = true
export default async (records) => records.filter((r) => r.value.n % 2 === 1).map((r) => ({...r, value: {...r.value, odd: true}}))
`,
    )
    const [one, many] = await Promise.all([
      kafkit(['pipe', src, dst, '-g', group, '-e', '--value-format', 'json', '--transform', perRecord]),
      kafkit(['pipe', src, batched, '-g', `${group}-batch`, '-e', '--value-format', 'json', '--transform', batch]),
    ])
    expect(one.exitCode, one.stderr).toBe(0)
    expect(many.exitCode, many.stderr).toBe(0)
    const outOne = await readCommitted(bootstrap, dst, ['--value-format', 'json'])
    const sort = (values: unknown[]) => values.map((v) => JSON.stringify(v)).sort()
    const numbers = Array.from({length: 30}, (_, n) => n)
    expect(sort(outOne.map((r) => r.value))).toEqual(sort(numbers.filter((n) => n % 4 !== 0).map((n) => ({id: `m-${n}`, n, half: n / 2}))))
    const outMany = await readCommitted(bootstrap, batched, ['--value-format', 'json'])
    expect(sort(outMany.map((r) => r.value))).toEqual(sort(numbers.filter((n) => n % 2 === 1).map((n) => ({id: `m-${n}`, n, odd: true}))))
  })

  it.skipIf(!clusterBootstrap)('copies from the single node to the 3-node cluster (--to-bootstrap): every record arrives', async () => {
    const {src, dst, group} = names('pipe-cross')
    await Promise.all([createTopics(bootstrap, [src], 3), createTopics(clusterBootstrap, [dst], 3, 2)])
    const expected = ids('x', 0, 5000)
    await produceLines(bootstrap, src, expected)
    const copy = await kafkit(['pipe', src, dst, '-g', group, '-e', '--to-bootstrap', clusterBootstrap])
    expect(copy.exitCode, copy.stderr).toBe(0)
    expect(copy.stderr).toMatch(/across clusters the copy is at least once/)
    expect(copy.stderr).toMatch(/pipe: 5,000 in, 5,000 out, .*\(at-least-once\)/)
    expect(await observer.committedTotal(group, src, 3)).toBe(expected.length)
    const seen = await readCommittedValues(clusterBootstrap, dst)
    // At least once: every id; a clean run should not repeat any (reported if it does).
    const unique = new Set(seen)
    console.log(`pipe cross-cluster: ${seen.length} records, ${seen.length - unique.size} duplicate(s)`)
    expect(expected.every((id) => unique.has(id))).toBe(true)
    expect(unique.size).toBe(expected.length)
    expect(seen.length).toBeGreaterThanOrEqual(expected.length)
  })

  it('--at-least-once on one cluster: no transactions, every record', async () => {
    const {src, dst, group} = names('pipe-alo')
    await createTopics(bootstrap, [src, dst], 3)
    const expected = ids('a', 0, 3000)
    await produceLines(bootstrap, src, expected)
    const copy = await kafkit(['pipe', src, dst, '-g', group, '-e', '--at-least-once'])
    expect(copy.exitCode, copy.stderr).toBe(0)
    expect(copy.stderr).toMatch(/pipe: 3,000 in, 3,000 out, 0 dropped, 0 dead-lettered; offsets committed \d+ time\(s\) \(at-least-once\)/)
    expect(await observer.committedTotal(group, src, 3)).toBe(expected.length)
    // No transaction markers: the destination's offsets are the records themselves.
    expect((await observer.ends(dst, 3)).reduce((n, e) => n + e.high, 0)).toBe(expected.length)
    expectExactlyOnce(await readCommittedValues(bootstrap, dst), expected)
  })

  it('SIGINT and SIGTERM: commit, summary on stderr, exit 130 / 143; stdout empty unless --json; progress only on a terminal', async () => {
    const {src, dst, group} = names('pipe-signal')
    const [dstTerm, dstTty] = [uniqueName('pipe-signal-term'), uniqueName('pipe-signal-tty')]
    await createTopics(bootstrap, [src, dst, dstTerm, dstTty], 2)
    await produceLines(bootstrap, src, ids('s', 0, 40))
    const untilCommitted = (g: string) => waitFor(`${g} to commit every record`, async () => (await observer.committedTotal(g, src, 2)) === 40, 60_000, 200)

    const interrupted = startKafkit(['pipe', src, dst, '-g', group, '-b', bootstrap])
    const terminated = startKafkit(['pipe', src, dstTerm, '-g', `${group}-term`, '-b', bootstrap, '--json'])
    // On a terminal (util-linux script gives it a pty), its pid written first, to signal it.
    const pidFile = join(scratch, `${group}.pid`)
    const inner = ['sh', '-c', `echo $$ > ${pidFile}; exec "$0" "$@"`, process.execPath, kafkitBin, 'pipe', src, dstTty, '-g', `${group}-tty`, '-b', bootstrap]
    const tty = spawn('script', ['-qefc', inner.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' '), '/dev/null'], {cwd: repoRoot, env: {...baseEnv(), COLUMNS: '160', TERM: 'xterm'}, stdio: ['pipe', 'pipe', 'pipe']})
    let ttyOut = ''
    tty.stdout.on('data', (d: Buffer) => (ttyOut += d.toString()))
    const ttyExit = new Promise<number | null>((resolve) => tty.on('close', resolve))

    await Promise.all([untilCommitted(group), untilCommitted(`${group}-term`), untilCommitted(`${group}-tty`)])
    interrupted.child.kill('SIGINT')
    terminated.child.kill('SIGTERM')
    // The terminal shows progress: rate and lag.
    await waitFor('the progress line', () => /pipe: 40 in \([\d,]+\/s\), 40 out, lag 0 on 2 partition\(s\)/.test(stripAnsi(ttyOut)), 30_000, 100)
    process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGINT')

    expect((await interrupted.exited).code, interrupted.stderr()).toBe(130)
    expect(interrupted.stdout()).toBe('')
    expect(interrupted.stderr()).toMatch(/^pipe: 40 in, 40 out, 0 dropped, 0 dead-lettered; \d+ transaction\(s\) committed \(exactly-once\)$/m)
    expect(interrupted.stderr()).not.toMatch(/\/s\)/)
    expect((await terminated.exited).code, terminated.stderr()).toBe(143)
    expect(JSON.parse(terminated.stdout())).toMatchObject({in: 40, out: 40, dropped: 0, deadLettered: 0, guarantee: 'exactly-once', stoppedBy: 'signal'})
    expect(await ttyExit).toBe(130)
    expect(stripAnsi(ttyOut)).toMatch(/pipe: 40 in, 40 out, 0 dropped, 0 dead-lettered/)
    for (const topic of [dst, dstTerm, dstTty]) expectExactlyOnce(await readCommittedValues(bootstrap, topic), ids('s', 0, 40))
  })

  it('bad input: one clear line and the documented exit code', async () => {
    const {src, dst, group} = names('pipe-bad')
    const missing = uniqueName('pipe-missing')
    const wide = uniqueName('pipe-bad-wide')
    await Promise.all([createTopics(bootstrap, [src, dst], 1), createTopics(bootstrap, [wide], 3)])
    const cases: Array<[string[], number, RegExp]> = [
      [['pipe', src, dst], 2, /Missing required flag group/],
      [['pipe', src, '-g', group], 2, /name the source topic\(s\) and the destination/],
      [['pipe', missing, dst, '-g', group], 5, new RegExp(`topic ${missing} does not exist`)],
      [['pipe', src, missing, '-g', group], 5, new RegExp(`topic ${missing} does not exist`)],
      [['pipe', src, dst, '-g', group, '--map', '({...r, value: '], 2, /--map '\(\{\.\.\.r, value: ': SyntaxError/],
      [['pipe', src, dst, '-g', group, '--on-error', 'dead-letter'], 2, /--on-error dead-letter needs a topic/],
      [['pipe', src, dst, '-g', group, '--on-error', 'retry'], 2, /--on-error must be fail, skip or dead-letter TOPIC/],
      [['pipe', wide, dst, '-g', group, '--keep-partitions'], 2, new RegExp(`--keep-partitions: ${dst} has 1 partition\\(s\\), the source 3`)],
    ]
    const results = await Promise.all(cases.map(([args]) => kafkit(args)))
    for (const [i, [args, code, message]] of cases.entries()) {
      const r = results[i]!
      expect({args, code: r.exitCode}).toEqual({args, code})
      expect(r.stderr.split('\n')[0]).toMatch(message)
      noStackTrace(r.stderr)
      expect(r.stdout).toBe('')
    }
  })
})
