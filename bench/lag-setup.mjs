// Fixture for bench/lag.sh: TOPICS topics of PARTITIONS partitions with records in every
// partition, and GROUPS consumer groups, each with a committed offset on every partition of one
// topic (groups are spread over the topics), so that every group has lag.
// Usage: node bench/lag-setup.mjs BOOTSTRAP GROUPS PARTITIONS TOPICS
import {createRequire} from 'node:module'

const require = createRequire(import.meta.url)
const Kafka = require('@confluentinc/kafka-javascript')

const [bootstrap, groups = '100', partitions = '50', topics = '10'] = process.argv.slice(2)
const groupCount = Number(groups)
const partitionCount = Number(partitions)
const topicNames = Array.from({length: Number(topics)}, (_, i) => `lag-bench-${i}`)
const RECORDS_PER_PARTITION = 20
const base = {'bootstrap.servers': bootstrap, log_level: 0}

const call = (start) => new Promise((resolve, reject) => start((err, value) => (err ? reject(err) : resolve(value))))

const admin = Kafka.AdminClient.create(base)
for (const topic of topicNames) {
  await call((done) => admin.createTopic({topic, num_partitions: partitionCount, replication_factor: 1}, 30_000, done)).catch((error) => {
    if (!/already exists/i.test(error.message)) throw error
  })
}
admin.disconnect()

const producer = new Kafka.Producer({...base, 'linger.ms': 20})
await call((done) => producer.connect({}, done))
for (const topic of topicNames) {
  for (let partition = 0; partition < partitionCount; partition++) {
    for (let i = 0; i < RECORDS_PER_PARTITION; i++) producer.produce(topic, partition, Buffer.from(`record ${i}`))
  }
}
await call((done) => producer.flush(30_000, done))
await call((done) => producer.disconnect(done))

// Each group commits a different offset on each partition (below the end, so there is lag).
for (let g = 0; g < groupCount; g++) {
  const topic = topicNames[g % topicNames.length]
  const consumer = new Kafka.KafkaConsumer({...base, 'group.id': `lag-bench-group-${g}`, 'enable.auto.commit': false}, {})
  await call((done) => consumer.connect({timeout: 30_000}, done))
  consumer.commitSync(Array.from({length: partitionCount}, (_, partition) => ({topic, partition, offset: (g + partition) % RECORDS_PER_PARTITION})))
  await call((done) => consumer.disconnect(done))
}
process.stderr.write(`lag-setup: ${topicNames.length} topics x ${partitionCount} partitions, ${groupCount} groups\n`)
