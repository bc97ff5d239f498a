import {randomBytes} from 'node:crypto'
import {createRequire} from 'node:module'

import type * as KafkaJs from '@confluentinc/kafka-javascript'
import {afterAll, beforeAll, describe, expect, inject, it, vi} from 'vitest'

import {KafkitError} from '../../src/lib/errors.js'
import {
  type ConfigResourceDescription,
  NativeAdmin,
  nativeAdminCounters,
  nativeAdminVersions,
  NativeKafkaError,
} from '../../src/lib/kafka/native-admin.js'

import {closedAddress} from './cli.js'

// kafkit's native admin extension against the real broker. Effects are checked through the JS
// client library (a different code path), or through a second native call where the library has
// no equivalent (configs).

const bootstrap = inject('bootstrap')
const TIMEOUT = 15_000

const require = createRequire(import.meta.url)
const Kafka = require('@confluentinc/kafka-javascript') as typeof KafkaJs

const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`

function libraryAdmin(): KafkaJs.IAdminClient {
  return Kafka.AdminClient.create({'bootstrap.servers': bootstrap, log_level: 0})
}

function call<T>(start: (done: (err: unknown, value?: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => start((err, value) => (err ? reject(err) : resolve(value as T))))
}

/** Committed offsets of a group, read with the JS client library: partition -> offset (absent when none). */
async function committedOffsets(group: string, topic: string, partitions: number[]): Promise<Map<number, number>> {
  const admin = libraryAdmin()
  try {
    const [result] = await call<KafkaJs.GroupResults[]>((done) =>
      admin.listConsumerGroupOffsets([{groupId: group, partitions: partitions.map((partition) => ({topic, partition}))}], {timeout: TIMEOUT}, done),
    )
    const offsets = new Map<number, number>()
    for (const p of result!.partitions) if (p.offset >= 0) offsets.set(p.partition, p.offset)
    return offsets
  } finally {
    admin.disconnect()
  }
}

async function topicNames(): Promise<string[]> {
  const admin = libraryAdmin()
  try {
    return await call<string[]>((done) => admin.listTopics({timeout: TIMEOUT}, done))
  } finally {
    admin.disconnect()
  }
}

async function partitionCount(topic: string): Promise<number> {
  const admin = libraryAdmin()
  try {
    const [description] = await call<KafkaJs.TopicDescription[]>((done) => admin.describeTopics([topic], {timeout: TIMEOUT}, done))
    return description!.partitions.length
  } finally {
    admin.disconnect()
  }
}

/**
 * Reads until `check` passes. The controller answers a change before every broker has applied it
 * (KRaft metadata propagates asynchronously), so a read right after a write may see the old state.
 */
const settled = <T>(read: () => Promise<T>, check: (value: T) => void): Promise<T> =>
  vi.waitFor(
    async () => {
      const value = await read()
      check(value)
      return value
    },
    {timeout: TIMEOUT, interval: 100},
  )

const config = (resource: ConfigResourceDescription | undefined, name: string) => resource?.configs.find((c) => c.name === name)

describe('native admin extension', () => {
  let admin: NativeAdmin

  beforeAll(() => {
    admin = new NativeAdmin({'bootstrap.servers': bootstrap})
  })
  afterAll(async () => {
    await admin?.close()
  })

  it('runs on the librdkafka it was built against', () => {
    const v = nativeAdminVersions()
    expect(v.librdkafkaInt).toBe(v.headerInt)
    expect(v.librdkafka).toMatch(/^2\.\d+\.\d+/)
  })

  it('describeCluster: cluster id, controller and the broker we talk to', async () => {
    const cluster = await admin.describeCluster(TIMEOUT)
    expect(cluster.clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(cluster.brokers.length).toBeGreaterThan(0)
    expect(cluster.brokers.map((b) => b.id)).toContain(cluster.controllerId)
    const [host, port] = bootstrap.split(',')[0]!.split(':')
    expect(cluster.brokers).toContainEqual(expect.objectContaining({host, port: Number(port)}))
    for (const b of cluster.brokers) expect(b).toEqual({id: expect.any(Number), host: expect.any(String), port: expect.any(Number), rack: b.rack === null ? null : expect.any(String)})
  })

  describe('createTopics', () => {
    it('validateOnly checks without creating', async () => {
      const name = unique('na-validate')
      const results = await admin.createTopics([{name, partitions: 2, replicationFactor: 1, configs: {'cleanup.policy': 'compact'}}], {validateOnly: true, timeoutMs: TIMEOUT})
      expect(results).toEqual([{name}])

      const [tooMany] = await admin.createTopics([{name, partitions: 1, replicationFactor: 1000}], {validateOnly: true, timeoutMs: TIMEOUT})
      expect(tooMany!.error?.code).toBe('INVALID_REPLICATION_FACTOR')
      const [badConfig] = await admin.createTopics([{name, partitions: 1, replicationFactor: 1, configs: {'cleanup.policy': 'bogus'}}], {validateOnly: true, timeoutMs: TIMEOUT})
      expect(badConfig!.error?.code).toBe('INVALID_CONFIG')

      // A topic really created afterwards is visible only once the broker has caught up past the
      // validations; then the validated topic must still be absent.
      const marker = unique('na-validate-marker')
      await admin.createTopics([{name: marker, partitions: 1, replicationFactor: 1}], {timeoutMs: TIMEOUT})
      const names = await settled(topicNames, (topics) => expect(topics).toContain(marker))
      expect(names).not.toContain(name)
    })

    it('creates with partitions, replication factor and configs; a second create reports TOPIC_ALREADY_EXISTS', async () => {
      const name = unique('na-create')
      expect(await admin.createTopics([{name, partitions: 3, replicationFactor: 1, configs: {'cleanup.policy': 'compact'}}], {timeoutMs: TIMEOUT})).toEqual([{name}])
      await settled(
        () => partitionCount(name),
        (count) => expect(count).toBe(3),
      )
      await settled(
        () => admin.describeConfigs([{type: 'topic', name}], {timeoutMs: TIMEOUT}),
        ([described]) => expect(config(described, 'cleanup.policy')).toMatchObject({value: 'compact', source: 'DYNAMIC_TOPIC_CONFIG', isDefault: false}),
      )

      const [again] = await admin.createTopics([{name, partitions: 3, replicationFactor: 1}], {timeoutMs: TIMEOUT})
      expect(again).toEqual({name, error: {code: 'TOPIC_ALREADY_EXISTS', message: expect.any(String)}})
    })

    it('-1 takes the broker defaults (num.partitions)', async () => {
      const name = unique('na-defaults')
      const cluster = await admin.describeCluster(TIMEOUT)
      const [broker] = await admin.describeConfigs([{type: 'broker', name: String(cluster.brokers[0]!.id)}], {timeoutMs: TIMEOUT})
      const numPartitions = Number(config(broker, 'num.partitions')?.value)
      expect(numPartitions).toBeGreaterThan(0)
      expect(await admin.createTopics([{name, partitions: -1, replicationFactor: -1}], {timeoutMs: TIMEOUT})).toEqual([{name}])
      await settled(
        () => partitionCount(name),
        (count) => expect(count).toBe(numPartitions),
      )
    })

    it('results come back in the order asked, one per topic', async () => {
      const a = unique('na-order-a')
      const b = unique('na-order-b')
      const results = await admin.createTopics(
        [
          {name: b, partitions: 1, replicationFactor: 1},
          {name: a, partitions: 1, replicationFactor: 1000},
        ],
        {timeoutMs: TIMEOUT},
      )
      expect(results.map((r) => r.name)).toEqual([b, a])
      expect(results[0]!.error).toBeUndefined()
      expect(results[1]!.error?.code).toBe('INVALID_REPLICATION_FACTOR')
    })
  })

  describe('describeConfigs', () => {
    let topic: string
    let brokerId: string
    beforeAll(async () => {
      topic = unique('na-describe')
      await admin.createTopics([{name: topic, partitions: 1, replicationFactor: 1}], {timeoutMs: TIMEOUT})
      await settled(
        () => admin.describeConfigs([{type: 'topic', name: topic}], {timeoutMs: TIMEOUT}),
        ([described]) => expect(described!.error).toBeUndefined(),
      )
      brokerId = String((await admin.describeCluster(TIMEOUT)).controllerId)
    })

    it('topics, brokers and groups, in the order asked, with per-resource errors', async () => {
      const missing = unique('na-missing')
      const group = unique('na-group')
      const results = await admin.describeConfigs(
        [
          {type: 'broker', name: brokerId},
          {type: 'topic', name: missing},
          {type: 'topic', name: topic},
          {type: 'group', name: group},
          {type: 'broker', name: ''},
        ],
        {timeoutMs: TIMEOUT},
      )
      expect(results.map((r) => [r.type, r.name])).toEqual([
        ['broker', brokerId],
        ['topic', missing],
        ['topic', topic],
        ['group', group],
        ['broker', ''],
      ])
      const [broker, unknown, ours, groupConfigs, clusterDefault] = results
      expect(broker!.error).toBeUndefined()
      expect(config(broker, 'num.partitions')?.source).toMatch(/^(STATIC_BROKER_CONFIG|DEFAULT_CONFIG|DYNAMIC_.*)$/)
      expect(config(broker, 'node.id')).toMatchObject({value: brokerId, isReadOnly: true})
      expect(config(broker, 'log.cleaner.threads')?.isReadOnly).toBe(false)
      expect(unknown!.error?.code).toBe('UNKNOWN_TOPIC_OR_PART')
      expect(unknown!.configs).toEqual([])
      expect(config(ours, 'retention.ms')).toEqual({
        name: 'retention.ms',
        value: expect.stringMatching(/^-?\d+$/),
        source: expect.any(String),
        isDefault: expect.any(Boolean),
        isReadOnly: false,
        isSensitive: false,
      })
      expect(config(ours, 'retention.ms')?.source).not.toBe('DYNAMIC_TOPIC_CONFIG')
      expect(groupConfigs!.error).toBeUndefined()
      expect(config(groupConfigs, 'consumer.session.timeout.ms')?.value).toMatch(/^\d+$/)
      expect(clusterDefault!.error?.code).toBe('_INVALID_ARG')
    })

    it('synonyms only when asked', async () => {
      const [plain] = await admin.describeConfigs([{type: 'broker', name: brokerId}], {timeoutMs: TIMEOUT})
      expect(plain!.configs.every((c) => c.synonyms === undefined)).toBe(true)
      const [withSynonyms] = await admin.describeConfigs([{type: 'broker', name: brokerId}], {timeoutMs: TIMEOUT, includeSynonyms: true})
      const entry = config(withSynonyms, 'log.retention.hours')
      expect(entry?.synonyms?.length).toBeGreaterThan(0)
      expect(entry?.synonyms?.at(-1)).toEqual({name: expect.any(String), value: expect.any(String), source: expect.any(String)})
    })
  })

  describe('incrementalAlterConfigs', () => {
    const describeTopic = async (topic: string) => (await admin.describeConfigs([{type: 'topic', name: topic}], {timeoutMs: TIMEOUT}))[0]!

    it('set shows as DYNAMIC_TOPIC_CONFIG; delete returns to the default; validateOnly changes nothing', async () => {
      const topic = unique('na-alter')
      await admin.createTopics([{name: topic, partitions: 1, replicationFactor: 1}], {timeoutMs: TIMEOUT})
      const before = await settled(
        () => describeTopic(topic),
        (described) => expect(described.error).toBeUndefined(),
      )
      const inherited = config(before, 'retention.ms')
      expect(inherited?.source).not.toBe('DYNAMIC_TOPIC_CONFIG')
      expect(inherited?.value).not.toBe('3600000')

      const dry = await admin.incrementalAlterConfigs([{type: 'topic', name: topic, ops: [{name: 'retention.ms', op: 'set', value: '3600000'}]}], {
        validateOnly: true,
        timeoutMs: TIMEOUT,
      })
      expect(dry).toEqual([{type: 'topic', name: topic}])
      // A real change made afterwards shows once the broker has caught up past the dry run.
      await admin.incrementalAlterConfigs([{type: 'topic', name: topic, ops: [{name: 'retention.bytes', op: 'set', value: '1073741824'}]}], {timeoutMs: TIMEOUT})
      const afterDry = await settled(
        () => describeTopic(topic),
        (described) => expect(config(described, 'retention.bytes')?.value).toBe('1073741824'),
      )
      expect(config(afterDry, 'retention.ms')).toEqual(inherited)

      const set = await admin.incrementalAlterConfigs([{type: 'topic', name: topic, ops: [{name: 'retention.ms', op: 'set', value: '3600000'}]}], {timeoutMs: TIMEOUT})
      expect(set).toEqual([{type: 'topic', name: topic}])
      await settled(
        () => describeTopic(topic),
        (described) => expect(config(described, 'retention.ms')).toMatchObject({value: '3600000', source: 'DYNAMIC_TOPIC_CONFIG', isDefault: false}),
      )

      await admin.incrementalAlterConfigs([{type: 'topic', name: topic, ops: [{name: 'retention.ms', op: 'delete'}]}], {timeoutMs: TIMEOUT})
      await settled(
        () => describeTopic(topic),
        (described) => expect(config(described, 'retention.ms')).toEqual(inherited),
      )
    })

    it('append and subtract on a list config', async () => {
      const topic = unique('na-list')
      await admin.createTopics([{name: topic, partitions: 1, replicationFactor: 1, configs: {'cleanup.policy': 'compact'}}], {timeoutMs: TIMEOUT})
      await settled(
        () => describeTopic(topic),
        (described) => expect(config(described, 'cleanup.policy')?.value).toBe('compact'),
      )
      await admin.incrementalAlterConfigs([{type: 'topic', name: topic, ops: [{name: 'cleanup.policy', op: 'append', value: 'delete'}]}], {timeoutMs: TIMEOUT})
      await settled(
        () => describeTopic(topic),
        (described) => expect(config(described, 'cleanup.policy')?.value?.split(',').sort()).toEqual(['compact', 'delete']),
      )
      await admin.incrementalAlterConfigs([{type: 'topic', name: topic, ops: [{name: 'cleanup.policy', op: 'subtract', value: 'compact'}]}], {timeoutMs: TIMEOUT})
      await settled(
        () => describeTopic(topic),
        (described) => expect(config(described, 'cleanup.policy')?.value).toBe('delete'),
      )
    })

    it('per-resource errors: unknown topic, invalid value, broker id', async () => {
      const topic = unique('na-alter-bad')
      const missing = unique('na-alter-missing')
      await admin.createTopics([{name: topic, partitions: 1, replicationFactor: 1}], {timeoutMs: TIMEOUT})
      const brokerId = String((await admin.describeCluster(TIMEOUT)).controllerId)
      const results = await admin.incrementalAlterConfigs(
        [
          {type: 'topic', name: missing, ops: [{name: 'retention.ms', op: 'set', value: '1000'}]},
          {type: 'topic', name: topic, ops: [{name: 'retention.ms', op: 'set', value: 'soon'}]},
          {type: 'broker', name: brokerId, ops: [{name: 'log.cleaner.threads', op: 'set', value: '2'}]},
        ],
        {validateOnly: true, timeoutMs: TIMEOUT},
      )
      expect(results.map((r) => r.name)).toEqual([missing, topic, brokerId])
      expect(results[0]!.error?.code).toBe('UNKNOWN_TOPIC_OR_PART')
      expect(results[1]!.error?.code).toBe('INVALID_CONFIG')
      expect(results[2]!.error).toBeUndefined()
    })
  })

  describe('consumer group offsets', () => {
    let topic: string
    beforeAll(async () => {
      topic = unique('na-offsets')
      await admin.createTopics([{name: topic, partitions: 3, replicationFactor: 1}], {timeoutMs: TIMEOUT})
      // The coordinator checks partitions against its metadata, which may lag the controller.
      await settled(
        () => partitionCount(topic),
        (count) => expect(count).toBe(3),
      )
    })

    it('alter commits offsets for an empty group; delete removes them', async () => {
      const group = unique('na-group')
      const altered = await admin.alterConsumerGroupOffsets(
        group,
        [
          {topic, partition: 0, offset: 0},
          {topic, partition: 1, offset: 5},
          {topic, partition: 2, offset: 7},
        ],
        {timeoutMs: TIMEOUT},
      )
      expect(altered).toEqual({
        group,
        partitions: [
          {topic, partition: 0, offset: 0},
          {topic, partition: 1, offset: 5},
          {topic, partition: 2, offset: 7},
        ],
      })
      expect(await committedOffsets(group, topic, [0, 1, 2])).toEqual(
        new Map([
          [0, 0],
          [1, 5],
          [2, 7],
        ]),
      )

      const deleted = await admin.deleteConsumerGroupOffsets(group, [{topic, partition: 1}], {timeoutMs: TIMEOUT})
      expect(deleted).toEqual({group, partitions: [{topic, partition: 1}]})
      expect(await committedOffsets(group, topic, [0, 1, 2])).toEqual(
        new Map([
          [0, 0],
          [2, 7],
        ]),
      )
    })

    it('a partition that does not exist is reported on that partition', async () => {
      const group = unique('na-group')
      const result = await admin.alterConsumerGroupOffsets(
        group,
        [
          {topic, partition: 0, offset: 1},
          {topic, partition: 99, offset: 1},
        ],
        {timeoutMs: TIMEOUT},
      )
      expect(result.error).toBeUndefined()
      expect(result.partitions[0]!.error).toBeUndefined()
      expect(result.partitions[1]!.error?.code).toBe('UNKNOWN_TOPIC_OR_PART')
    })

    it('describeConsumerGroups: an unknown group is Dead, one with only offsets Empty; in the order asked', async () => {
      const [unknown, withOffsets] = [unique('na-nogroup'), unique('na-group')]
      await admin.alterConsumerGroupOffsets(withOffsets, [{topic, partition: 0, offset: 0}], {timeoutMs: TIMEOUT})
      const described = await admin.describeConsumerGroups([withOffsets, unknown], {timeoutMs: TIMEOUT})
      expect(described.map((d) => [d.group, d.state, d.members.length, d.error])).toEqual([
        [withOffsets, 5, 0, undefined],
        [unknown, 4, 0, undefined],
      ])
      expect(described[0]!.coordinator?.port).toBeGreaterThan(0)
    })

    it('deleting offsets of an unknown group is a group-level error, not a rejection', async () => {
      const group = unique('na-nogroup')
      const result = await admin.deleteConsumerGroupOffsets(group, [{topic, partition: 0}], {timeoutMs: TIMEOUT})
      expect(result.error?.code).toBe('GROUP_ID_NOT_FOUND')
      expect(result.partitions).toEqual([{topic, partition: 0, error: result.error}])
    })

    it('a group with an active member refuses both', async () => {
      const group = unique('na-active')
      const consumer = new Kafka.KafkaConsumer(
        {'bootstrap.servers': bootstrap, 'group.id': group, log_level: 0, 'enable.auto.commit': false, 'session.timeout.ms': 10_000},
        {'auto.offset.reset': 'earliest'},
      )
      await call<unknown>((done) => consumer.connect({timeout: TIMEOUT}, done))
      try {
        consumer.subscribe([topic])
        // (Seen with the classic protocol: UNKNOWN_MEMBER_ID on the partition for alter, GROUP_SUBSCRIBED_TO_TOPIC for delete.)
        // Poll until the group has assigned the partitions to this member.
        const deadline = Date.now() + TIMEOUT
        while (consumer.assignments().length === 0 && Date.now() < deadline) {
          await call<unknown>((done) => consumer.consume(1, done))
        }
        expect(consumer.assignments().length).toBe(3)

        const altered = await admin.alterConsumerGroupOffsets(group, [{topic, partition: 0, offset: 1}], {timeoutMs: TIMEOUT})
        const alterError = altered.error ?? altered.partitions[0]!.error
        expect(alterError?.code).toMatch(/^(UNKNOWN_MEMBER_ID|NON_EMPTY_GROUP|ILLEGAL_GENERATION|REBALANCE_IN_PROGRESS)$/)

        const deleted = await admin.deleteConsumerGroupOffsets(group, [{topic, partition: 0}], {timeoutMs: TIMEOUT})
        const deleteError = deleted.error ?? deleted.partitions[0]!.error
        expect(deleteError?.code).toMatch(/^(GROUP_SUBSCRIBED_TO_TOPIC|NON_EMPTY_GROUP)$/)
      } finally {
        await new Promise<void>((resolve) => consumer.disconnect(() => resolve()))
      }
    })
  })

  describe('failures', () => {
    it('an address nothing listens on rejects within the timeout, naming the connection error', async () => {
      const address = await closedAddress()
      const unreachable = new NativeAdmin({'bootstrap.servers': address})
      const started = Date.now()
      try {
        const error = await unreachable.describeCluster(2000).then(
          () => undefined,
          (error_: unknown) => error_,
        )
        expect(error).toBeInstanceOf(NativeKafkaError)
        expect((error as NativeKafkaError).code).toMatch(/^(_TIMED_OUT|_TRANSPORT)$/)
        expect((error as NativeKafkaError).brokerError?.code).toBe('_TRANSPORT')
        expect((error as NativeKafkaError).message).toContain(address)
        expect(Date.now() - started).toBeLessThan(2000 + 1500)
      } finally {
        await unreachable.close()
      }
    })

    it('a group that cannot be described comes back with its error, its missing fields null (the JS client binding crashed on those)', async () => {
      const unreachable = new NativeAdmin({'bootstrap.servers': await closedAddress()})
      try {
        const group = unique('na-unreachable')
        const [described] = await unreachable.describeConsumerGroups([group], {timeoutMs: 2000})
        expect(described!.error?.code).toMatch(/^(_TIMED_OUT|_TRANSPORT)$/)
        expect(described).toMatchObject({group, partitionAssignor: null, coordinator: null, members: []})
      } finally {
        await unreachable.close()
      }
    })

    it('a property librdkafka rejects is a usage error that never shows the value', () => {
      const attempt = (props: Record<string, string>) => {
        try {
          new NativeAdmin(props).close()
        } catch (error) {
          return error
        }
        return undefined
      }
      const unknown = attempt({'bootstrap.servers': bootstrap, 'no.such.property': 'hunter2'})
      expect(unknown).toBeInstanceOf(KafkitError)
      expect((unknown as KafkitError).kind).toBe('usage')
      expect((unknown as KafkitError).message).toMatch(/^invalid client property 'no\.such\.property': /)
      const rejected: Record<string, string>[] = [
        {'security.protocol': 'hunter2'},
        {'sasl.mechanism': 'hunter2', 'security.protocol': 'hunter2x'},
        {debug: 'hunter2'},
        {'socket.timeout.ms': 'hunter2'},
      ]
      for (const props of rejected) {
        const error = attempt(props)
        expect(error).toBeInstanceOf(KafkitError)
        expect((error as KafkitError).kind).toBe('usage')
        expect((error as KafkitError).message).not.toContain('hunter2')
      }
    })

    it('close() while a request runs lets it finish; later requests reject with _DESTROY', async () => {
      const before = nativeAdminCounters()
      const client = new NativeAdmin({'bootstrap.servers': bootstrap})
      const running = [client.describeCluster(TIMEOUT), client.describeConfigs([{type: 'broker', name: String((await admin.describeCluster(TIMEOUT)).controllerId)}], {timeoutMs: TIMEOUT})]
      const closing = client.close()
      const [cluster, configs] = await Promise.all(running)
      expect(cluster!).toHaveProperty('clusterId')
      expect(configs).toHaveLength(1)
      await closing
      await client.close() // idempotent
      await expect(client.describeCluster(TIMEOUT)).rejects.toMatchObject({code: '_DESTROY'})
      const after = nativeAdminCounters()
      expect(after.clients).toBe(before.clients)
      expect(after.requests).toBe(before.requests)
    })
  })
})
