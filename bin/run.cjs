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
const {basename, dirname, join} = require('node:path')
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

function cacheFileFor(file, stat) {
  if (process.env.KAFKIT_NO_CODE_CACHE === '1') return undefined
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache')
  // One cache per bundle build and Node version (V8 also checks, and rejects a mismatch). Named by
  // the bundle's size and mtime rather than a content hash: hashing would load crypto and read it twice.
  const key = `${process.version}-${process.arch}-${stat.size.toString(36)}-${Math.trunc(stat.mtimeMs).toString(36)}`
  const name = file === bundleFile ? 'kafkit' : basename(file, '.cjs')
  return join(base, 'kafkit', 'v8', `${name}-${key}.cache`)
}

// The files loaded through the code cache, each saved once the command ran (or before V8's flags change).
const loaded = []

/** Loads a CommonJS file as require() would, but through vm.Script, so V8's code cache can be used. */
function loadCached(file) {
  const source = readFileSync(file, 'utf8')
  const cacheFile = cacheFileFor(file, statSync(file))
  let cachedData
  try {
    if (cacheFile) cachedData = readFileSync(cacheFile)
  } catch {
    // no cache yet
  }
  // No dynamic import() works in code from the cache (Node 20 has no loader for it without a flag):
  // the bundles use require() throughout, hooks included.
  const script = new vm.Script(Module.wrap(source), {filename: file, cachedData})
  const loadedModule = new Module(file)
  loadedModule.filename = file
  loadedModule.paths = Module._nodeModulePaths(dirname(file))
  // (Registered first: oclif loads its command target with require(), and must get this very module.)
  Module._cache[file] = loadedModule
  script.runInThisContext().call(loadedModule.exports, loadedModule.exports, createRequire(file), loadedModule, file, dirname(file))
  loadedModule.loaded = true
  loaded.push({cacheFile, script, stale: cacheFile !== undefined && (cachedData === undefined || script.cachedDataRejected)})
  return loadedModule.exports
}

/** Saves the code caches not saved yet. Made after the command ran, a cache also holds the functions compiled on the way. */
function saveCaches() {
  for (const entry of loaded) {
    if (entry.stale) writeCache(entry.cacheFile, entry.script)
    entry.stale = false
  }
}

// V8 stamps a code cache with its flags, and rejects it under others. A command about to change
// them (src/lib/native/optimizing-compiler.ts) calls this first: the caches are saved now, with
// the default flags every start has, and not after the command (they would never be accepted).
globalThis[Symbol.for('kafkit.beforeV8FlagsChange')] = saveCaches

// Other packed files beside the bundle (dist/schemaregistry.cjs: src/lib/registry/library.ts)
// load through the code cache too; undefined when the file is not there.
globalThis[Symbol.for('kafkit.requireCached')] = (file) => {
  try {
    statSync(file)
  } catch {
    return undefined
  }
  return Module._cache[file]?.exports ?? loadCached(file)
}

/** Code caches kept: one per build and Node version, so each new build (or upgrade) adds one. */
const CACHES_KEPT = 8

function writeCache(cacheFile, script) {
  try {
    mkdirSync(dirname(cacheFile), {recursive: true})
    const tmp = `${cacheFile}.${process.pid}.tmp`
    writeFileSync(tmp, script.createCachedData())
    renameSync(tmp, cacheFile)
    pruneCaches(dirname(cacheFile), basename(cacheFile).split('-')[0])
  } catch {
    // A read-only home only costs speed.
  }
}

/** Keeps the newest caches of a file (another installed build may still use one); written rarely, so pruned then. */
function pruneCaches(dir, name) {
  const caches = readdirSync(dir)
    .filter((file) => file.startsWith(`${name}-`) && file.endsWith('.cache'))
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
  const cli = loadCached(bundleFile)
  await cli.execute({loadOptions: loadOptions()})
  saveCaches()
  // The command is done. librdkafka may still hold a request that a fast failure abandoned, which
  // would keep the process alive until its own timeout: exit once stdout and stderr have drained.
  const drain = (stream) => new Promise((resolve) => (stream.writableLength === 0 ? resolve() : stream.write('', resolve)))
  await Promise.all([drain(process.stdout), drain(process.stderr)])
  process.exit()
}

main()
