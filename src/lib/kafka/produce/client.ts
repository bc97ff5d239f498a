import {KafkitError} from '../../errors.js'
import {loadProduceBinding, type ProducerHandle} from './native.js'

// One native producer (native/src/kafkit_produce.c) and its handle: created from the librdkafka
// configuration, destroyed once.

export type ProduceBinding = ReturnType<typeof loadProduceBinding>

export class ProducerClient {
  readonly native: ProduceBinding = loadProduceBinding()
  readonly handle: ProducerHandle
  private closed = false

  /** `otherTopics`: more topics to write to (produce's topicIndex 1, 2, ...). */
  constructor(config: Record<string, string>, topic: string, wantDeliveries: boolean, otherTopics?: string[]) {
    try {
      this.handle = this.native.create(config, topic, wantDeliveries, otherTopics)
    } catch (error) {
      // The config builder's own errors already say "invalid client property '…'".
      const {code, message} = error as Error & {code?: string}
      throw new KafkitError('usage', code === 'ERR_KAFKIT_CONFIG' ? message : `invalid producer configuration: ${message}`, {
        hint: 'check the -X / profile / --command-config properties against librdkafka\'s CONFIGURATION.md',
      })
    }
  }

  /** Destroys the client; safe to call more than once. */
  close(): void {
    if (this.closed) return
    this.closed = true
    this.native.close(this.handle)
  }
}
