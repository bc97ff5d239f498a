import {createRequire} from 'node:module'

import type * as KafkaJs from '@confluentinc/kafka-javascript'

// Test fixtures made with the real client library against the real broker (never a mock):
// creating topics before the topics commands exist, or independently of them.

const require = createRequire(import.meta.url)
const Kafka = require('@confluentinc/kafka-javascript') as typeof KafkaJs

export async function createTopics(bootstrap: string, names: string[], partitions = 1, replicationFactor = 1): Promise<void> {
  const admin = Kafka.AdminClient.create({'bootstrap.servers': bootstrap, log_level: 0})
  try {
    for (const topic of names) {
      await new Promise<void>((resolve, reject) =>
        admin.createTopic({topic, num_partitions: partitions, replication_factor: replicationFactor}, 15_000, (err) => (err ? reject(err) : resolve())),
      )
    }
  } finally {
    admin.disconnect()
  }
}

/** Commits one offset for a group with a real consumer (no subscription, explicit commit). */
export async function commitOffset(bootstrap: string, group: string, topic: string, partition = 0, offset = 0): Promise<void> {
  const consumer = new Kafka.KafkaConsumer({'bootstrap.servers': bootstrap, 'group.id': group, log_level: 0, 'enable.auto.commit': false}, {})
  await new Promise<void>((resolve, reject) => consumer.connect({timeout: 15_000}, (err) => (err ? reject(err) : resolve())))
  try {
    consumer.commitSync([{topic, partition, offset}]) // throws on failure
  } finally {
    await new Promise<void>((resolve) => consumer.disconnect(() => resolve()))
  }
}
