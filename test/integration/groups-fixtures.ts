import {type ChildProcess, spawn} from 'node:child_process'
import {createRequire} from 'node:module'

import type * as KafkaJs from '@confluentinc/kafka-javascript'

import {createTopics} from './admin-client.js'
import {apacheClasspath} from './apache.js'

// Fixtures for the groups, offsets and lag tests, made with real programs against the real
// broker: the JS client library (a code path independent of kafkit's commands) and Apache's own
// tools (the peers kafkit's numbers are compared with). Nothing here is mocked.

const require = createRequire(import.meta.url)
const Kafka = require('@confluentinc/kafka-javascript') as typeof KafkaJs
const TIMEOUT = 15_000

const call = <T>(start: (done: (err: unknown, value?: T) => void) => void) =>
  new Promise<T>((resolve, reject) => start((err, value) => (err ? reject(err) : resolve(value as T))))

async function withAdmin<T>(bootstrap: string, use: (admin: KafkaJs.IAdminClient) => Promise<T>): Promise<T> {
  const admin = Kafka.AdminClient.create({'bootstrap.servers': bootstrap, log_level: 0})
  try {
    return await use(admin)
  } finally {
    admin.disconnect()
  }
}

export const createTopic = (bootstrap: string, topic: string, partitions: number): Promise<void> => createTopics(bootstrap, [topic], partitions)

export interface TestRecord {
  partition: number
  value: string
  timestamp?: number
}

/** Produces records to explicit partitions (with explicit timestamps when given) and waits for delivery. */
export async function produce(bootstrap: string, topic: string, records: TestRecord[]): Promise<void> {
  const producer = new Kafka.Producer({'bootstrap.servers': bootstrap, log_level: 0, 'linger.ms': 5})
  await call<void>((done) => producer.connect({timeout: TIMEOUT}, (err) => done(err)))
  try {
    for (const r of records) producer.produce(topic, r.partition, Buffer.from(r.value), null, r.timestamp ?? Date.now())
    await call<void>((done) => producer.flush(TIMEOUT, done))
  } finally {
    await call<void>((done) => producer.disconnect((err) => done(err)))
  }
}

/** `count` records in each of `partitions` partitions. */
export const recordsPerPartition = (partitions: number, count: number, timestamp?: (partition: number, i: number) => number): TestRecord[] =>
  Array.from({length: partitions}, (_, partition) =>
    Array.from({length: count}, (_, i) => ({partition, value: `p${partition}-r${i}`, ...(timestamp ? {timestamp: timestamp(partition, i)} : {})})),
  ).flat()

/** Committed offsets of a group, read with the client library: "topic:partition" -> offset. */
export async function committedOffsets(bootstrap: string, group: string): Promise<Record<string, number>> {
  const [result] = await withAdmin(bootstrap, (admin) =>
    call<KafkaJs.GroupResults[]>((done) => admin.listConsumerGroupOffsets([{groupId: group}], {timeout: TIMEOUT}, done)),
  )
  const offsets: Record<string, number> = {}
  for (const p of result?.partitions ?? []) if (p.offset >= 0) offsets[`${p.topic}:${p.partition}`] = p.offset
  return offsets
}

/** Commits offsets for a group with a real consumer that neither subscribes nor assigns. */
export async function commitOffsets(bootstrap: string, group: string, offsets: Array<{topic: string; partition: number; offset: number}>): Promise<void> {
  const consumer = new Kafka.KafkaConsumer({'bootstrap.servers': bootstrap, 'group.id': group, log_level: 0, 'enable.auto.commit': false}, {})
  await call<void>((done) => consumer.connect({timeout: TIMEOUT}, (err) => done(err)))
  try {
    consumer.commitSync(offsets)
  } finally {
    await call<void>((done) => consumer.disconnect((err) => done(err)))
  }
}

/** Deletes records before `offset`, so the partition's earliest offset moves up. */
export async function deleteRecordsBefore(bootstrap: string, topic: string, partition: number, offset: number): Promise<void> {
  await withAdmin(bootstrap, (admin) => call((done) => admin.deleteRecords([{topic, partition, offset}], {timeout: TIMEOUT}, done)))
}

