import {homedir} from 'node:os'
import {isAbsolute, join, resolve} from 'node:path'

import {packageRoot} from '../package-root.js'

/** The Apache Kafka release `kafkit local` runs; kafka/pom.xml pins the same version. */
export const KAFKA_VERSION = '4.3.1'
export const DEFAULT_PORT = 9092
/** Brokers listen and advertise on IPv4 loopback: `localhost` may resolve to ::1 first, where nothing listens. */
export const LOCAL_HOST = '127.0.0.1'

/** XDG base directories must be absolute; a relative value is ignored, as the spec says. */
function xdgDir(value: string | undefined, fallback: string): string {
  return value && isAbsolute(value) ? value : fallback
}

/** `$KAFKIT_LOCAL_DIR`, else `${XDG_STATE_HOME:-~/.local/state}/kafkit/local`. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KAFKIT_LOCAL_DIR) return resolve(env.KAFKIT_LOCAL_DIR)
  return join(xdgDir(env.XDG_STATE_HOME, join(homedir(), '.local', 'state')), 'kafkit', 'local')
}

/** Where the Kafka jars resolved by Maven are kept: `${XDG_CACHE_HOME:-~/.cache}/kafkit/kafka-<version>`. */
export function kafkaCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(xdgDir(env.XDG_CACHE_HOME, join(homedir(), '.cache')), 'kafkit', `kafka-${KAFKA_VERSION}`)
}

/** The Schema Registry `kafkit local start --schema-registry` builds and runs; registry/pom.xml pins it. */
export const SCHEMA_REGISTRY_VERSION = '2.4.2.Final'

/** Where the built registry app is kept: `${XDG_CACHE_HOME:-~/.cache}/kafkit/schema-registry-<version>`. */
export function registryCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(xdgDir(env.XDG_CACHE_HOME, join(homedir(), '.cache')), 'kafkit', `schema-registry-${SCHEMA_REGISTRY_VERSION}`)
}

/** The Maven project that builds the registry (registry/pom.xml and its application.properties). */
export function registryProjectDir(): string {
  return join(packageRoot(), 'registry')
}

export function kafkaPomFile(): string {
  return join(packageRoot(), 'kafka', 'pom.xml')
}
