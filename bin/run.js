#!/usr/bin/env node
// kafkit's entry point. Scripts call kafkit thousands of times, so start-up time matters: the
// whole CLI (oclif, dependencies, every command) is one bundle, dist/kafkit.cjs (scripts/bundle.mjs),
// loaded through V8's code cache, so later runs skip parsing and compiling it.
import {createHash} from 'node:crypto'
import {mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import Module, {createRequire} from 'node:module'
import {homedir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import vm from 'node:vm'

// A closed pipe on stdout (`kafkit ... | head`) is a normal end, not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0)
  throw error
})

const bundleFile = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'kafkit.cjs')

function cacheFileFor(source) {
  if (process.env.KAFKIT_NO_CODE_CACHE === '1') return undefined
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache')
  // Valid only for this exact bundle on this exact Node (V8 also checks, and rejects a mismatch).
  const key = createHash('sha1').update(process.version).update(process.arch).update(source).digest('hex').slice(0, 16)
  return join(base, 'kafkit', 'v8', `kafkit-${key}.cache`)
}

/** Loads the bundle as require() would, but through vm.Script, so V8's code cache can be used. */
function loadBundle() {
  const source = readFileSync(bundleFile, 'utf8')
  const cacheFile = cacheFileFor(source)
  let cachedData
  try {
    if (cacheFile) cachedData = readFileSync(cacheFile)
  } catch {
    // no cache yet
  }
  const script = new vm.Script(Module.wrap(source), {
    filename: bundleFile,
    cachedData,
    // oclif loads hooks with import(); its specifiers are absolute file URLs.
    importModuleDynamically: (specifier) => import(specifier),
  })
  const bundle = new Module(bundleFile)
  bundle.filename = bundleFile
  bundle.paths = Module._nodeModulePaths(dirname(bundleFile))
  script.runInThisContext().call(bundle.exports, bundle.exports, createRequire(bundleFile), bundle, bundleFile, dirname(bundleFile))
  bundle.loaded = true
  // oclif loads its command target with require(): hand it this very module, not a second copy.
  Module._cache[bundleFile] = bundle
  const stale = cacheFile !== undefined && (cachedData === undefined || script.cachedDataRejected)
  return {cli: bundle.exports, saveCache: () => stale && writeCache(cacheFile, script)}
}

function writeCache(cacheFile, script) {
  try {
    mkdirSync(dirname(cacheFile), {recursive: true})
    const tmp = `${cacheFile}.${process.pid}.tmp`
    writeFileSync(tmp, script.createCachedData())
    renameSync(tmp, cacheFile)
  } catch {
    // A read-only home only costs speed.
  }
}

const {cli, saveCache} = loadBundle()
await cli.execute({dir: import.meta.url})
// Made after the command ran, the cache also holds the functions compiled on the way.
saveCache()

// The command is done. librdkafka may still hold a request that a fast failure abandoned, which
// would keep the process alive until its own timeout: exit once stdout and stderr have drained.
const drain = (stream) => new Promise((resolve) => (stream.writableLength === 0 ? resolve() : stream.write('', resolve)))
await Promise.all([drain(process.stdout), drain(process.stderr)])
process.exit()
