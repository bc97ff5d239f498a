import {describe, expect, it} from 'vitest'

import {KafkitError} from '../../src/lib/errors.js'
import {
  configOpsFromFlags,
  isNonDefault,
  parseConfigAssignment,
  parseConfigAssignments,
  planConfigChanges,
  sourceLabel,
  type TopicConfig,
  type TopicConfigsResult,
} from '../../src/lib/kafka/topics/configs.js'
import {matchesAnyFilter, offlineReplicas, partitionFindings} from '../../src/lib/kafka/topics/health.js'
import {newEarliestOffset, parseTrimPoint} from '../../src/lib/kafka/topics/trim.js'
import {batchFailure} from '../../src/lib/batch-failure.js'
import {javaTopicId} from '../../src/lib/kafka/topics/index.js'

const usage = (fn: () => unknown, pattern: RegExp) => {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(KafkitError)
    expect((error as KafkitError).exitCode).toBe(2)
    expect((error as KafkitError).message).toMatch(pattern)
    return
  }
  throw new Error('expected a usage error')
}

describe('config key=value flags', () => {
  it('splits at the first "=" and keeps commas and "=" in the value', () => {
    expect(parseConfigAssignment('cleanup.policy=compact,delete')).toEqual({name: 'cleanup.policy', value: 'compact,delete'})
    expect(parseConfigAssignment('x=a=b')).toEqual({name: 'x', value: 'a=b'})
    expect(parseConfigAssignment('retention.ms=')).toEqual({name: 'retention.ms', value: ''})
  })

  it('refuses text without a key or without "="', () => {
    usage(() => parseConfigAssignment('retention.ms'), /--config expects key=value, got 'retention.ms'/)
    usage(() => parseConfigAssignment('=5'), /expects key=value/)
  })

  it('refuses the same key twice', () => {
    expect(parseConfigAssignments(['a=1', 'b=2'])).toEqual({a: '1', b: '2'})
    usage(() => parseConfigAssignments(['a=1', 'a=2']), /--config a is given twice/)
  })

  it('turns alter flags into incremental operations, each config once', () => {
    expect(
      configOpsFromFlags({set: ['retention.ms=1000'], delete: ['segment.ms'], append: ['cleanup.policy=compact'], subtract: ['x=a,b']}),
    ).toEqual([
      {name: 'retention.ms', op: 'set', value: '1000'},
      {name: 'segment.ms', op: 'delete'},
      {name: 'cleanup.policy', op: 'append', value: 'compact'},
      {name: 'x', op: 'subtract', value: 'a,b'},
    ])
    usage(() => configOpsFromFlags({set: ['retention.ms=1'], delete: ['retention.ms']}), /changed twice \(--config and --delete-config\)/)
    usage(() => configOpsFromFlags({delete: ['retention.ms=1']}), /--delete-config expects a config name/)
  })
})

const config = (name: string, value: string | null, source: string, extra: Partial<TopicConfig> = {}): TopicConfig => ({
  name,
  value,
  source,
  sourceLabel: sourceLabel(source),
  sensitive: false,
  readOnly: false,
  isDefault: source === 'DEFAULT_CONFIG',
  ...extra,
})

