// Helper for bench/produce.sh: create, count and delete benchmark topics with the client library.
//   node bench/produce-topics.mjs create BOOTSTRAP TOPIC PARTITIONS
//   node bench/produce-topics.mjs count BOOTSTRAP TOPIC PARTITIONS   -> records in the topic
//   node bench/produce-topics.mjs delete BOOTSTRAP TOPIC
import {createRequire} from 'node:module'

const require = createRequire(import.meta.url)
const Kafka = require('@confluentinc/kafka-javascript')
const [command, bootstrap, topic, partitions = '1'] = process.argv.slice(2)
const call = (fn) => new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))))

if (command === 'count') {
  const consumer = new Kafka.KafkaConsumer({'bootstrap.servers': bootstrap, 'group.id': 'kafkit-bench-count', log_level: 0}, {})
  await call((done) => consumer.connect({timeout: 10_000}, done))
  let total = 0
  for (let p = 0; p < Number(partitions); p++) {
    const w = await call((done) => consumer.queryWatermarkOffsets(topic, p, 10_000, done))
    total += w.highOffset - w.lowOffset
  }
  consumer.disconnect()
  console.log(total)
} else {
  const admin = Kafka.AdminClient.create({'bootstrap.servers': bootstrap, log_level: 0})
  if (command === 'create') await call((done) => admin.createTopic({topic, num_partitions: Number(partitions), replication_factor: 1}, 15_000, done))
  else if (command === 'delete') await call((done) => admin.deleteTopic(topic, 15_000, done))
  else throw new Error(`unknown command ${command}`)
  admin.disconnect()
}
