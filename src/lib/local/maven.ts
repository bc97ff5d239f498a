import {spawn} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {rename, rm} from 'node:fs/promises'

import {KafkitError} from '../errors.js'

// What `kafkit local` fetches from Maven Central, once per user (the Kafka jars, the Schema
// Registry app): runs mvn quietly, and moves a finished result into the cache atomically.

const MAVEN_TIMEOUT_MS = 15 * 60_000

export interface MavenRun {
  /** What is being fetched, for messages: "Apache Kafka 4.3.1". */
  what: string
  /** What a user can do instead of Maven, for the hints. */
  fallbackHint?: string
  env: NodeJS.ProcessEnv
}

/** Runs `mvn -B -q <args>`; fails with the end of Maven's output. */
export function runMaven(args: string[], run: MavenRun): Promise<void> {
  const instead = run.fallbackHint ? `, or ${run.fallbackHint}` : ''
  return new Promise((resolve, reject) => {
    const maven = spawn('mvn', ['-B', '-q', ...args], {env: run.env, stdio: ['ignore', 'pipe', 'pipe']})
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
          new KafkitError('environment', `Maven is needed to download ${run.what} once and was not found: install it (apt-get install maven)`, {
            hint: run.fallbackHint,
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
        new KafkitError('failure', `mvn could not build ${run.what} (${signal ?? `exit code ${code}`}):\n${tail}`, {
          hint: `check the network access to Maven Central (repo.maven.apache.org)${instead}`,
        }),
      )
    })
  })
}

/**
 * Renames a finished folder into place. A reader sees either no folder or a complete one; when
 * another run got there first (`isComplete` of the final folder), its result is kept.
 */
export async function moveIntoPlace(partialDir: string, finalDir: string, isComplete: () => Promise<boolean>): Promise<void> {
  try {
    await rename(partialDir, finalDir)
    return
  } catch (error) {
    if (!isDirectoryTaken(error)) throw error
  }
  if (await isComplete()) return
  // An outdated or broken result is in the way.
  const staleDir = `${finalDir}.stale-${process.pid}-${randomBytes(4).toString('hex')}`
  await rename(finalDir, staleDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error
  })
  try {
    await rename(partialDir, finalDir)
  } catch (error) {
    if (!isDirectoryTaken(error) || !(await isComplete())) throw error
  }
  await rm(staleDir, {recursive: true, force: true})
}

function isDirectoryTaken(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code
  return code === 'ENOTEMPTY' || code === 'EEXIST'
}
