import {execFile} from 'node:child_process'
import {promisify} from 'node:util'

import {describe, expect, inject, it} from 'vitest'

import {startLocalNode, stopLocalNode} from '../../src/lib/local/index.js'
import {kafkaClasspath} from './apache.js'
import {runKafkit, uniqueName} from './cli.js'

// The health filters against the real 3-node cluster: stop one broker, and
// --under-replicated-partitions lists exactly the partitions that had a replica on it; start it
// again, and the list empties.

const clusterBootstrap = inject('clusterBootstrap')
const clusterStateDir = inject('clusterStateDir')

interface Partition {
  partition: number
  leader: number | null
  replicas: number[]
  isr: number[]
  offlineReplicas: number[]
}

async function partitions(topic: string, ...filters: string[]): Promise<Partition[]> {
  const result = await runKafkit(['topics', 'describe', '-b', clusterBootstrap, '--pattern', topic.replaceAll('-', '\\-'), '--json', ...filters])
  expect(result.stderr).toBe('')
  expect(result.exitCode).toBe(0)
  const topics = JSON.parse(result.stdout) as Array<{partitions: Partition[]}>
  return topics.flatMap((t) => t.partitions)
}

/** Asks again until `check` holds (the cluster needs a moment to shrink or grow an ISR). */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await read()
    if (check(value) || Date.now() > deadline) return value
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
}

async function apacheUnderReplicated(topic: string): Promise<number[]> {
  const {stdout} = await promisify(execFile)(
    'java',
    ['-cp', await kafkaClasspath(), 'org.apache.kafka.tools.TopicCommand', '--bootstrap-server', clusterBootstrap, '--describe', '--topic', topic, '--under-replicated-partitions'],
    {timeout: 30_000},
  )
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => Number(/Partition: (\d+)/.exec(line)![1]))
}

describe.skipIf(!clusterBootstrap)('topics describe on a 3-node cluster', () => {
  it('shows replicas and ISR; a stopped broker makes exactly its partitions under-replicated, until it is back', async () => {
    const topic = uniqueName('tcl')
    const created = await runKafkit(['topics', 'create', topic, '-b', clusterBootstrap, '--partitions', '6', '--replication-factor', '2'])
    expect(created.exitCode).toBe(0)
    // One copy only: its partitions on the stopped broker have no leader at all.
    const single = uniqueName('tcl-single')
    expect((await runKafkit(['topics', 'create', single, '-b', clusterBootstrap, '--partitions', '3', '--replication-factor', '1'])).exitCode).toBe(0)
    const singleOnStopped = (await partitions(single)).filter((p) => p.replicas[0] === 3).map((p) => p.partition)
    expect(singleOnStopped.length).toBeGreaterThan(0)

    const healthy = await eventually(() => partitions(topic), (ps) => ps.every((p) => p.isr.length === 2), 30_000)
    expect(healthy).toHaveLength(6)
    for (const p of healthy) {
      expect(p.replicas).toHaveLength(2)
      expect([...p.isr].sort()).toEqual([...p.replicas].sort())
      expect(p.replicas).toContain(p.leader)
      expect(p.offlineReplicas).toEqual([])
    }
    // With 6 partitions of 2 replicas on 3 brokers, node 3 holds some partitions but not all.
    const stoppedNode = 3
    const expected = healthy.filter((p) => p.replicas.includes(stoppedNode)).map((p) => p.partition)
    expect(expected.length).toBeGreaterThan(0)
    expect(expected.length).toBeLessThan(6)
    expect(await partitions(topic, '--under-replicated-partitions')).toEqual([])

    await stopLocalNode(clusterStateDir, stoppedNode, {timeoutMs: 30_000})
    try {
      const under = await eventually(
        () => partitions(topic, '--under-replicated-partitions'),
        (ps) => ps.length === expected.length,
        30_000,
      )
      expect(under.map((p) => p.partition)).toEqual(expected)
      for (const p of under) {
        expect(p.isr).not.toContain(stoppedNode)
        expect(p.offlineReplicas).toEqual([stoppedNode])
        expect(p.leader).not.toBe(stoppedNode)
      }
      // The same partitions as Apache's TopicCommand reports.
      expect(await apacheUnderReplicated(topic)).toEqual(expected)
      // Still a leader everywhere (two replicas each): nothing unavailable.
      expect(await partitions(topic, '--unavailable-partitions')).toEqual([])
      // The single-copy partitions on the stopped broker have no leader, and no offsets to show.
      const unavailable = await partitions(single, '--unavailable-partitions')
      expect(unavailable.map((p) => [p.partition, p.leader])).toEqual(singleOnStopped.map((p) => [p, null]))
      for (const p of unavailable as Array<Partition & {earliestOffset: number | null}>) expect(p.earliestOffset).toBeNull()
      const gate = await runKafkit(['topics', 'describe', topic, '-b', clusterBootstrap, '--under-replicated-partitions', '--fail-on-findings'])
      expect(gate.exitCode).toBe(8)
      expect(gate.stdout.trimEnd().split('\n')).toHaveLength(expected.length)
    } finally {
      await startLocalNode(clusterStateDir, stoppedNode, {timeoutMs: 90_000})
    }

    const recovered = await eventually(() => partitions(topic, '--under-replicated-partitions'), (ps) => ps.length === 0, 60_000)
    expect(recovered).toEqual([])
    const all = await partitions(topic)
    expect(all.every((p) => p.isr.length === 2 && p.offlineReplicas.length === 0)).toBe(true)
  }, 240_000)
})
