import {execFile, execFileSync, spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {connect, createServer, type Server} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'

import {afterAll, beforeAll, describe, expect, inject, it} from 'vitest'

import {commitOffset, createTopics} from './admin-client.js'
import {baseEnv, kafkitBin, runKafkit, uniqueName} from './cli.js'

// Shell completion as a person meets it: the scripts `kafkit autocomplete bash|zsh` print, loaded
// into real shells, offering what kafkit knows (commands, flags, enum values, -X properties) and
// what the cluster and the profile file know (topics, partitions, groups, config keys, profiles).
// bash is driven through its completion function (COMP_WORDS/COMP_LINE in, COMPREPLY out), and
// both bash and zsh interactively under tmux, with a TAB sent and the screen read back.

const bootstrap = inject('bootstrap')
const run = promisify(execFile)
const UNREACHABLE = '127.0.0.1:1'
/** The bound for a TAB against an unreachable broker is about 300 ms for the look-up; the whole TAB must stay far below this. */
const TAB_BOUND_MS = 3000

const work = mkdtempSync(join(tmpdir(), 'kafkit-completion-'))
const binDir = join(work, 'bin')
const topic = uniqueName('compl')
const group = uniqueName('complgroup')
const profile = uniqueName('complprofile')

const haveProgram = (name: string) => spawnSync('sh', ['-c', `command -v ${name}`]).status === 0
const haveZsh = haveProgram('zsh')
const haveTmux = haveProgram('tmux')
const haveFish = haveProgram('fish')

/** The environment of a shell user with kafkit on PATH, a profile file, and a cache of its own. */
function shellEnv(): NodeJS.ProcessEnv {
  return baseEnv({
    PATH: `${binDir}:${process.env.PATH}`,
    KAFKIT_CONFIG: join(work, 'config.yaml'),
    XDG_CACHE_HOME: join(work, 'cache'),
    HOME: work,
    TERM: 'xterm',
  })
}

beforeAll(async () => {
  mkdirSync(binDir, {recursive: true})
  symlinkSync(kafkitBin, join(binDir, 'kafkit'))
  writeFileSync(join(work, 'config.yaml'), `profiles:\n  ${profile}:\n    bootstrap-servers: ${bootstrap}\n`)
  await createTopics(bootstrap, [topic], 3)
  await commitOffset(bootstrap, group, topic)
  writeFileSync(join(work, 'kafkit.bash'), (await runKafkit(['autocomplete', 'bash'])).stdout)
  writeFileSync(join(work, 'kafkit.fish'), (await runKafkit(['autocomplete', 'fish'])).stdout)
}, 60_000)

afterAll(() => rmSync(work, {recursive: true, force: true}))

/** What bash's completion function offers for `line` (the cursor at its end), and how long it took. */
async function bashOffers(line: string): Promise<{offered: string[]; ms: number}> {
  const script = `
source ${join(work, 'kafkit.bash')}
COMP_LINE=$1; COMP_POINT=\${#1}
read -ra COMP_WORDS <<< "$1"; [[ $1 == *' ' ]] && COMP_WORDS+=('')
COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 ))
start=$(date +%s%N)
_kafkit_complete
echo "ms=$(( ($(date +%s%N) - start) / 1000000 ))"
printf '%s\\n' "\${COMPREPLY[@]}"
`
  const {stdout, stderr} = await run('bash', ['--norc', '--noprofile', '-c', script, 'bash', line], {env: shellEnv(), timeout: 20_000})
  expect(stderr).toBe('')
  const [timing, ...offered] = stdout.split('\n').filter(Boolean)
  return {offered, ms: Number(timing!.slice(3))}
}

describe('bash completion (the completion function)', () => {
  it('offers commands, subcommands, flags and enum values', async () => {
    expect((await bashOffers('kafkit ')).offered).toEqual(expect.arrayContaining(['topics', 'consume', 'groups', 'autocomplete']))
    expect((await bashOffers('kafkit topics de')).offered).toEqual(['delete', 'describe'])
    expect((await bashOffers('kafkit consume --on-e')).offered).toEqual(['--on-error'])
    expect((await bashOffers('kafkit consume --on-error ')).offered).toEqual(['warn', 'skip', 'fail'])
    expect((await bashOffers('kafkit produce t --compression z')).offered).toEqual(['zstd'])
    expect((await bashOffers('kafkit consume x --value-format js')).offered).toEqual(['json'])
    expect((await bashOffers('kafkit consume x -o beg')).offered).toEqual(['beginning'])
  })

  it('offers the topic, its partitions, the group, the profile and config keys from the cluster typed on the line', async () => {
    expect((await bashOffers(`kafkit consume -b ${bootstrap} ${topic.slice(0, -2)}`)).offered).toEqual([topic])
    expect((await bashOffers(`kafkit consume -b ${bootstrap} -t ${topic.slice(0, -2)}`)).offered).toEqual([topic])
    // bash splits words at ':'; the candidates replace what follows it.
    expect((await bashOffers(`kafkit groups reset-offsets ${group} -b ${bootstrap} --topic ${topic}:`)).offered).toEqual(['0', '1', '2'])
    expect((await bashOffers(`kafkit groups describe -b ${bootstrap} ${group.slice(0, -2)}`)).offered).toEqual([group])
    expect((await bashOffers(`kafkit topics list --profile ${profile.slice(0, -3)}`)).offered).toEqual([profile])
    expect((await bashOffers(`kafkit topics alter ${topic} -b ${bootstrap} --config retention.m`)).offered).toEqual(['retention.ms='])
    // The profile names the cluster: its topics come without -b.
    expect((await bashOffers(`kafkit consume --profile ${profile} ${topic.slice(0, -2)}`)).offered).toEqual([topic])
    // ... and so does the environment.
    const env = {...shellEnv(), KAFKA_BOOTSTRAP_SERVERS: bootstrap}
    const {stdout} = await run('bash', ['--norc', '-c', `source ${join(work, 'kafkit.bash')}; COMP_LINE="kafkit lag ${group.slice(0, -2)}"; COMP_POINT=\${#COMP_LINE}; _kafkit_complete; echo "\${COMPREPLY[@]}"`], {env})
    expect(stdout.trim()).toBe(group)
  })

  it('offers librdkafka properties for -X, and their values (security protocols, SASL mechanisms)', async () => {
    expect((await bashOffers('kafkit consume x -X security.pro')).offered).toEqual(['security.protocol='])
    expect((await bashOffers('kafkit consume x -X security.protocol=SA')).offered).toEqual([])
    expect((await bashOffers('kafkit consume x -X security.protocol=sasl_')).offered).toEqual(['sasl_plaintext', 'sasl_ssl'])
    expect((await bashOffers('kafkit consume x -X sasl.mechanisms=SCRAM')).offered).toEqual(['SCRAM-SHA-256', 'SCRAM-SHA-512'])
  })

  it('with an unreachable broker: the static completions, quietly and quickly', async () => {
    const topics = await bashOffers(`kafkit consume -b ${UNREACHABLE} `)
    expect(topics.offered).toEqual([])
    const values = await bashOffers(`kafkit consume -b ${UNREACHABLE} --on-error `)
    expect(values.offered).toEqual(['warn', 'skip', 'fail'])
    const keys = await bashOffers(`kafkit topics alter x -b ${UNREACHABLE} --config retention.m`)
    expect(keys.offered).toEqual(['retention.ms='])
    console.log(`bash TAB, unreachable broker: ${topics.ms} ms (first), ${keys.ms} ms (again)`)
    expect(topics.ms).toBeLessThan(TAB_BOUND_MS)
    expect(keys.ms).toBeLessThan(TAB_BOUND_MS)
  })
})

/** A TCP proxy to the broker that holds every new connection for `delayMs` first: a slow, distant cluster. */
async function slowProxy(delayMs: number): Promise<{address: string; server: Server}> {
  const [host, port] = [bootstrap.slice(0, bootstrap.lastIndexOf(':')), Number(bootstrap.slice(bootstrap.lastIndexOf(':') + 1))]
  const server = createServer((client) => {
    client.pause()
    const upstream = connect(port, host)
    upstream.on('error', () => client.destroy())
    client.on('error', () => upstream.destroy())
    setTimeout(() => {
      client.pipe(upstream)
      upstream.pipe(client)
      client.resume()
    }, delayMs)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {address: `127.0.0.1:${(server.address() as {port: number}).port}`, server}
}

describe('a slow cluster', () => {
  it('the TAB gives up at the bound; a background refresh caches the topics for the next TAB', async () => {
    const {address, server} = await slowProxy(700)
    try {
      const line = `kafkit consume -b ${address} ${topic.slice(0, -2)}`
      const first = await bashOffers(line)
      expect(first.offered).toEqual([])
      expect(first.ms).toBeLessThan(TAB_BOUND_MS)
      let later = first
      for (let i = 0; i < 40 && later.offered.length === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 250))
        later = await bashOffers(line)
        expect(later.ms).toBeLessThan(TAB_BOUND_MS)
      }
      expect(later.offered).toEqual([topic])
      console.log(`slow cluster: first TAB ${first.ms} ms (nothing), a later TAB ${later.ms} ms (from the cache)`)
    } finally {
      server.close()
    }
  })
})

/** A real interactive shell under tmux, on its own tmux server. */
class TmuxShell {
  private readonly socket = uniqueName('kafkit-tmux')

  constructor(command: string) {
    execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', 'new-session', '-d', '-x', '200', '-y', '50', command], {env: shellEnv()})
  }

  screen(): string {
    return execFileSync('tmux', ['-L', this.socket, 'capture-pane', '-p'], {encoding: 'utf8'})
  }

  keys(...keys: string[]): void {
    execFileSync('tmux', ['-L', this.socket, 'send-keys', ...keys])
  }

  text(text: string): void {
    execFileSync('tmux', ['-L', this.socket, 'send-keys', '-l', text])
  }

  /** Waits until the screen satisfies `test`; returns how long that took (fails after 15 s). */
  async waitFor(test: (screen: string) => boolean, what: string): Promise<number> {
    const started = Date.now()
    while (!test(this.screen())) {
      if (Date.now() - started > 15_000) throw new Error(`waited 15 s for ${what}; the screen:\n${this.screen()}`)
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    return Date.now() - started
  }

  /** Types `line` on a clear prompt, presses TAB (`tabs` times) and waits for `expected` on the screen. */
  async complete(line: string, expected: RegExp, tabs = 1): Promise<number> {
    this.keys('C-u', 'C-l')
    await this.waitFor((s) => s.trim() === PROMPT.trim(), 'a clear prompt')
    this.text(line)
    await this.waitFor((s) => s.includes(line.trimEnd()), 'the typed line')
    for (let i = 0; i < tabs; i++) this.keys('Tab')
    return this.waitFor((s) => expected.test(s), `${expected} after TAB on '${line}'`)
  }

  /** Types `line`, presses TAB, then types Z: how long until the shell shows the Z (it answers again). */
  async tabThenType(line: string): Promise<number> {
    this.keys('C-u', 'C-l')
    await this.waitFor((s) => s.trim() === PROMPT.trim(), 'a clear prompt')
    this.text(line)
    await this.waitFor((s) => s.includes(line.trimEnd()), 'the typed line')
    this.keys('Tab')
    this.text('Z')
    return this.waitFor((s) => s.includes(`${line}Z`), `the shell to answer after TAB on '${line}'`)
  }

  kill(): void {
    spawnSync('tmux', ['-L', this.socket, 'kill-server'])
  }
}

// tmux's capture drops trailing blanks: a completed word shows as the end of its line.
const PROMPT = 'KT> '
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

describe.skipIf(!haveTmux)('interactive bash under tmux', () => {
  let shell: TmuxShell
  beforeAll(async () => {
    writeFileSync(join(work, 'bashrc'), `PS1='${PROMPT}'\neval "$(kafkit autocomplete bash)"\n`)
    shell = new TmuxShell(`bash --noprofile --rcfile ${join(work, 'bashrc')} -i`)
    await shell.waitFor((s) => s.includes(PROMPT.trim()), 'the bash prompt')
  })
  afterAll(() => shell?.kill())

  it('completes a topic from the broker on the line, and lists subcommands', async () => {
    await shell.complete(`kafkit consume -b ${bootstrap} ${topic.slice(0, -2)}`, new RegExp(`${escape(topic)}$`, 'm'))
    await shell.complete('kafkit topics de', /delete\s+describe/, 2)
  })

  it('an unreachable broker still completes --on-error values, within the bound', async () => {
    const ms = await shell.complete(`kafkit consume -b ${UNREACHABLE} --on-error sk`, /--on-error skip$/m)
    console.log(`bash under tmux, unreachable broker: TAB answered in ${ms} ms`)
    expect(ms).toBeLessThan(TAB_BOUND_MS)
  })
})

// zsh is installed by scripts/setup.sh --with-peers (npm test); without it these are skipped, saying so.
describe.skipIf(!haveZsh || !haveTmux)(`interactive zsh under tmux${haveZsh ? '' : ' (SKIPPED: zsh is not installed; apt-get install zsh)'}`, () => {
  let shell: TmuxShell
  beforeAll(async () => {
    const zdotdir = join(work, 'zsh')
    mkdirSync(zdotdir, {recursive: true})
    // The install line of kafkit autocomplete --help, in a .zshrc that has no compinit of its own.
    writeFileSync(join(zdotdir, '.zshrc'), `PS1='${PROMPT}'\nsource <(kafkit autocomplete zsh)\n`)
    shell = new TmuxShell(`env ZDOTDIR=${zdotdir} zsh -i`)
    await shell.waitFor((s) => s.includes(PROMPT.trim()), 'the zsh prompt')
  })
  afterAll(() => shell?.kill())

  it('completes subcommands, flags and enum values', async () => {
    await shell.complete('kafkit topics de', /delete.*\n?.*describe/)
    await shell.complete('kafkit consume --on-e', /kafkit consume --on-error$/m)
    await shell.complete('kafkit consume --on-error sk', /--on-error skip$/m)
    await shell.complete('kafkit consume x -o beg', /-o beginning$/m)
  })

  it('completes topics, partitions, groups, profiles, config keys and -X properties', async () => {
    await shell.complete(`kafkit consume -b ${bootstrap} ${topic.slice(0, -2)}`, new RegExp(`${escape(topic)}$`, 'm'))
    await shell.complete(`kafkit groups reset-offsets ${group} -b ${bootstrap} --topic ${topic}:`, new RegExp(`${escape(topic)}:0[\\s\\S]*${escape(topic)}:2`))
    await shell.complete(`kafkit groups describe -b ${bootstrap} ${group.slice(0, -2)}`, new RegExp(`${escape(group)}$`, 'm'))
    await shell.complete(`kafkit topics list --profile ${profile.slice(0, -3)}`, new RegExp(`${escape(profile)}$`, 'm'))
    await shell.complete(`kafkit topics alter ${topic} -b ${bootstrap} --config retention.m`, /--config retention\.ms=$/m)
    await shell.complete('kafkit consume x -X security.proto', /-X security\.protocol=$/m)
  })

  it('an unreachable broker still completes statically, within the bound, and prints nothing', async () => {
    const ms = await shell.complete(`kafkit consume -b ${UNREACHABLE} --on-error sk`, /--on-error skip$/m)
    // No topic to offer: the shell answers again at once, with no error text on the screen.
    const topicMs = await shell.tabThenType(`kafkit consume -b ${UNREACHABLE} -e `)
    expect(shell.screen().trim()).toBe(`${PROMPT}kafkit consume -b ${UNREACHABLE} -e Z`)
    console.log(`zsh under tmux, unreachable broker: TAB answered in ${ms} ms (enum value), ${topicMs} ms (topic)`)
    expect(ms).toBeLessThan(TAB_BOUND_MS)
    expect(topicMs).toBeLessThan(TAB_BOUND_MS)
  })
})

// fish's own completion engine, asked without a terminal (complete -C 'line').
describe.skipIf(!haveFish)(`fish completion${haveFish ? '' : ' (SKIPPED: fish is not installed; apt-get install fish)'}`, () => {
  async function fishOffers(line: string): Promise<string[]> {
    const {stdout} = await run('fish', ['--no-config', '-c', `source ${join(work, 'kafkit.fish')}; complete -C $argv[1]`, line], {env: shellEnv(), timeout: 20_000})
    return stdout.split('\n').filter(Boolean).map((l) => l.split('\t')[0]!)
  }

  it('completes subcommands, enum values, topics, partitions and -X values', async () => {
    expect(await fishOffers('kafkit topics de')).toEqual(['delete', 'describe'])
    expect(await fishOffers('kafkit consume --on-error=s')).toEqual(['--on-error=skip'])
    expect(await fishOffers(`kafkit consume -b ${bootstrap} ${topic.slice(0, -2)}`)).toEqual([topic])
    expect(await fishOffers(`kafkit groups reset-offsets ${group} -b ${bootstrap} --topic ${topic}:`)).toEqual([`${topic}:0`, `${topic}:1`, `${topic}:2`])
    expect(await fishOffers('kafkit consume x -X security.protocol=sasl_')).toEqual(['security.protocol=sasl_plaintext', 'security.protocol=sasl_ssl'])
    expect(await fishOffers(`kafkit consume -b ${UNREACHABLE} --on-error s`)).toEqual(['skip'])
  })
})
