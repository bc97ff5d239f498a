import {spawn} from 'node:child_process'
import {mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync} from 'node:fs'
import {homedir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, inject, it} from 'vitest'

import {findFreePortRange, killLocalKafkaSync, startLocalKafka, stopLocalKafka, waitUntilGone} from '../../src/lib/local/index.js'
import {kafkitBin, repoRoot, stripAnsi, uniqueName} from './cli.js'
import {type Example, extractCommandExamples, extractExamples, jsonDifference, textShape} from './docs-examples.js'

// Runs every example of README.md and docs/*.md as written, in order per document, with bash,
// against a real broker; and the EXAMPLES of the command reference (docs/commands/*.md, from the
// commands' `static examples`). A new user's view: `kafkit` on the PATH, a temp working folder,
// a temp HOME and XDG_CONFIG_HOME (profiles do not leak), the broker given by
// KAFKA_BOOTSTRAP_SERVERS and `kafkit local` pointed at it by KAFKIT_LOCAL_DIR.
//
// Which lines run: in a ``` block (not json/yaml/properties/text/csv), with `$ ` prompts, every
// prompted line, and the lines after it up to the next prompt are the output the docs show;
// without prompts, every line that starts with `kafkit ` or pipes into `| kafkit `. Each command
// runs in its own `bash -o pipefail -c`, with `$?` set to the previous command's exit code (so
// `echo $?` works). Every command must exit 0, or the code an annotation names.
//
// Output shown under a prompt is compared by shape, not by value: runs of lines of one kind count
// once, and a kind is a terminal table header (its column names, exactly), a tab-separated row
// (its field count), a JSON line (its field names in order), `a:b:c` / `a,b,c` (field count),
// `error:`/`hint:`-style messages (the label), one word, or another row. A shown header runs the
// command under a terminal (`script`), else piped.
//
// Annotations: HTML comments right before a block (invisible on GitHub), one directive each:
//   <!-- docs-test: skip: REASON -->              the block is not run
//   <!-- docs-test: skip "TEXT": REASON -->       its commands containing TEXT are not run
//   <!-- docs-test: exit N "TEXT" -->             commands containing TEXT (all without "TEXT") must exit N
//   <!-- docs-test: tty "TEXT" --> / piped        run under a terminal / piped, whatever the output looks like
//   <!-- docs-test: any-output "TEXT" -->         do not compare the output's shape
//   <!-- docs-test: output-of "COMMAND" -->       the block is COMMAND's output (```json: field names): run and compare
//   <!-- docs-test: setup                         hidden shell lines run before the block (fixtures)
//   ...lines...
//   -->
//   <!-- docs-test: after ... -->                 hidden shell lines run after the block
// Every document starts on an empty cluster (its topics and groups deleted) in a new folder.
// The broker is the file's own (destructive examples such as `groups list --state empty | xargs
// -r kafkit groups delete --yes` or `lag --max-lag` over all groups must not meet other tests'
// topics and groups). KAFKIT_TEST_DOCS_STATE_DIR=DIR uses a running `kafkit local` broker of that
// state folder instead of starting one (its topics and groups are deleted!).
// The command reference pages are generated, so their annotations are COMMAND_EXAMPLES below.

const COMMAND_TIMEOUT_MS = 30_000

