import {execFile, spawn} from 'node:child_process'
import {promisify} from 'node:util'

import {describe, expect, it} from 'vitest'

import {killLocalKafkaSync, startLocalKafka, waitUntilGone} from '../../src/lib/local/index.js'
import {createTopics} from './admin-client.js'
import {baseEnv, kafkitBin, uniqueName} from './cli.js'
import {privateBroker} from './private-broker.js'

// The broker dies (kill -9) in the middle of a large input and comes back. The command must
// finish, account for every record (delivered + failed = read), and, with idempotence, the topic
// must hold every delivered record exactly once. A broker of this test's own, not the shared one.

const run = promisify(execFile)
const broker = privateBroker('produce-restart')
const RECORDS_PER_PART = 150_000
const record = (i: number) => `record-${String(i).padStart(8, '0')}-${'x'.repeat(70)}`

function lines(from: number, count: number): string {
  let text = ''
  for (let i = from; i < from + count; i++) text += record(i) + '\n'
  return text
}

describe('produce: broker restart in the middle of a large input', () => {
  it('finishes, delivered + failed = read, each delivered record exactly once', async () => {
    const topic = uniqueName('pr-restart')
    await createTopics(broker.bootstrap, [topic], 3)
    const child = spawn(process.execPath, [kafkitBin, 'produce', topic, '-b', broker.bootstrap, '--print-delivery', '--on-error', 'skip', '--delivery-timeout', '90s'], {
      env: baseEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    // The highest input line delivered so far (delivery reports are JSON lines with a "line" field).
    let highestLine = 0
    child.stdout.on('data', (d) => {
      stdout += d
      for (const m of String(d).matchAll(/"line":(\d+)/g)) highestLine = Math.max(highestLine, Number(m[1]))
    })
    child.stderr.on('data', (d) => (stderr += d))
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
    const write = (text: string) => new Promise<void>((resolve) => (child.stdin.write(text) ? resolve() : child.stdin.once('drain', resolve)))
    const deliveredSoFar = () => stdout.length / 80

    // Part 1 goes through; the broker is killed while part 2 is being written and produced.
    await write(lines(0, RECORDS_PER_PART))
    const deadline = Date.now() + 60_000
    while (deliveredSoFar() < 1000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    const part2 = write(lines(RECORDS_PER_PART, RECORDS_PER_PART))
    // Killed once part 2 is being produced: its first records are delivered, the rest still to come.
    while (highestLine <= RECORDS_PER_PART && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
    expect(highestLine).toBeGreaterThan(RECORDS_PER_PART)
    const killed = killLocalKafkaSync(broker.stateDir)
    const deliveredAtKill = stdout.split('\n').length - 1
    expect(killed.length).toBe(1)
    await waitUntilGone(killed, 10_000)
    await new Promise((r) => setTimeout(r, 1000))
    // Part 2 may still be waiting to be read: with the broker down kafkit stops reading once its
    // bounded queue is full (20,000 records), so the broker comes back before part 2 is waited for.
    await startLocalKafka({stateDir: broker.stateDir})
    await part2
    await write(lines(2 * RECORDS_PER_PART, RECORDS_PER_PART))
    child.stdin.end()
    const exitCode = await exited

    // The broker died with records of the input still to deliver.
    expect(deliveredAtKill).toBeGreaterThan(0)
    expect(deliveredAtKill).toBeLessThan(2 * RECORDS_PER_PART)
    console.log(`restart test: ${deliveredAtKill} delivered when the broker was killed; ${stderr.trim().split('\n').at(-1)}`)
    const summary = /read ([\d,]+), delivered ([\d,]+), failed ([\d,]+)/.exec(stderr)
    expect(summary, stderr).not.toBeNull()
    const [read, delivered, failed] = summary!.slice(1).map((n) => Number(n.replaceAll(',', '')))
    expect(read).toBe(3 * RECORDS_PER_PART)
    expect(delivered! + failed!).toBe(read)
    expect(exitCode).toBe(failed === 0 ? 0 : 6)

    const deliveredLines = stdout.trimEnd().split('\n').map((l) => (JSON.parse(l) as {line: number}).line)
    expect(deliveredLines.length).toBe(delivered)
    const {stdout: stored} = await run('kcat', ['-b', broker.bootstrap, '-q', '-C', '-t', topic, '-e', '-f', '%s\n'], {maxBuffer: 256 << 20})
    const values = stored.trimEnd().split('\n')
    expect(new Set(values).size).toBe(values.length) // no duplicates
    expect(values.length).toBe(delivered)
    const expected = new Set(deliveredLines.map((line) => record(line - 1)))
    expect(values.every((v) => expected.has(v))).toBe(true)
  }, 240_000)
})
