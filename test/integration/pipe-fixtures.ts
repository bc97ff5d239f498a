import {type ChildProcess, spawn} from 'node:child_process'
import {createRequire} from 'node:module'

import type * as KafkaJs from '@confluentinc/kafka-javascript'
import {expect} from 'vitest'

import {baseEnv, kafkitBin, repoRoot, runKafkit} from './cli.js'

// Fixtures for the `kafkit pipe` tests: the pipe as a long-running child process (to kill or
// interrupt mid-run), and the checks made with the client library itself (never kafkit):
// whether every transaction on a topic has ended, how far a group has committed, and the
// record-by-record comparison of what a read_committed reader sees against the source.

const Kafka = createRequire(import.meta.url)('@confluentinc/kafka-javascript') as typeof KafkaJs

const call = <T>(start: (done: (err: unknown, value?: T) => void) => void) =>
  new Promise<T>((resolve, reject) => start((err, value) => (err ? reject(err) : resolve(value as T))))

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `probe` until it returns true (bounded: fails with `what` after `timeoutMs`). */
export async function waitFor(what: string, probe: () => Promise<boolean> | boolean, timeoutMs = 60_000, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(everyMs)
  }
}

export interface PipeProcess {
  child: ChildProcess
  stdout(): string
  stderr(): string
  /** Resolves when the process has exited. */
  exited: Promise<{code: number | null; signal: NodeJS.Signals | null}>
}

const running = new Set<ChildProcess>()

/** Starts `kafkit ARGS` in the background (killed by killAllPipes if a test fails before it ends). */
export function startKafkit(args: string[]): PipeProcess {
  const child = spawn(process.execPath, [kafkitBin, ...args], {cwd: repoRoot, env: baseEnv(), stdio: ['ignore', 'pipe', 'pipe']})
  running.add(child)
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr.on('data', (d: Buffer) => (err += d.toString()))
  const exited = new Promise<{code: number | null; signal: NodeJS.Signals | null}>((resolve) =>
    child.on('close', (code, signal) => {
      running.delete(child)
      resolve({code, signal})
    }),
  )
  return {child, stdout: () => out, stderr: () => err, exited}
}

export function killAllPipes(): void {
  for (const child of running) child.kill('SIGKILL')
}

/** A consumer that never joins a group: asks for watermarks and a group's committed offsets. */
export class Observer {
  private constructor(
    private readonly bootstrap: string,
    private readonly committed: KafkaJs.KafkaConsumer,
    private readonly uncommitted: KafkaJs.KafkaConsumer,
  ) {}

  static async connect(bootstrap: string): Promise<Observer> {
    const open = async (isolation: 'read_committed' | 'read_uncommitted') => {
      const c = new Kafka.KafkaConsumer({'bootstrap.servers': bootstrap, 'group.id': 'kafkit-pipe-test-observer', 'isolation.level': isolation, log_level: 0}, {})
      await call<void>((done) => c.connect({timeout: 15_000}, (e) => done(e)))
      return c
    }
    return new Observer(bootstrap, await open('read_committed'), await open('read_uncommitted'))
  }

  /** Per partition: the last stable offset (ListOffsets, read_committed) and the high watermark. */
  async ends(topic: string, partitions: number): Promise<Array<{stable: number; high: number}>> {
    const ends = []
    for (let p = 0; p < partitions; p++) {
      const stable = await call<KafkaJs.WatermarkOffsets>((done) => this.committed.queryWatermarkOffsets(topic, p, 10_000, done))
      const high = await call<KafkaJs.WatermarkOffsets>((done) => this.uncommitted.queryWatermarkOffsets(topic, p, 10_000, done))
      ends.push({stable: stable.highOffset, high: high.highOffset})
    }
    return ends
  }

  /** Whether some transaction on the topic has committed (a read_committed reader sees records). */
  async someCommitted(topic: string, partitions: number): Promise<boolean> {
    return (await this.ends(topic, partitions)).some((e) => e.stable > 0)
  }

  /** Waits until no transaction on the topic is open (a killed pipe's until the coordinator aborts it). */
  async settled(topic: string, partitions: number, timeoutMs = 60_000): Promise<void> {
    await waitFor(`every transaction on ${topic} to end`, async () => (await this.ends(topic, partitions)).every((e) => e.stable === e.high), timeoutMs, 250)
  }

