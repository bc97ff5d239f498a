import {createHash, randomBytes} from 'node:crypto'
import {readdirSync} from 'node:fs'
import {mkdir, readFile, rm, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {KafkitError} from '../errors.js'
import {moveIntoPlace, runMaven} from './maven.js'
import {KAFKA_VERSION, kafkaCacheDir, kafkaPomFile} from './paths.js'

// The broker runs from Apache Kafka's own jars: either an unpacked distribution ($KAFKA_HOME), or
// the jars Maven resolves from kafka/pom.xml into a per-user cache, once.

export interface KafkaLibs {
  /** Folder of jars; the classpath is `<dir>/*`. */
  dir: string
  source: 'KAFKA_HOME' | 'cache' | 'maven'
}

/** Written into the cache folder last; holds a hash of the pom so that a changed pom re-resolves. */
const RESOLVED_MARKER = '.kafkit-resolved'

function hasBrokerJar(dir: string): boolean {
  try {
    return readdirSync(dir).some((name) => /^kafka_2\.13-.+\.jar$/.test(name))
  } catch {
    return false
  }
}

async function pomHash(pomFile: string): Promise<string> {
  const pom = await readFile(pomFile).catch(() => {
    throw new KafkitError('failure', `kafkit's Maven file is missing: ${pomFile}`, {hint: 'reinstall kafkit, or set KAFKA_HOME to an unpacked Kafka distribution'})
  })
  return createHash('sha256').update(pom).digest('hex')
}

async function isResolvedCache(dir: string, expectedHash: string): Promise<boolean> {
  const marker = await readFile(join(dir, RESOLVED_MARKER), 'utf8').catch(() => undefined)
  return marker?.trim() === expectedHash && hasBrokerJar(dir)
}

/**
 * The Kafka jars to run: `$KAFKA_HOME/libs` if it holds a broker jar, else the cache, resolved with
 * Maven when missing or made from another version of kafka/pom.xml.
 */
export async function resolveKafkaLibs(
  options: {onProgress?: (message: string) => void; env?: NodeJS.ProcessEnv} = {},
): Promise<KafkaLibs> {
  const env = options.env ?? process.env
  if (env.KAFKA_HOME) {
    const dir = join(env.KAFKA_HOME, 'libs')
    if (hasBrokerJar(dir)) return {dir, source: 'KAFKA_HOME'}
  }
  const pomFile = kafkaPomFile()
  const hash = await pomHash(pomFile)
  const cacheDir = kafkaCacheDir(env)
  const libsDir = join(cacheDir, 'libs')
  if (await isResolvedCache(libsDir, hash)) return {dir: libsDir, source: 'cache'}

  options.onProgress?.(`downloading Apache Kafka ${KAFKA_VERSION} with Maven into ${libsDir} (once)`)
  await mkdir(cacheDir, {recursive: true})
  // Resolve into a private folder next to the final one (same file system), then rename it into
  // place: a reader sees either no folder or a complete one, and concurrent runs cannot mix files.
  const partialDir = join(cacheDir, `libs.partial-${process.pid}-${randomBytes(4).toString('hex')}`)
  try {
    await runMaven(['-f', pomFile, 'dependency:copy-dependencies', `-DoutputDirectory=${partialDir}`, '-DincludeScope=runtime'], {
      what: `Apache Kafka ${KAFKA_VERSION}`,
      fallbackHint: 'set KAFKA_HOME to an unpacked Apache Kafka distribution',
      env,
    })
    if (!hasBrokerJar(partialDir)) {
      throw new KafkitError('failure', `Maven finished but put no kafka_2.13 jar into ${partialDir}`)
    }
    await writeFile(join(partialDir, RESOLVED_MARKER), hash + '\n')
    await moveIntoPlace(partialDir, libsDir, () => isResolvedCache(libsDir, hash))
    return {dir: libsDir, source: 'maven'}
  } finally {
    await rm(partialDir, {recursive: true, force: true})
  }
}

