import {createRequire} from 'node:module'

import type * as KafkaJs from '@confluentinc/kafka-javascript'

// A group reading at a known pace while a producer writes at a known rate, for the lag estimate
// tests: every 100 ms (or in steps every `commitEveryMs`) the group's committed offsets are moved
// to where `consumePerSecond` puts them, and the topic gets the records `producePerSecond` calls for. Targets are computed from the
// time since the start, so a late tick catches up instead of slowing the pace. Both sides use the
// client library directly (a code path independent of kafkit).

const require = createRequire(import.meta.url)
const Kafka = require('@confluentinc/kafka-javascript') as typeof KafkaJs
const TICK_MS = 100
const TIMEOUT = 15_000

export interface PaceOptions {
  topic: string
  partitions: number
  group: string
  /** The group's committed offsets when the pace starts, one per partition. */
  committed: number[]
  /** Committed offsets per second, over all partitions (spread evenly); 0: the group does not move. */
  consumePerSecond: number
  /** Records per second written to the topic, over all partitions (round robin). */
  producePerSecond: number
  /** Commit only this often, in steps, as auto-commit does (every 5 s by default); else every tick. */
  commitEveryMs?: number
}

export interface Pace {
  stop(): Promise<void>
}

const call = <T>(start: (done: (err: unknown, value?: T) => void) => void) =>
  new Promise<T>((resolve, reject) => start((err, value) => (err ? reject(err) : resolve(value as T))))

export async function startPace(bootstrap: string, options: PaceOptions): Promise<Pace> {
  const {topic, partitions, group, committed, consumePerSecond, producePerSecond} = options
  const producer = new Kafka.Producer({'bootstrap.servers': bootstrap, log_level: 0, 'linger.ms': 5})
  const consumer = new Kafka.KafkaConsumer({'bootstrap.servers': bootstrap, 'group.id': group, log_level: 0, 'enable.auto.commit': false}, {})
  await Promise.all([
    call<void>((done) => producer.connect({timeout: TIMEOUT}, (err) => done(err))),
    call<void>((done) => consumer.connect({timeout: TIMEOUT}, (err) => done(err))),
  ])
  const start = Date.now()
  let produced = 0
  const last = [...committed]
  let lastCommitAt = start
  const tick = () => {
    const seconds = (Date.now() - start) / 1000
    for (const due = Math.floor(producePerSecond * seconds); produced < due; produced++) {
      producer.produce(topic, produced % partitions, Buffer.from(`paced-${produced}`), null, Date.now())
    }
    if (consumePerSecond > 0 && Date.now() - lastCommitAt >= (options.commitEveryMs ?? 0)) {
      lastCommitAt = Date.now()
      const offsets = committed.map((from, partition) => ({topic, partition, offset: from + Math.floor((consumePerSecond / partitions) * seconds)}))
      const moved = offsets.filter((o) => o.offset !== last[o.partition])
      for (const o of moved) last[o.partition] = o.offset
      if (moved.length > 0) consumer.commit(moved)
    }
  }
  const timer = setInterval(tick, TICK_MS)
  return {
    async stop() {
      clearInterval(timer)
      await call<void>((done) => producer.flush(TIMEOUT, done))
      await Promise.all([call<void>((done) => producer.disconnect((err) => done(err))), call<void>((done) => consumer.disconnect((err) => done(err)))])
    },
  }
}
