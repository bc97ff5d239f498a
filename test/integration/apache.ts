import {spawn} from 'node:child_process'

import {findJava, resolveKafkaLibs} from '../../src/lib/local/index.js'

// Apache Kafka's own command-line classes, from the same jars as the test brokers: the peers
// kafkit's output is compared with.

let classpath: Promise<{java: string; dir: string}> | undefined

export async function apacheClasspath(): Promise<{java: string; dir: string}> {
  classpath ??= Promise.all([findJava(), resolveKafkaLibs()]).then(([java, libs]) => ({java: java.command, dir: libs.dir}))
  return classpath
}

export interface ToolResult {
  stdout: string
  stderr: string
  exitCode: number | null
}

/** The `-cp` value for Apache's classes: every jar the test brokers run from. */
export async function kafkaClasspath(): Promise<string> {
  return `${(await apacheClasspath()).dir}/*`
}

/** Runs one of Apache Kafka's command-line classes (ConsumerGroupCommand, GetOffsetShell ...). */
export async function runApache(mainClass: string, args: string[]): Promise<ToolResult> {
  const {java} = await apacheClasspath()
  const classpath = await kafkaClasspath()
  return new Promise((resolve, reject) => {
    const child = spawn(java, ['-cp', classpath, mainClass, ...args], {stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (exitCode) => resolve({stdout, stderr, exitCode}))
  })
}
