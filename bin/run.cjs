#!/usr/bin/env node
// kafkit's entry point. Scripts call kafkit thousands of times, so start-up time matters: the
// whole CLI (oclif, dependencies, every command) is one bundle, dist/kafkit.cjs (scripts/bundle.mjs),
// loaded through V8's code cache, so later runs skip parsing and compiling it.
// CommonJS on purpose: Node's ES module loader would add ~6 ms to every start.
'use strict'
const {mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync} = require('node:fs')
const Module = require('node:module')
const {createRequire} = Module
const {homedir} = require('node:os')
const {dirname, join} = require('node:path')
const vm = require('node:vm')

// A closed pipe on stdout (`kafkit ... | head`) is a normal end, not an error: exit 0 at once,
// unless the running command registered a handler (src/lib/output/stdout-closed.ts).
process.stdout.on('error', (error) => {
  if (error.code !== 'EPIPE') throw error
  const handler = globalThis[Symbol.for('kafkit.stdoutClosed')]
  if (typeof handler === 'function') handler()
  else process.exit(0)
})

const bundleFile = join(__dirname, '..', 'dist', 'kafkit.cjs')

// The bundle's import(): code run from V8's code cache cannot import() on Node 20, so oclif's
// loading of a plugin's ES modules comes here (scripts/bundle.mjs routes it).
globalThis[Symbol.for('kafkit.import')] = (url) => import(url)

function cacheFileFor(stat) {
  if (process.env.KAFKIT_NO_CODE_CACHE === '1') return undefined
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache')
  // One cache per bundle build and Node version (V8 also checks, and rejects a mismatch). Named by
  // the bundle's size and mtime rather than a content hash: hashing would load crypto and read it twice.
  const key = `${process.version}-${process.arch}-${stat.size.toString(36)}-${Math.trunc(stat.mtimeMs).toString(36)}`
  return join(base, 'kafkit', 'v8', `kafkit-${key}.cache`)
}

/** Loads the bundle as require() would, but through vm.Script, so V8's code cache can be used. */
function loadBundle() {
  const source = readFileSync(bundleFile, 'utf8')
  const cacheFile = cacheFileFor(statSync(bundleFile))
  let cachedData
  try {
    if (cacheFile) cachedData = readFileSync(cacheFile)
  } catch {
    // no cache yet
  }
  // No dynamic import() works in code from the cache (Node 20 has no loader for it without a flag):
  // the bundle uses require() throughout, hooks included.
  const script = new vm.Script(Module.wrap(source), {filename: bundleFile, cachedData})
  const bundle = new Module(bundleFile)
  bundle.filename = bundleFile
  bundle.paths = Module._nodeModulePaths(dirname(bundleFile))
  script.runInThisContext().call(bundle.exports, bundle.exports, createRequire(bundleFile), bundle, bundleFile, dirname(bundleFile))
  bundle.loaded = true
  // oclif loads its command target with require(): hand it this very module, not a second copy.
  Module._cache[bundleFile] = bundle
  let stale = cacheFile !== undefined && (cachedData === undefined || script.cachedDataRejected)
  const saveCache = () => {
    if (stale) writeCache(cacheFile, script)
    stale = false
  }
  // V8 stamps a code cache with its flags, and rejects it under others. A command about to change
  // them (src/lib/native/optimizing-compiler.ts) calls this first: the cache is saved now, with
  // the default flags every start has, and not after the command (it would never be accepted).
  globalThis[Symbol.for('kafkit.beforeV8FlagsChange')] = saveCache
  return {cli: bundle.exports, saveCache}
}

/** Code caches kept: one per build and Node version, so each new build (or upgrade) adds one. */
const CACHES_KEPT = 8

function writeCache(cacheFile, script) {
  try {
    mkdirSync(dirname(cacheFile), {recursive: true})
    const tmp = `${cacheFile}.${process.pid}.tmp`
    writeFileSync(tmp, script.createCachedData())
    renameSync(tmp, cacheFile)
    pruneCaches(dirname(cacheFile))
  } catch {
    // A read-only home only costs speed.
  }
}

/** Keeps the newest caches (another installed build may still use one); written rarely, so pruned then. */
function pruneCaches(dir) {
  const caches = readdirSync(dir)
    .filter((name) => /^kafkit-.*\.cache$/.test(name))
    .map((name) => ({path: join(dir, name), mtimeMs: statSync(join(dir, name)).mtimeMs}))
    .sort((a, b) => b.mtimeMs - a.mtimeMs)
  for (const old of caches.slice(CACHES_KEPT)) rmSync(old.path, {force: true})
}

// @oclif/plugin-autocomplete (its `autocomplete script|create` plumbing, docs/completion.md) is
// loaded for `kafkit autocomplete ...` only: on every start it cost ~1.3 MB of memory, and its
// module resolution could make V8 optimize Node's path functions (~3 MB more) in any command.
function loadOptions() {
  const autocomplete = process.argv[2] === 'autocomplete'
  return {root: __filename, pluginAdditions: autocomplete ? {core: ['@oclif/plugin-autocomplete']} : undefined}
}

async function main() {
  const {cli, saveCache} = loadBundle()
  await cli.execute({loadOptions: loadOptions()})
  // Made after the command ran, the cache also holds the functions compiled on the way.
  saveCache()
  // The command is done. librdkafka may still hold a request that a fast failure abandoned, which
  // would keep the process alive until its own timeout: exit once stdout and stderr have drained.
  const drain = (stream) => new Promise((resolve) => (stream.writableLength === 0 ? resolve() : stream.write('', resolve)))
  await Promise.all([drain(process.stdout), drain(process.stderr)])
  process.exit()
}

main()