export async function groupState(bootstrap: string, group: string): Promise<{state: number; members: number}> {
  const described = await withAdmin(bootstrap, (admin) => call<KafkaJs.GroupDescriptions>((done) => admin.describeGroups([group], {timeout: TIMEOUT}, done)))
  const g = described.groups[0]!
  return {state: g.state, members: g.members.length}
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 40_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`timed out waiting for ${what}`)
}

/**
 * The first record each partition delivers to a group consumer (the JS client, subscribed, reading
 * from the committed offsets): "topic:partition" -> offset. Stops once every listed partition
 * delivered one, then closes without committing.
 */
export async function firstOffsetsForGroup(bootstrap: string, group: string, topic: string, partitions: number[]): Promise<Record<string, number>> {
  const consumer = new Kafka.KafkaConsumer(
    {'bootstrap.servers': bootstrap, 'group.id': group, log_level: 0, 'enable.auto.commit': false, 'auto.offset.reset': 'earliest'},
    {},
  )
  await call<void>((done) => consumer.connect({timeout: TIMEOUT}, (err) => done(err)))
  const first: Record<string, number> = {}
  try {
    consumer.subscribe([topic])
    const deadline = Date.now() + 30_000
    while (partitions.some((p) => first[`${topic}:${p}`] === undefined) && Date.now() < deadline) {
      const messages = await call<KafkaJs.Message[]>((done) => consumer.consume(100, done))
      for (const m of messages) first[`${m.topic}:${m.partition}`] ??= m.offset
    }
  } finally {
    await call<void>((done) => consumer.disconnect((err) => done(err)))
  }
  return first
}

// ---------------------------------------------------------------------------------------------
// Apache's tools

export {runApache, type ToolResult} from './apache.js'

export const CONSUMER_GROUP_COMMAND = 'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand'
export const GET_OFFSET_SHELL = 'org.apache.kafka.tools.GetOffsetShell'

/** Apache's console consumer in a group, in the background (a real JVM member). */
export function startConsoleConsumer(bootstrap: string, topic: string, group: string): Promise<ChildProcess> {
  return apacheClasspath().then(({java, dir}) =>
    spawn(java, ['-cp', `${dir}/*`, 'org.apache.kafka.tools.consumer.ConsoleConsumer', '--bootstrap-server', bootstrap, '--topic', topic, '--group', group, '--from-beginning'], {
      stdio: ['ignore', 'ignore', 'ignore'],
    }),
  )
}

export async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return
  const closed = new Promise((resolve) => child.once('close', resolve))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
  await closed
  clearTimeout(timer)
}

export interface DescribeRow {
  group: string
  topic: string
  partition: number
  currentOffset: number | null
  logEndOffset: number | null
  lag: number | null
  consumerId: string | null
}

const number = (text: string | undefined) => (text === undefined || text === '-' ? null : Number(text))

/** The rows of kafka-consumer-groups --describe (GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID ...). */
export function parseApacheDescribe(stdout: string): DescribeRow[] {
  return stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((cells) => cells.length >= 7 && /^\d+$/.test(cells[2]!))
    .map((cells) => ({
      group: cells[0]!,
      topic: cells[1]!,
      partition: Number(cells[2]),
      currentOffset: number(cells[3]),
      logEndOffset: number(cells[4]),
      lag: number(cells[5]),
      consumerId: cells[6] === '-' ? null : cells[6]!,
    }))
    .sort((a, b) => a.group.localeCompare(b.group) || a.topic.localeCompare(b.topic) || a.partition - b.partition)
}

/** The plan of kafka-consumer-groups --reset-offsets (GROUP TOPIC PARTITION NEW-OFFSET): "topic:partition" -> offset. */
export function parseApachePlan(stdout: string): Record<string, number> {
  const plan: Record<string, number> = {}
  for (const line of stdout.split('\n')) {
    const cells = line.trim().split(/\s+/)
    if (cells.length === 4 && /^\d+$/.test(cells[2]!) && /^\d+$/.test(cells[3]!)) plan[`${cells[1]}:${cells[2]}`] = Number(cells[3])
  }
  return plan
}
