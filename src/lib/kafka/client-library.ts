import {createRequire} from 'node:module'

import type * as KafkaJs from '@confluentinc/kafka-javascript'

import {KafkitError} from '../errors.js'
import {registerClientCodes} from './kafka-errors.js'

// The native client is loaded only by commands that talk to Kafka: loading it costs start-up
// time that `kafkit --help` or `kafkit local status` should not pay.

export type KafkaLibrary = typeof KafkaJs

let library: KafkaLibrary | undefined

export function loadClientLibrary(): KafkaLibrary {
  if (library) return library
  const require = createRequire(import.meta.url)
  try {
    library = require('@confluentinc/kafka-javascript') as KafkaLibrary
  } catch (error) {
    throw new KafkitError('environment', `the Kafka client library failed to load: ${(error as Error).message.split('\n')[0]}`, {
      hint: 'run: bash scripts/setup.sh',
      cause: error,
    })
  }
  registerClientCodes(library.CODES.ERRORS as unknown as Record<string, number>)
  return library
}