  /** The sum of the group's committed offsets over the topic's partitions (none: 0). */
  async committedTotal(group: string, topic: string, partitions: number): Promise<number> {
    const c = new Kafka.KafkaConsumer({'bootstrap.servers': this.bootstrap, 'group.id': group, log_level: 0}, {})
    await call<void>((done) => c.connect({timeout: 15_000}, (e) => done(e)))
    try {
      const tps = Array.from({length: partitions}, (_, partition) => ({topic, partition}))
      const offsets = await call<KafkaJs.TopicPartitionOffset[]>((done) => c.committed(tps, 10_000, done))
      return offsets.reduce((sum, tp) => sum + Math.max(0, tp.offset ?? 0), 0)
    } finally {
      await new Promise<void>((resolve) => c.disconnect(() => resolve()))
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.committed, this.uncommitted].map((c) => new Promise<void>((resolve) => c.disconnect(() => resolve()))))
  }
}

/** A jsonl record as `kafkit consume --output jsonl` writes it. */
export interface JsonRecord {
  topic: string
  partition: number
  offset: number
  timestamp?: number
  key: unknown
  value: unknown
  headers: Array<{key: string; value: unknown}>
}

/** Everything a read_committed reader sees on the topic, as jsonl records. */
export async function readCommitted(bootstrap: string, topic: string, extra: string[] = []): Promise<JsonRecord[]> {
  const result = await runKafkit(['consume', topic, '-e', '--isolation-level', 'read_committed', '--output', 'jsonl', '-b', bootstrap, ...extra], {timeoutMs: 120_000})
  expect(result.exitCode, result.stderr).toBe(0)
  return result.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as JsonRecord)
}

/** The values only (one per line, as `-f '%s\n'`): for large topics of unique text ids. */
export async function readCommittedValues(bootstrap: string, topic: string): Promise<string[]> {
  const result = await runKafkit(['consume', topic, '-e', '--isolation-level', 'read_committed', '-f', '%s\n', '-b', bootstrap], {timeoutMs: 120_000})
  expect(result.exitCode, result.stderr).toBe(0)
  return result.stdout.split('\n').filter((l) => l !== '')
}

/** Produces text lines (one record each) with kafkit produce. */
export async function produceLines(bootstrap: string, topic: string, lines: string[], extra: string[] = []): Promise<void> {
  const result = await runKafkit(['produce', topic, '-b', bootstrap, ...extra], {input: lines.join('\n') + '\n', timeoutMs: 120_000})
  expect(result.exitCode, result.stderr).toBe(0)
}

/** Produces jsonl records (docs/formats.md) with kafkit produce --input jsonl. */
export async function produceRecords(bootstrap: string, topic: string, records: object[], extra: string[] = []): Promise<void> {
  await produceLines(bootstrap, topic, records.map((r) => JSON.stringify(r)), ['--input', 'jsonl', ...extra])
}

export const ids = (prefix: string, from: number, count: number) => Array.from({length: count}, (_, i) => `${prefix}-${String(from + i).padStart(7, '0')}`)

/**
 * Each expected id exactly once, nothing else: compares as counts so that a loss or a duplicate
 * is named.
 */
export function expectExactlyOnce(seen: string[], expected: string[]): void {
  const counts = new Map<string, number>()
  for (const id of seen) counts.set(id, (counts.get(id) ?? 0) + 1)
  const missing = expected.filter((id) => !counts.has(id))
  const duplicated = [...counts].filter(([, n]) => n > 1).map(([id, n]) => `${id} x${n}`)
  const wanted = new Set(expected)
  const unexpected = [...counts.keys()].filter((id) => !wanted.has(id))
  expect({missing: missing.length, duplicated: duplicated.length, unexpected: unexpected.length, examples: [...missing, ...duplicated, ...unexpected].slice(0, 5)}).toEqual({
    missing: 0,
    duplicated: 0,
    unexpected: 0,
    examples: [],
  })
  expect(seen.length).toBe(expected.length)
}