describe('planning config changes (dry run: current -> new)', () => {
  const current: TopicConfigsResult = {
    configs: [
      config('cleanup.policy', 'compact,delete', 'DYNAMIC_TOPIC_CONFIG'),
      config('retention.ms', '1000', 'DYNAMIC_TOPIC_CONFIG'),
      config('max.message.bytes', '1048588', 'DEFAULT_CONFIG'),
      config('min.insync.replicas', '2', 'STATIC_BROKER_CONFIG'),
    ],
    synonyms: new Map([
      ['cleanup.policy', [{value: 'compact,delete', source: 'DYNAMIC_TOPIC_CONFIG'}, {value: 'delete', source: 'DEFAULT_CONFIG'}]],
      ['retention.ms', [{value: '1000', source: 'DYNAMIC_TOPIC_CONFIG'}]],
    ]),
  }

  it('set shows the current effective value and the new one', () => {
    const [change] = planConfigChanges(current, [{name: 'max.message.bytes', op: 'set', value: '2000000'}])
    expect(change).toMatchObject({current: '1048588', currentSource: 'DEFAULT_CONFIG', new: '2000000', newSource: 'DYNAMIC_TOPIC_CONFIG', unchanged: false})
  })

  it('delete falls back to the next level the broker reports, or to null (Kafka default)', () => {
    const [policy, retention] = planConfigChanges(current, [
      {name: 'cleanup.policy', op: 'delete'},
      {name: 'retention.ms', op: 'delete'},
    ])
    expect(policy).toMatchObject({current: 'compact,delete', new: 'delete', newSource: 'DEFAULT_CONFIG'})
    expect(retention).toMatchObject({current: '1000', new: null, newSource: 'DEFAULT_CONFIG'})
  })

  it('delete of a value that is not a topic override changes nothing', () => {
    const [change] = planConfigChanges(current, [{name: 'min.insync.replicas', op: 'delete'}])
    expect(change).toMatchObject({current: '2', new: '2', unchanged: true})
  })

  it('append and subtract work on list items, without duplicates', () => {
    const [append, subtract, again] = planConfigChanges(current, [
      {name: 'cleanup.policy', op: 'append', value: 'compact'},
      {name: 'cleanup.policy', op: 'subtract', value: 'compact'},
      {name: 'x.list', op: 'append', value: 'a,b'},
    ])
    expect(append).toMatchObject({new: 'compact,delete'})
    expect(subtract).toMatchObject({new: 'delete'})
    expect(again).toMatchObject({current: null, new: 'a,b'})
  })

  it('kafka-topics lists every config that is not from the built-in default', () => {
    const shown = current.configs.filter(isNonDefault).map((c) => c.name)
    expect(shown).toEqual(['cleanup.policy', 'retention.ms', 'min.insync.replicas'])
  })
})

describe('health filters (TopicCommand semantics)', () => {
  const live = new Set([1, 2, 3])
  it('a healthy partition at RF 3, min ISR 2 matches nothing', () => {
    expect(partitionFindings({leader: 1, replicas: [1, 2, 3], isr: [1, 2, 3]}, {minInSyncReplicas: 2, liveBrokers: live})).toEqual([])
  })
  it('one replica out of sync: under-replicated and at min ISR', () => {
    expect(partitionFindings({leader: 1, replicas: [1, 2, 3], isr: [1, 3]}, {minInSyncReplicas: 2, liveBrokers: live})).toEqual([
      'under-replicated',
      'at-min-isr',
    ])
  })
  it('below min ISR', () => {
    expect(partitionFindings({leader: 1, replicas: [1, 2, 3], isr: [1]}, {minInSyncReplicas: 2, liveBrokers: live})).toEqual([
      'under-replicated',
      'under-min-isr',
    ])
  })
  it('no leader: unavailable and under min ISR', () => {
    expect(partitionFindings({leader: null, replicas: [2], isr: [2]}, {minInSyncReplicas: 1, liveBrokers: live})).toEqual([
      'unavailable',
      'under-min-isr',
      'at-min-isr',
    ])
  })
  it('a leader that is not a live broker is unavailable', () => {
    expect(partitionFindings({leader: 4, replicas: [4, 1], isr: [1]}, {minInSyncReplicas: null, liveBrokers: live})).toEqual(['under-replicated', 'unavailable'])
  })
  it('a broker that just died still listed in the ISR (stale metadata) is not in sync', () => {
    const onlyOne = new Set([1])
    expect(partitionFindings({leader: 2, replicas: [1, 2, 3], isr: [1, 2, 3]}, {minInSyncReplicas: 2, liveBrokers: onlyOne})).toEqual([
      'under-replicated',
      'unavailable',
      'under-min-isr',
    ])
  })
  it('offline replicas are those on brokers that are not alive; filters are ORed', () => {
    expect(offlineReplicas([1, 4, 2, 5], live)).toEqual([4, 5])
    expect(matchesAnyFilter(['at-min-isr'], ['under-replicated', 'at-min-isr'])).toBe(true)
    expect(matchesAnyFilter(['at-min-isr'], ['under-replicated'])).toBe(false)
  })
})

