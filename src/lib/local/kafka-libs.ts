import {spawn} from 'node:child_process'
import {createHash, randomBytes} from 'node:crypto'
import {readdirSync} from 'node:fs'
import {mkdir, readFile, rename, rm, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {KafkitError} from '../errors.js'
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
const MAVEN_TIMEOUT_MS = 15 * 60_000

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
    await runMaven(pomFile, partialDir, env)
    if (!hasBrokerJar(partialDir)) {
      throw new KafkitError('failure', `Maven finished but put no kafka_2.13 jar into ${partialDir}`)
    }
    await writeFile(join(partialDir, RESOLVED_MARKER), hash + '\n')
    await moveIntoPlace(partialDir, libsDir, hash)
    return {dir: libsDir, source: 'maven'}
  } finally {
    await rm(partialDir, {recursive: true, force: true})
  }
}

async function moveIntoPlace(partialDir: string, libsDir: string, hash: string): Promise<void> {
  try {
    await rename(partialDir, libsDir)
    return
  } catch (error) {
    if (!isDirectoryTaken(error)) throw error
  }
  // Another run got there first, or an outdated cache is in the way.
  if (await isResolvedCache(libsDir, hash)) return
  const staleDir = `${libsDir}.stale-${process.pid}-${randomBytes(4).toString('hex')}`
  await rename(libsDir, staleDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error
  })
  try {
    await rename(partialDir, libsDir)
  } catch (error) {
    if (!isDirectoryTaken(error) || !(await isResolvedCache(libsDir, hash))) throw error
  }
  await rm(staleDir, {recursive: true, force: true})
}

function isDirectoryTaken(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code
  return code === 'ENOTEMPTY' || code === 'EEXIST'
}

function runMaven(pomFile: string, outputDir: string, env: NodeJS.ProcessEnv): Promise<void> {
  const args = ['-B', '-q', '-f', pomFile, 'dependency:copy-dependencies', `-DoutputDirectory=${outputDir}`, '-DincludeScope=runtime']
  return new Promise((resolve, reject) => {
    const maven = spawn('mvn', args, {env, stdio: ['ignore', 'pipe', 'pipe']})
    // Our own timer rather than spawn's `timeout`, which stays armed (and keeps the process
    // alive) when mvn cannot be started at all.
    const timer = setTimeout(() => maven.kill('SIGTERM'), MAVEN_TIMEOUT_MS)
    let output = ''
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000)
    }
    maven.stdout.on('data', keep)
    maven.stderr.on('data', keep)
    maven.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      if (error.code === 'ENOENT') {
        reject(
          new KafkitError('environment', `Maven is needed to download Apache Kafka ${KAFKA_VERSION} once and was not found: install it (apt-get install maven)`, {
            hint: 'or set KAFKA_HOME to an unpacked Apache Kafka distribution',
          }),
        )
      } else {
        reject(new KafkitError('failure', `cannot run mvn: ${error.message}`, {cause: error}))
      }
    })
    maven.on('close', (code, signal) => {
      clearTimeout(timer)
      if (code === 0) {
        resolve()
        return
      }
      const tail = output.trim().split('\n').slice(-20).join('\n')
      reject(
        new KafkitError('failure', `mvn could not resolve Apache Kafka ${KAFKA_VERSION} (${signal ?? `exit code ${code}`}):\n${tail}`, {
          hint: 'check the network access to Maven Central (repo.maven.apache.org), or set KAFKA_HOME to an unpacked Apache Kafka distribution',
        }),
      )
    })
  })
}