const documents = ['README.md', ...readdirSync(join(repoRoot, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)]

/** What the command reference's examples need, and what they cannot do here (matched by text, first entry wins). */
const COMMAND_EXAMPLES: Array<{text: string; skip?: string; exit?: number; setup?: string; after?: string}> = [
  {text: 'cluster describe -b kafka1:9092', skip: 'needs a host kafka1'},
  {text: 'topics list --internal -b broker1:9092', skip: 'needs a host broker1'},
  {text: 'local start --nodes 3', skip: 'starts three more brokers on fixed ports 19092-19097 (local.test.ts covers --nodes 3)'},
  {text: 'local stop --state-dir /tmp/kafka-3', skip: 'belongs to the --nodes 3 example'},
  // Restarting the broker mid-run was once followed by INVALID_RECORD on a produce to a re-created topic.
  {text: 'local stop', skip: 'would stop the broker the later examples use (local.test.ts covers stop)'},
  // The secured node of local start's example runs outside the test's state folder: stopped at once.
  {text: 'topics list --profile local-sasl', after: 'kafkit local stop --state-dir /tmp/kafka-secure >/dev/null; rm -rf /tmp/kafka-secure'},
  {text: 'lag orders-service --max-lag 1000', exit: 8},
  {text: 'lag orders-service --max-catch-up 10m', exit: 8},
  {text: 'lag orders-service --watch 5s', skip: 'runs until Ctrl-C (lag.test.ts covers --watch)'},
  // Asks on a terminal; piped, it needs --yes: exit 2, as documented.
  {text: 'groups delete old-service', exit: 2, setup: 'kafkit groups reset-offsets old-service --topic orders --to-earliest --execute >/dev/null'},
  {text: 'groups delete-offsets old-service', setup: 'kafkit groups reset-offsets old-service --topic orders --to-earliest --execute >/dev/null'},
  // The example before it deletes every empty group.
  {text: 'groups describe orders-service', setup: 'kafkit groups reset-offsets orders-service --topic orders --to-earliest --execute >/dev/null'},
  {text: 'groups reset-offsets new-service', setup: 'kafkit groups delete new-service --yes >/dev/null 2>&1; true'},
  {text: 'lag', setup: 'kafkit groups reset-offsets orders-service --topic orders --to-earliest --execute >/dev/null'},
  {text: 'topics create orders --partitions', setup: 'kafkit topics delete orders --yes >/dev/null'},
  {text: 'topics describe orders', setup: 'kafkit topics create orders --if-not-exists --partitions 6 >/dev/null'},
  {text: 'topics trim orders --partition 0 --before 100', setup: 'seq 1 200 | kafkit produce orders -p 0 2>/dev/null'},
  {text: 'acls ', skip: 'needs a cluster with an authorizer: docs/security.md runs these against kafkit local start --security'},
  // Asks for the password; piped, it needs --password-stdin: exit 2, as documented.
  {text: 'users create alice --mechanism SCRAM-SHA-512', exit: 2},
  {text: 'users delete alice --mechanism', setup: 'printf %s alice-pw-1234 | kafkit users create alice --mechanism SCRAM-SHA-256 --password-stdin >/dev/null'},
  {text: 'users delete alice', setup: 'printf %s alice-pw-1234 | kafkit users create alice --mechanism SCRAM-SHA-256 --password-stdin >/dev/null'},
  {text: 'users list alice', setup: 'printf %s alice-pw-1234 | kafkit users create alice --mechanism SCRAM-SHA-256 --password-stdin >/dev/null'},
  {text: 'schemas subjects -r http://registry:8081', skip: 'needs a host registry'},
  {text: 'schemas get --id 1', skip: 'which ids exist depends on what the earlier pages deleted (schemas.test.ts covers get --id)'},
  {text: 'schemas delete orders-value --version 1 --permanent --yes', after: 'kafkit schemas register orders-value --file order.avsc >/dev/null'},
  // Asks on a terminal; piped, it needs --yes: exit 2, as documented.
  {text: 'schemas delete orders-value', exit: 2},
  {text: 'pipe readings readings-f', setup: `kafkit topics create readings readings-f --partitions 3 >/dev/null && printf '%s\\n' '{"celsius":21.5}' '{"celsius":-4}' | kafkit produce readings 2>/dev/null`},
  {text: 'pipe orders big-orders', setup: 'kafkit topics create big-orders --partitions 3 >/dev/null'},
  {text: '--to-bootstrap dr-kafka:9092', skip: 'needs a second cluster at host dr-kafka (pipe.test.ts copies between the single node and the 3-node cluster)'},
  {text: 'pipe events events-clean', setup: "kafkit topics create events events-clean --partitions 3 >/dev/null && printf 'Hello\\nWORLD\\n' | kafkit produce events 2>/dev/null"},
  {
    text: 'pipe orders enriched',
    setup: `kafkit topics create enriched orders-dlq --partitions 3 >/dev/null && printf '%s\\n' 'export default (r) => { if (r.value.id % 500 === 0) throw new Error("no region for " + r.value.id); return {...r, value: {...r.value, region: "EU"}} }' > enrich.mjs`,
  },
]

/** Topics, records, groups and files the reference pages start with. */
const COMMAND_FIXTURES = `
kafkit topics create orders orders-copy --partitions 6 >/dev/null
kafkit topics create orders.eu tmp.a test.x >/dev/null
seq -f '{"id":%g}' 1 1500 | kafkit produce orders -p 0 2>/dev/null
kafkit groups reset-offsets orders-service --topic orders --to-earliest --execute >/dev/null
printf 'a\\nb\\nc\\n' > orders.txt
printf 'x\\ny\\n' > batch.txt
printf '%s\\n' '{"type":"record","name":"Order","namespace":"com.acme","fields":[{"name":"id","type":"string"},{"name":"qty","type":"int"}]}' > order.avsc
printf '%s\\n' '{"type":"record","name":"Address","namespace":"com.acme","fields":[{"name":"city","type":"string"}]}' > address.avsc
kafkit schemas register orders-value --file order.avsc >/dev/null
kafkit schemas register address-value --file address.avsc >/dev/null
`

interface Run {
  exitCode: number | null
  output: string
  timedOut: boolean
}

interface World {
  env: NodeJS.ProcessEnv
  cwd: string
}

function bash(script: string, world: World, tty: boolean, timeoutMs = COMMAND_TIMEOUT_MS): Promise<Run> {
  const [command, args] = tty ? ['script', ['-qefc', `bash -o pipefail -c ${quote(script)}`, '/dev/null']] : ['bash', ['-o', 'pipefail', '-c', script]]
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {cwd: world.cwd, env: tty ? {...world.env, COLUMNS: '160', TERM: 'xterm'} : world.env, detached: true})
    const chunks: Buffer[] = []
    child.stdout.on('data', (d: Buffer) => chunks.push(d))
    child.stderr.on('data', (d: Buffer) => chunks.push(d))
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      process.kill(-child.pid!, 'SIGKILL')
    }, timeoutMs)
    child.on('error', reject)
    child.on('close', (exitCode) => {
      clearTimeout(timer)
      resolve({exitCode, output: stripAnsi(Buffer.concat(chunks).toString('utf8').replaceAll('\r\n', '\n')), timedOut})
    })
    child.stdin.end()
  })
}

