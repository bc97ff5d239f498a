import {readFileSync} from 'node:fs'

import {KafkitError} from '../errors.js'

// Certificate, key and keystore files named by the connection settings (ssl.ca.location ...),
// read for kafkit's own protocol connection (src/lib/kafka/wire-connection.ts).

export function readKeyFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path)
  } catch (error) {
    throw new KafkitError('not_found', `cannot read the ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
  }
}
