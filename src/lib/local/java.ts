import {execFile} from 'node:child_process'
import {existsSync} from 'node:fs'
import {join} from 'node:path'

import {KafkitError} from '../errors.js'
import {KAFKA_VERSION} from './paths.js'

const MIN_JAVA_VERSION = 17
const INSTALL_JAVA = 'apt-get install openjdk-17-jre-headless'

export interface JavaRuntime {
  /** What to spawn: `$JAVA_HOME/bin/java` when JAVA_HOME is set (as Kafka's own scripts do), else `java` from PATH. */
  command: string
  majorVersion: number
}

/**
 * The major version from `java -version` output: `openjdk version "17.0.15" 2025-04-15` gives 17,
 * the pre-Java-9 scheme `java version "1.8.0_392"` gives 8.
 */
function parseJavaMajorVersion(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?[^"]*"/.exec(versionOutput)
  if (!match) return undefined
  const first = Number(match[1])
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first
}

function javaCommand(env: NodeJS.ProcessEnv): string {
  const fromJavaHome = env.JAVA_HOME ? join(env.JAVA_HOME, 'bin', 'java') : undefined
  return fromJavaHome && existsSync(fromJavaHome) ? fromJavaHome : 'java'
}

/** Finds a Java runtime that can run Kafka, or throws KafkitError('environment') saying what to install. */
export async function findJava(env: NodeJS.ProcessEnv = process.env): Promise<JavaRuntime> {
  const command = javaCommand(env)
  const output = await new Promise<string>((resolve, reject) => {
    execFile(command, ['-version'], {env, timeout: 30_000}, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(
          new KafkitError('environment', `Java ${MIN_JAVA_VERSION} or newer is needed to run Kafka and was not found: install it (${INSTALL_JAVA})`, {
            hint: 'or set JAVA_HOME to a Java 17+ installation',
          }),
        )
        return
      }
      // `java -version` writes to stderr; a broken installation may still print something useful there.
      if (error) {
        // Skip the JVM's "Picked up JAVA_TOOL_OPTIONS: ..." note: the reason comes after it.
        const reason = `${stderr}\n${stdout}\n${error.message}`.split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('Picked up '))
        reject(new KafkitError('environment', `'${command} -version' failed: ${reason.slice(0, 2).join(' ')}`, {hint: `check the Java installation, or install one: ${INSTALL_JAVA}`}))
        return
      }
      resolve(`${stderr}\n${stdout}`)
    })
  })
  const majorVersion = parseJavaMajorVersion(output)
  if (majorVersion === undefined) {
    throw new KafkitError('environment', `cannot tell the Java version from '${command} -version': ${output.trim().split('\n')[0]}`, {hint: INSTALL_JAVA})
  }
  if (majorVersion < MIN_JAVA_VERSION) {
    throw new KafkitError(
      'environment',
      `Kafka ${KAFKA_VERSION} needs Java ${MIN_JAVA_VERSION} or newer, but ${command} is Java ${majorVersion}: install a newer one (${INSTALL_JAVA})`,
      {hint: 'put it first on PATH, or set JAVA_HOME to it'},
    )
  }
  return {command, majorVersion}
}
