#!/usr/bin/env node
// kafkit's entry point. Start-up time matters to scripts that call kafkit thousands of times, so
// it loads the whole CLI from one bundle (dist/kafkit.cjs, built by scripts/bundle.mjs) with a
// V8 code cache: the second run on a machine skips parsing and compiling it.
'use strict'
const fs = require('node:fs')
const path = require('node:path')
const Module = require('node:module')
const vm = require('node:vm')

// A closed pipe on stdout (`kafkit ... | head`) is a normal end, not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0)
  throw error
})

const bundleFile = path.join(__dirname, '..', 'dist', 'kafkit.cjs')

function cacheFileFor(source) {
  if (process.env.KAFKIT_NO_CODE_CACHE === '1') return undefined
  const base = process.env.XDG_CACHE_HOME || path.join(require('node:os').homedir(), '.cache')
  // The cache is only valid for this exact bundle and this exact Node/V8.
  const key = require('node:crypto').createHash('sha1').update(process.version).update(process.arch).update(source).digest('hex').slice(0, 16)
  return path.join(base, 'kafkit', 'v8', `kafkit-${key}.cache`)
}

/** Loads the bundle like require() would, but through vm.Script so V8's code cache can be used. */
function loadBundle() {
  const source = fs.readFileSync(bundleFile, 'utf8')
  const cacheFile = cacheFileFor(source)
  let cachedData
  try {
    if (cacheFile) cachedData = fs.readFileSync(cacheFile)
  } catch {}
  const script = new vm.Script(Module.wrap(source), {filename: bundleFile, cachedData, importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER})
  const bundle = new Module(bundleFile, module)
  bundle.filename = bundleFile
  bundle.paths = Module._nodeModulePaths(path.dirname(bundleFile))
  script.runInThisContext().call(bundle.exports, bundle.exports, Module.createRequire(bundleFile), bundle, bundleFile, path.dirname(bundleFile))
  bundle.loaded = true
  // oclif loads its command target with require(): hand it this very module instead of a second copy.
  Module._cache[bundleFile] = bundle
  const needsCache = cacheFile && (cachedData === undefined || script.cachedDataRejected)
  return {exports: bundle.exports, saveCache: needsCache ? () => writeCache(cacheFile, script) : () => {}}
}

function writeCache(cacheFile, script) {
  try {
    fs.mkdirSync(path.dirname(cacheFile), {recursive: true})
    const tmp = `${cacheFile}.${process.pid}.tmp`
    fs.writeFileSync(tmp, script.createCachedData())
    fs.renameSync(tmp, cacheFile)
  } catch {
    // A read-only home only costs speed.
  }
}

async function main() {
  const {exports, saveCache} = loadBundle()
  await exports.execute({dir: __filename})
  // Made after the command ran, the cache also holds the functions it compiled on the way.
  saveCache()
  // The command is done. librdkafka may still hold a request that a fast failure abandoned, which
  // would keep the process alive until its own timeout: exit once stdout and stderr have drained.
  const drain = (stream) => new Promise((resolve) => (stream.writableLength === 0 ? resolve() : stream.write('', resolve)))
  await Promise.all([drain(process.stdout), drain(process.stderr)])
  process.exit()
}

main()
