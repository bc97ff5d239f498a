import {execFile, spawn} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'

import {afterAll, describe, expect, inject, it} from 'vitest'

import {createTopics} from './admin-client.js'
import {baseEnv, repoRoot, uniqueName} from './cli.js'

// kafkit installed the way Node CLIs are: `npm pack`, then `npm install -g` of that tarball into
// a fresh prefix. Its install step must build the three C extensions against the Kafka client it
// installed, so that the installed `kafkit` produces and consumes on its own. Slow (the client
// builds librdkafka from source), hence the long timeout.

const bootstrap = inject('bootstrap')
const run = promisify(execFile)
const work = mkdtempSync(join(tmpdir(), 'kafkit-package-'))
const prefix = join(work, 'prefix')
const INSTALL_TIMEOUT_MS = 20 * 60_000

/** The environment of an npm user: none of the npm_* variables of a test run started by npm. */
function userEnv(): NodeJS.ProcessEnv {
  const env = baseEnv({CKJS_LINKING: 'dynamic'})
  for (const key of Object.keys(env)) if (key.toLowerCase().startsWith('npm_')) delete env[key]
  // Node's headers from this machine rather than a download (as scripts/setup.sh does).
  if (existsSync('/usr/include/node/node_api.h')) env.npm_config_nodedir = '/usr'
  return env
}

function runInstalled(args: string[], input?: string): Promise<{stdout: string; stderr: string; exitCode: number | null}> {
  // Outside a test run: oclif looks for TypeScript (and warns) when NODE_ENV is not production-like.
  const env = baseEnv()
  delete env.NODE_ENV
  return new Promise((resolve, reject) => {
    const child = spawn(join(prefix, 'bin', 'kafkit'), args, {env, cwd: work})
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (d: Buffer) => out.push(d))
    child.stderr.on('data', (d: Buffer) => err.push(d))
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000)
    child.on('error', reject)
    child.on('close', (exitCode) => {
      clearTimeout(timer)
      resolve({stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), exitCode})
    })
    child.stdin.end(input)
  })
}

afterAll(() => rmSync(work, {recursive: true, force: true}))

/** The package's tarball, packed once. */
let tarball: Promise<string> | undefined
function pack(env: NodeJS.ProcessEnv): Promise<string> {
  tarball ??= run('npm', ['pack', '--json', '--pack-destination', work], {cwd: repoRoot, env, maxBuffer: 64 << 20}).then(
    ({stdout}) => join(work, (JSON.parse(stdout) as Array<{filename: string}>)[0]!.filename),
  )
  return tarball
}

describe('the npm package', () => {
  it(
    'installs from its tarball into a fresh prefix and produces and consumes',
    async () => {
      const env = userEnv()
      const tarball = await pack(env)

      const started = Date.now()
      await run('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball], {
        cwd: work,
        env,
        maxBuffer: 64 << 20,
        timeout: INSTALL_TIMEOUT_MS,
      })
      console.log(`kafkit package: npm install -g took ${((Date.now() - started) / 1000).toFixed(0)} s`)

      const installed = join(prefix, 'lib', 'node_modules', 'kafkit')
      for (const name of ['kafkit_admin', 'kafkit_produce', 'kafkit_consume']) {
        expect(existsSync(join(installed, 'native', 'build', 'Release', `${name}.node`)), name).toBe(true)
      }

      const topic = uniqueName('package')
      await createTopics(bootstrap, [topic])
      const produced = await runInstalled(['produce', topic, '-b', bootstrap], 'one\ntwo\nthree\n')
      expect(produced.stderr).toContain('delivered 3, failed 0')
      expect(produced.stderr).not.toMatch(/error|warning/i)
      expect(produced.exitCode).toBe(0)
      const consumed = await runInstalled(['consume', topic, '-b', bootstrap, '-e', '-f', '%v\n'])
      expect(consumed.exitCode).toBe(0)
      expect(consumed.stdout).toBe('one\ntwo\nthree\n')
      const listed = await runInstalled(['topics', 'list', '-b', bootstrap])
      expect(listed.stdout.split('\n')).toContain(topic)

      // The .proto parser (protobufjs, a dependency loaded outside the bundle) is found: a syntax
      // error is reported with its line before any registry is asked.
      const proto = join(work, 'bad.proto')
      writeFileSync(proto, 'syntax = "proto3";\nmessage M {\n  string s = ;\n}\n')
      const parsed = await runInstalled(['schemas', 'register', 's', '--file', proto, '-r', 'http://127.0.0.1:9'])
      expect(parsed.stderr).toMatch(/bad\.proto: not a valid \.proto file: .*line 3/)
      expect(parsed.exitCode).toBe(2)

      // Shell completion works from the installed package: the script, the completer it calls
      // (which asks the broker), and @oclif/plugin-autocomplete's own commands (the plugin loads).
      const script = await runInstalled(['autocomplete', 'bash'])
      expect(script.exitCode).toBe(0)
      expect(script.stdout).toContain('complete -F _kafkit_complete kafkit')
      const offered = await runInstalled(['__complete', 'zsh', '--', 'consume', '-b', bootstrap, topic.slice(0, -1)])
      expect(offered.stdout.split('\n')).toContain(topic)
      const plugin = await runInstalled(['autocomplete', 'script', 'bash'])
      expect(plugin.exitCode).toBe(0)
      expect(plugin.stdout).toContain('KAFKIT_AC_BASH_SETUP_PATH')

      // An extension gone missing: the error's hint is a command a package user can run as is.
      rmSync(join(installed, 'native', 'build', 'Release', 'kafkit_produce.node'))
      const broken = await runInstalled(['produce', topic, '-b', bootstrap], 'four\n')
      expect(broken.exitCode).toBe(9)
      expect(broken.stderr).toContain('kafkit native produce extension is not built')
      const hint = /hint: .*: (cd '.*' && npm run install)$/m.exec(broken.stderr)?.[1]
      expect(hint, broken.stderr).toBeDefined()
      await run('bash', ['-c', hint!], {env, maxBuffer: 64 << 20, timeout: 5 * 60_000})
      expect((await runInstalled(['produce', topic, '-b', bootstrap], 'four\n')).exitCode).toBe(0)
    },
    INSTALL_TIMEOUT_MS + 120_000,
  )

  it('stops at once, naming them, when Debian -dev packages are missing', async () => {
    // A dpkg that reports two of the packages as not installed.
    const bin = join(work, 'fake-dpkg')
    mkdirSync(bin, {recursive: true})
    writeFileSync(join(bin, 'dpkg-query'), `#!/bin/sh\ncase "$3" in libzstd-dev|liblz4-dev) exit 1;; *) printf 'install ok installed';; esac\n`)
    chmodSync(join(bin, 'dpkg-query'), 0o755)
    const env = userEnv()
    const tarball = await pack(env)
    env.PATH = `${bin}:${env.PATH}`
    const failed = await run('npm', ['install', '-g', '--prefix', join(work, 'prefix-missing'), '--prefer-offline', '--no-audit', '--no-fund', tarball], {
      cwd: work,
      env,
      maxBuffer: 64 << 20,
      timeout: INSTALL_TIMEOUT_MS,
    }).then(
      () => undefined,
      (error: unknown) => error as {code: number; stderr: string},
    )
    expect(failed).toBeDefined()
    expect(failed!.stderr).toContain('kafkit: cannot build: missing Debian packages: libzstd-dev liblz4-dev')
    expect(failed!.stderr).toContain('sudo apt-get install libzstd-dev liblz4-dev')
  }, INSTALL_TIMEOUT_MS)
})
