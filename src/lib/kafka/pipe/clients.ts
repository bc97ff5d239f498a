import type {KafkaConsumer, LibrdKafkaError, Message, Producer, TopicPartitionOffset} from '@confluentinc/kafka-javascript'

import {loadClientLibrary} from '../client-library.js'
import type {KafkaSession} from '../session.js'

// The pipe's two clients from the Kafka client library, with their callback calls as promises:
// a group consumer (eager rebalancing, so that every rebalance first takes all partitions away
// and the open transaction can end before they go) and a producer on the destination.

export type PipeConsumer = KafkaConsumer & {setDefaultIsTimeoutOnlyForFirstMessage(only: boolean): void}

/** A client call's error: librdkafka's, with the transaction flags it sets. */
export type ClientError = LibrdKafkaError & {isRetriable?: boolean; isFatal?: boolean; isTxnRequiresAbort?: boolean}

type RebalanceCallback = (this: PipeConsumer, err: LibrdKafkaError, assignment: TopicPartitionOffset[]) => void

const callback =
  <T = void>(resolve: (v: T) => void, reject: (e: ClientError) => void) =>
  (err: ClientError | null | undefined, value?: T) =>
    err ? reject(err) : resolve(value as T)

export async function connectConsumer(session: KafkaSession, config: Record<string, unknown>, onRebalance: RebalanceCallback, debug?: (line: string) => void): Promise<PipeConsumer> {
  const {KafkaConsumer} = loadClientLibrary()
  const consumer = new KafkaConsumer({...config, rebalance_cb: onRebalance} as never, {'auto.offset.reset': config['auto.offset.reset']} as never) as PipeConsumer
  // Broker restarts are ridden out by librdkafka: its errors are only logged (with --debug).
  if (debug) consumer.on('event.error', (e: LibrdKafkaError) => debug(`consumer: ${e.message}`))
  await new Promise<void>((resolve, reject) => consumer.connect({timeout: session.timeoutMs}, callback(() => resolve(), reject)))
  consumer.setDefaultConsumeTimeout(200)
  consumer.setDefaultIsTimeoutOnlyForFirstMessage(true)
  return consumer
}

export function readBatch(consumer: PipeConsumer, size: number): Promise<Message[]> {
  return new Promise((resolve, reject) => consumer.consume(size, callback(resolve, reject)))
}

export function committedOffsets(consumer: PipeConsumer, partitions: TopicPartitionOffset[], timeoutMs: number): Promise<TopicPartitionOffset[]> {
  return new Promise((resolve, reject) => consumer.committed(partitions, timeoutMs, callback(resolve, reject) as never))
}

export function seek(consumer: PipeConsumer, to: TopicPartitionOffset, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => consumer.seek(to, timeoutMs, callback(() => resolve(), reject)))
}

export async function connectProducer(session: KafkaSession, config: Record<string, unknown>, debug?: (line: string) => void): Promise<Producer> {
  const {Producer} = loadClientLibrary()
  const producer = new Producer(config as never)
  if (debug) producer.on('event.error', (e: LibrdKafkaError) => debug(`producer: ${e.message}`))
  await new Promise<void>((resolve, reject) => producer.connect({timeout: session.timeoutMs} as never, callback(() => resolve(), reject)))
  producer.setPollInterval(50)
  return producer
}

/** The producer's calls that take a callback, as promises. */
export const producerCalls = {
  initTransactions: (p: Producer, timeoutMs: number) => new Promise<void>((resolve, reject) => p.initTransactions(timeoutMs, callback(() => resolve(), reject))),
  begin: (p: Producer) => new Promise<void>((resolve, reject) => p.beginTransaction(callback(() => resolve(), reject))),
  sendOffsets: (p: Producer, offsets: TopicPartitionOffset[], consumer: PipeConsumer, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => p.sendOffsetsToTransaction(offsets, consumer, timeoutMs, callback(() => resolve(), reject))),
  commit: (p: Producer, timeoutMs: number) => new Promise<void>((resolve, reject) => p.commitTransaction(timeoutMs, callback(() => resolve(), reject))),
  abort: (p: Producer, timeoutMs: number) => new Promise<void>((resolve, reject) => p.abortTransaction(timeoutMs, callback(() => resolve(), reject))),
  flush: (p: Producer, timeoutMs: number) => new Promise<void>((resolve, reject) => p.flush(timeoutMs, callback(() => resolve(), reject))),
}
