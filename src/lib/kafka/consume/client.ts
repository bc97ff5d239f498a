import type {KafkaConsumer, Message, TopicPartitionOffset} from '@confluentinc/kafka-javascript'

import {loadClientLibrary} from '../client-library.js'
import type {KafkaSession} from '../session.js'
import {POLL_MS} from './config.js'
import {rebalanceCallback, type GroupConsumer, type GroupState} from './rebalance.js'
import type {ConsumeState} from './state.js'

// The Kafka client's consumer as the JS loop uses it: connected, then subscribed (group mode)
// or assigned the planned partitions; read batch by batch; disconnected within the timeout.

export interface ClientOptions {
  config: Record<string, string | number | boolean>
  /** Group mode: subscribe to these (a `^...` entry is a librdkafka pattern) with the rebalance handler. */
  subscription?: string[]
}

export async function connectClient(session: KafkaSession, state: ConsumeState, options: ClientOptions): Promise<{consumer: GroupConsumer; group: GroupState}> {
  const {KafkaConsumer} = loadClientLibrary()
  const group: GroupState = {}
  const config: Record<string, unknown> = {...options.config}
  if (options.subscription) config.rebalance_cb = rebalanceCallback(state, group)
  // The client's topic configuration would override topic-level properties given globally; pass it explicitly.
  const consumer = new KafkaConsumer(config as never, {'auto.offset.reset': config['auto.offset.reset']} as never) as GroupConsumer
  for (const [event, handler] of Object.entries(session.eventHandlers)) consumer.on(event as never, handler as never)
  await new Promise<void>((resolve, reject) => {
    consumer.connect({timeout: session.timeoutMs}, (err) => (err ? reject(session.translate(err)) : resolve()))
  })
  consumer.setDefaultConsumeTimeout(POLL_MS)
  consumer.setDefaultIsTimeoutOnlyForFirstMessage(true)
  if (options.subscription) {
    consumer.subscribe(options.subscription)
  } else {
    const assignment: TopicPartitionOffset[] = []
    for (const s of state.values()) {
      s.assigned = true
      if (!s.done) assignment.push({topic: s.topic, partition: s.partition, offset: s.start ?? 0})
    }
    if (assignment.length > 0) consumer.assign(assignment)
  }
  return {consumer, group}
}

export function readBatch(consumer: KafkaConsumer, size: number): Promise<Message[]> {
  return new Promise((resolve, reject) => {
    consumer.consume(size, (err, messages) => {
      if (err) reject(err)
      else resolve(messages)
    })
  })
}

/** Disconnects a consumer of the library, waiting at most timeoutMs. */
export async function disconnectClient(consumer: {disconnect(cb: () => void): unknown}, timeoutMs: number): Promise<void> {
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs)
    try {
      consumer.disconnect(() => {
        clearTimeout(timer)
        resolve()
      })
    } catch {
      clearTimeout(timer)
      resolve()
    }
  })
}