const quote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`

/** A new folder, HOME and profile directory, with `kafkit` on the PATH. */
function newWorld(root: string, bootstrap: string, stateDir: string): World {
  const dir = mkdtempSync(join(root, 'doc-'))
  for (const sub of ['bin', 'home/.config', 'work']) mkdirSync(join(dir, sub), {recursive: true})
  symlinkSync(kafkitBin, join(dir, 'bin', 'kafkit'))
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${join(dir, 'bin')}:${process.env.PATH}`,
    HOME: join(dir, 'home'),
    XDG_CONFIG_HOME: join(dir, 'home', '.config'),
    KAFKA_BOOTSTRAP_SERVERS: bootstrap,
    KAFKIT_LOCAL_DIR: stateDir,
    // The Kafka jars `kafkit local start` uses stay where they are (no download into the temp HOME).
    XDG_CACHE_HOME: process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'),
  }
  for (const key of ['KAFKIT_CONFIG', 'KAFKIT_PROFILE', 'FORCE_COLOR', 'NO_COLOR', 'KAFKIT_DEBUG', 'KAFKIT_NATIVE_CONSUME']) delete env[key]
  return {env, cwd: join(dir, 'work')}
}

/** Back to an empty cluster: no topics (internal ones stay), no groups. */
async function emptyCluster(world: World): Promise<void> {
  const result = await bash(
    "kafkit groups list | xargs -r kafkit groups delete --yes >/dev/null && kafkit topics list | xargs -r kafkit topics delete --if-exists --yes >/dev/null",
    world,
    false,
    60_000,
  )
  if (result.exitCode !== 0) throw new Error(`could not empty the cluster: ${result.output}`)
}

/** Runs the examples in order; returns what went wrong, one line each. */
async function runExamples(examples: Example[], world: World): Promise<string[]> {
  const problems: string[] = []
  let previous = 0
  for (const example of examples) {
    for (const setup of example.setup) {
      const result = await bash(setup, world, false, 60_000)
      if (result.exitCode !== 0) problems.push(`${example.where}: hidden setup failed (exit ${result.exitCode}): ${result.output.trim()}`)
    }
    if (example.skip === undefined) {
      const result = await bash(`(exit ${previous}); ${example.command}`, world, example.mode === 'tty')
      previous = result.exitCode ?? 1
      const said = result.output.trim().split('\n').slice(0, 8).join('\n    ')
      if (result.timedOut) problems.push(`${example.where}: \`${example.command}\` did not end within ${COMMAND_TIMEOUT_MS / 1000} s\n    ${said}`)
      else if (result.exitCode !== example.exitCode) {
        problems.push(`${example.where}: \`${example.command}\` exited ${result.exitCode}, expected ${example.exitCode}\n    ${said}`)
      } else if (!example.anyOutput) {
        const difference = outputDifference(example, result.output)
        if (difference) problems.push(`${example.where}: \`${example.command}\`: ${difference}`)
      }
    }
    for (const after of example.after) {
      const result = await bash(after, world, false, 60_000)
      if (result.exitCode !== 0) problems.push(`${example.where}: hidden after-step failed (exit ${result.exitCode}): ${result.output.trim()}`)
    }
  }
  return problems
}

