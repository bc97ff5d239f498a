import {createRequire} from 'node:module'

import type * as KafkaJs from '@confluentinc/kafka-javascript'

import {KafkitError} from '../errors.js'
import {registerClientCodes} from './kafka-errors.js'

// The native client is loaded only by commands that talk to Kafka: loading it costs start-up
// time that `kafkit --help` or `kafkit local status` should not pay.

export type KafkaLibrary = typeof KafkaJs

let library: KafkaLibrary | undefined

function load<T>(id: string): T {
  try {
    return createRequire(import.meta.url)(id) as T
  } catch (error) {
    throw new KafkitError('environment', `the Kafka client library failed to load: ${(error as Error).message.split('\n')[0]}`, {
      hint: 'run: bash scripts/setup.sh',
      cause: error,
    })
  }
}

let adminOnly: Pick<KafkaLibrary, 'AdminClient'> | undefined

/**
 * Only the admin client (and the error codes): about 8 ms less start-up than the whole library,
 * which also loads the producer, consumer, streams and the KafkaJS layer. Admin commands use this.
 */
export function loadAdminClientLibrary(): Pick<KafkaLibrary, 'AdminClient'> {
  if (library) return library
  if (adminOnly) return adminOnly
  const AdminClient = load<KafkaLibrary['AdminClient']>('@confluentinc/kafka-javascript/lib/admin.js')
  const {codes} = load<{codes: Record<string, number>}>('@confluentinc/kafka-javascript/lib/error.js')
  registerClientCodes(codes)
  adminOnly = {AdminClient}
  return adminOnly
}

export function loadClientLibrary(): KafkaLibrary {
  if (library) return library
  library = load<KafkaLibrary>('@confluentinc/kafka-javascript')
  registerClientCodes(library.CODES.ERRORS as unknown as Record<string, number>)
  return library
}