describe('trim', () => {
  const now = Date.UTC(2024, 0, 31, 12)
  it('reads an offset or @TIME', () => {
    expect(parseTrimPoint('1000')).toEqual({kind: 'offset', offset: 1000})
    expect(parseTrimPoint('@2024-01-31T10:00:00Z')).toEqual({kind: 'time', timestamp: Date.UTC(2024, 0, 31, 10)})
    expect(parseTrimPoint('@-1h', {now})).toEqual({kind: 'time', timestamp: now - 3_600_000})
    usage(() => parseTrimPoint('-5'), /invalid --before '-5'/)
    usage(() => parseTrimPoint('@soon'), /invalid --before time 'soon'/)
  })

  it('an offset below the earliest changes nothing; past the end is refused', () => {
    expect(newEarliestOffset({kind: 'offset', offset: 5}, {earliest: 10, latest: 20}, 0)).toBe(10)
    expect(newEarliestOffset({kind: 'offset', offset: 15}, {earliest: 10, latest: 20}, 0)).toBe(15)
    expect(newEarliestOffset({kind: 'offset', offset: 20}, {earliest: 10, latest: 20}, 0)).toBe(20)
    usage(() => newEarliestOffset({kind: 'offset', offset: 21}, {earliest: 10, latest: 20}, 3), /offset 21 is past the end of partition 3 \(latest offset 20\)/)
  })

  it('by time: the first record at or after it, or the end when all are older', () => {
    const point = {kind: 'time', timestamp: 0} as const
    expect(newEarliestOffset(point, {earliest: 10, latest: 20, atTime: 14}, 0)).toBe(14)
    expect(newEarliestOffset(point, {earliest: 10, latest: 20, atTime: -1}, 0)).toBe(20)
    expect(newEarliestOffset(point, {earliest: 10, latest: 20, atTime: 3}, 0)).toBe(10)
  })
})

describe('topic ids and batches', () => {
  it('prints topic ids as the Java tools do (URL-safe base64, no padding)', () => {
    // TopicCommand printed kxLwEM7ZQWWDP_MVzdpUNQ for this id (librdkafka's base64: kxLwEM7ZQWWDP/MVzdpUNQ).
    expect(javaTopicId({mostSignificantBits: -7848947245572865691n, leastSignificantBits: -8989199056234720203n})).toBe('kxLwEM7ZQWWDP_MVzdpUNQ')
  })

  it('a batch fails as its one item, partially (6), or as a whole', () => {
    const err = {code: 'conflict' as const, message: 'topic a: the topic already exists', kafkaCode: 'TOPIC_ALREADY_EXISTS', exitCode: 7}
    expect(batchFailure([{}, {}], 'topics')).toBeUndefined()
    const one = batchFailure([{error: err}], 'topics')!
    expect([one.kind, one.exitCode, one.message, one.kafkaCode]).toEqual(['conflict', 7, 'topic a: the topic already exists', 'TOPIC_ALREADY_EXISTS'])
    const partial = batchFailure([{}, {error: err}], 'topics')!
    expect([partial.kind, partial.exitCode]).toEqual(['partial', 6])
    expect(partial.message).toBe('1 of 2 topics failed (first: topic a: the topic already exists)')
    const all = batchFailure([{error: err}, {error: err}], 'topics')!
    expect(all.exitCode).toBe(7)
  })
})