function outputDifference(example: Example, output: string): string | undefined {
  if (example.expectedJson !== undefined) {
    let actual: unknown
    try {
      actual = JSON.parse(output)
    } catch {
      return `the docs show JSON, the output is not: ${output.slice(0, 200)}`
    }
    return jsonDifference(JSON.parse(example.expectedJson), actual)
  }
  if (example.expected.length === 0) return undefined
  const lines = output.split('\n')
  // `echo $?` and the like: the value itself matters.
  if (/^echo \$\?$/.test(example.command.trim())) {
    return lines[0]?.trim() === example.expected[0]?.trim() ? undefined : `printed ${lines[0]}, the docs show ${example.expected[0]}`
  }
  const shown = textShape(example.expected)
  const printed = textShape(lines)
  if (JSON.stringify(shown) === JSON.stringify(printed)) return undefined
  return `output differs in shape\n    docs:   ${shown.join(' / ')}\n    output: ${printed.join(' / ')}\n    ${output.trim().split('\n').slice(0, 8).join('\n    ')}`
}

describe('the examples in the docs run as written', () => {
  let bootstrap = ''
  let stateDir = process.env.KAFKIT_TEST_DOCS_STATE_DIR ?? ''
  const root = () => inject('stateRoot')

  beforeAll(async () => {
    if (!stateDir) stateDir = join(root(), uniqueName('docs'))
    // With its Schema Registry: `kafkit schemas` without -r finds it through KAFKIT_LOCAL_DIR.
    const started = await startLocalKafka({
      stateDir,
      port: process.env.KAFKIT_TEST_DOCS_STATE_DIR ? undefined : await findFreePortRange(2),
      schemaRegistry: {port: await findFreePortRange(1)},
    })
    bootstrap = started.bootstrapServers
  }, 120_000)

  afterAll(async () => {
    if (process.env.KAFKIT_TEST_DOCS_STATE_DIR) return
    await stopLocalKafka(stateDir, {timeoutMs: 15_000}).catch(() => waitUntilGone(killLocalKafkaSync(stateDir), 10_000))
  }, 60_000)

  for (const document of documents) {
    it(document, {timeout: 300_000}, async () => {
      const examples = extractExamples(readFileSync(join(repoRoot, document), 'utf8'), document)
      if (examples.length === 0) return
      const world = newWorld(root(), bootstrap, stateDir)
      await emptyCluster(world)
      const problems = await runExamples(examples, world)
      expect(problems.join('\n')).toBe('')
    })
  }

  it('the command reference (docs/commands, from the commands\' examples)', {timeout: 300_000}, async () => {
    const pages = readdirSync(join(repoRoot, 'docs', 'commands')).filter((f) => f.endsWith('.md')).sort()
    const world = newWorld(root(), bootstrap, stateDir)
    await emptyCluster(world)
    const examples = pages.flatMap((page) => {
      const file = `docs/commands/${page}`
      return extractCommandExamples(readFileSync(join(repoRoot, file), 'utf8'), file).map(([where, command]): Example => {
        const known = COMMAND_EXAMPLES.find((entry) => command!.includes(entry.text))
        return {
          where: where!,
          command: command!,
          expected: [],
          exitCode: known?.exit ?? 0,
          mode: 'piped',
          skip: known?.skip,
          setup: known?.setup ? [known.setup] : [],
          after: known?.after ? [known.after] : [],
          anyOutput: true,
        }
      })
    })
    examples[0]!.setup.unshift(COMMAND_FIXTURES)
    const problems = await runExamples(examples, world)
    expect(problems.join('\n')).toBe('')
  })
})
