import {createServer, type Server} from 'node:net'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {KafkitError} from '../../src/lib/errors.js'
import {BrokerReach, type BrokerAddress, type UnreachableBroker} from '../../src/lib/kafka/broker-reach.js'
import {groupsWithUnreachableCoordinator} from '../../src/lib/kafka/groups/coordinators.js'
import type {ClusterMetadata, KafkaSession} from '../../src/lib/kafka/session.js'
import {resolveTopics} from '../../src/lib/kafka/topics/index.js'

// The admin core's pure seams, over a session stand-in: the topic resolver, where a group's
// coordinator is, and which brokers answer a connection.

function fakeSession(topics: string[], options: {coordinatorPartitions?: Array<number | null>; down?: number[]} = {}): KafkaSession {
  const brokers: BrokerAddress[] = [1, 2, 3].map((id) => ({id, host: '127.0.0.1', port: 9000 + id}))
  const metadata: ClusterMetadata = {brokers, topics: new Map(topics.map((t) => [t, []]))}
  if (options.coordinatorPartitions) {
    metadata.topics.set('__consumer_offsets', options.coordinatorPartitions.map((leader, partition) => ({partition, leader, replicas: [], isr: []})))
  }
  const down = new Set(options.down ?? [])
  return {
    metadata: async () => metadata,
    metadataTopicNames: async () => [...metadata.topics.keys()],
    brokers: {
      unreachable: async (asked: Iterable<BrokerAddress>) =>
        new Map<number, UnreachableBroker>([...asked].filter((b) => down.has(b.id)).map((b) => [b.id, {...b, reason: 'connection refused'}])),
    },
  } as unknown as KafkaSession
}

describe('resolveTopics', () => {
  const session = fakeSession(['orders', 'orders.eu', 'payments', '__consumer_offsets'])

  it('named topics must exist: not_found names every missing one', async () => {
    expect(await resolveTopics(session, {names: ['payments', 'orders', 'payments']})).toEqual(['payments', 'orders'])
    const error = await resolveTopics(session, {names: ['orders', 'nope', 'gone']}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KafkitError)
    expect((error as KafkitError).exitCode).toBe(5)
    expect((error as KafkitError).message).toBe('topics nope, gone do not exist')
  })

  it('a pattern matches whole names and leaves internal topics out unless asked', async () => {
    expect(await resolveTopics(session, {pattern: 'orders.*'})).toEqual(['orders', 'orders.eu'])
    expect(await resolveTopics(session, {pattern: 'order'})).toEqual([])
    expect(await resolveTopics(session, {pattern: '.*'})).not.toContain('__consumer_offsets')
    expect(await resolveTopics(session, {pattern: '__.*', includeInternal: true})).toEqual(['__consumer_offsets'])
  })

  it('names come first, then the matches, each once; neither gives all topics only when asked', async () => {
    expect(await resolveTopics(session, {names: ['payments', 'orders'], pattern: 'orders.*'})).toEqual(['payments', 'orders', 'orders.eu'])
    expect(await resolveTopics(session, {})).toEqual([])
    expect(await resolveTopics(session, {allWhenNone: true})).toEqual(['orders', 'orders.eu', 'payments'])
  })
})

describe('group coordinators', () => {
  // Java's "billing".hashCode() is -109829509: abs % 5 = 4; "orders-service" 23943117: % 5 = 2.
  const leaders = [1, 1, 3, 1, 2]

  it('a group whose coordinator (leader of its __consumer_offsets partition) is down fails alone, naming it', async () => {
    const failed = await groupsWithUnreachableCoordinator(fakeSession([], {coordinatorPartitions: leaders, down: [2]}), ['billing', 'orders-service'])
    expect([...failed.keys()]).toEqual(['billing'])
    expect(failed.get('billing')!.message).toBe("group 'billing': coordinator broker 2 (127.0.0.1:9002) is unreachable: connection refused")
    const other = await groupsWithUnreachableCoordinator(fakeSession([], {coordinatorPartitions: leaders, down: [3]}), ['billing', 'orders-service'])
    expect([...other.keys()]).toEqual(['orders-service'])
  })

  it('without __consumer_offsets nothing is known to fail', async () => {
    expect((await groupsWithUnreachableCoordinator(fakeSession([], {down: [1, 2, 3]}), ['billing'])).size).toBe(0)
  })
})

describe('BrokerReach', () => {
  let server: Server
  let open = 0
  let closed = 0

  beforeAll(async () => {
    server = createServer((socket) => socket.destroy())
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    open = (server.address() as {port: number}).port
    const spare = createServer()
    await new Promise<void>((resolve) => spare.listen(0, '127.0.0.1', resolve))
    closed = (spare.address() as {port: number}).port
    await new Promise((resolve) => spare.close(resolve))
  })

  afterAll(() => new Promise((resolve) => server.close(resolve)))

  it('tells a listening broker from a refused one, and picks one that answers', async () => {
    const reach = new BrokerReach(2000)
    const brokers = [
      {id: 1, host: '127.0.0.1', port: closed},
      {id: 2, host: '127.0.0.1', port: open},
    ]
    const down = await reach.unreachable(brokers)
    expect([...down.values()]).toEqual([{id: 1, host: '127.0.0.1', port: closed, reason: 'connection refused'}])
    expect(await reach.reachableId(brokers)).toBe(2)
    expect(await reach.reachableId([brokers[0]!])).toBeUndefined()
  })
})
