// Bundles kafkit (oclif, its dependencies and every command) into one CommonJS file,
// dist/kafkit.cjs, exporting `execute` and `COMMANDS` (oclif's "explicit" command discovery).
// It is the one build output (tsc only type-checks), with dist/yaml.cjs (below): the CLI, the
// tests and the benches all run it.
// Why: loading ~200 small modules costs more start-up time than everything else a command does;
// one file, plus the V8 code cache bin/run.cjs keeps for it, makes `kafkit topics list` start
// about as fast as Node allows. Native and rarely used modules stay outside and load on demand.
import {readdirSync, readFileSync, rmSync, statSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'

import {build} from 'esbuild'

const root = join(fileURLToPath(import.meta.url), '..', '..')
const commandsDir = join(root, 'src', 'commands')

function commandFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return commandFiles(path)
    return path.endsWith('.ts') && !path.endsWith('.d.ts') && !path.endsWith('.test.ts') ? [path] : []
  })
}

// The oclif id of src/commands/topics/list.ts is topics:list (index.ts names its folder).
const commands = commandFiles(commandsDir)
  .sort()
  .map((file, i) => ({
    file,
    name: `Command${i}`,
    id: relative(commandsDir, file).replace(/\.ts$/, '').split('/').filter((part) => part !== 'index').join(':'),
  }))

const entry = [
  "export {execute} from '@oclif/core'",
  "export {default as commandNotFound} from './hooks/command-not-found.js'",
  // The benches (bench/*.sh) find the broker's jars through the bundle too: it is the one build output.
  "export {resolveKafkaLibs} from './lib/local/kafka-libs.js'",
  ...commands.map((c) => `import ${c.name} from './${relative(join(root, 'src'), c.file).replace(/\.ts$/, '.js')}'`),
  'export const COMMANDS = {',
  ...commands.map((c) => `  '${c.id}': ${c.name},`),
  '}',
].join('\n')

// oclif sorts its commands with localeCompare on every start; the first call initialises ICU's
// collator (~6 ms, more than anything else oclif does for `kafkit --version`). Command ids are
// ASCII, so ordinal order is the same order.
const oclifOrdinalSort = {
  name: 'oclif-ordinal-sort',
  setup(build) {
    build.onLoad({filter: /@oclif[/\\]core[/\\]lib[/\\]config[/\\]plugin\.js$/}, (args) => {
      const source = readFileSync(args.path, 'utf8')
      const slow = '.sort((a, b) => a.id.localeCompare(b.id))'
      if (!source.includes(slow)) throw new Error(`${args.path}: the command sort to patch has changed (oclif upgraded?): update scripts/bundle.mjs`)
      return {contents: source.replace(slow, '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))'), loader: 'js'}
    })
  },
}

// bin/run.cjs runs the bundle through vm.Script with V8's code cache, where Node 20 has no
// dynamic import(). oclif loads a plugin's ES module commands (@oclif/plugin-autocomplete's) with
// import(): route those through the function bin/run.cjs provides, which imports as Node does.
const oclifPluginImport = {
  name: 'oclif-plugin-import',
  setup(build) {
    build.onLoad({filter: /@oclif[/\\]core[/\\]lib[/\\]module-loader\.js$/}, (args) => {
      const source = readFileSync(args.path, 'utf8')
      const dynamicImport = 'await import((0, node_url_1.pathToFileURL)(filePath).href)'
      if (!source.includes(dynamicImport)) throw new Error(`${args.path}: the import() to patch has changed (oclif upgraded?): update scripts/bundle.mjs`)
      return {contents: source.replaceAll(dynamicImport, "await globalThis[Symbol.for('kafkit.import')]((0, node_url_1.pathToFileURL)(filePath).href)"), loader: 'js'}
    })
  },
}

// Whatever else dist/ holds (the JavaScript tree tsc used to emit) is stale by definition.
rmSync(join(root, 'dist'), {recursive: true, force: true})

await build({
  plugins: [oclifOrdinalSort, oclifPluginImport],
  stdin: {contents: entry, resolveDir: join(root, 'src'), sourcefile: 'commands-index.ts', loader: 'ts'},
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  outfile: join(root, 'dist', 'kafkit.cjs'),
  // Native code and what only some commands need stay in node_modules, loaded when used.
  external: ['@confluentinc/kafka-javascript', '@confluentinc/schemaregistry', 'protobufjs', 'cli-table3', 'yaml', '@inquirer/prompts', 'typescript', 'ts-node', 'tsx'],
  // The sources are ESM and find files relative to import.meta.url; in the CJS bundle that is the bundle's own URL.
  define: {'import.meta.url': '__kafkitBundleUrl', 'import.meta.dirname': '__dirname'},
  banner: {js: "const __kafkitBundleUrl = require('node:url').pathToFileURL(__filename).href;"},
  // Less source to read and hold; names are kept because oclif and error handling look at them.
  minify: true,
  keepNames: true,
  logLevel: 'warning',
  legalComments: 'none',
})
// The YAML parser (profiles in config.yaml), loaded only when a config file exists, as one file:
// the package's 72 modules, each resolved and compiled on its own, cost ~3 MB of peak memory.
await build({
  entryPoints: [createRequire(import.meta.url).resolve('yaml')],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  outfile: join(root, 'dist', 'yaml.cjs'),
  minify: true,
  logLevel: 'warning',
  legalComments: 'none',
})
// The Schema Registry libraries (src/lib/registry/library.ts), loaded by the registry commands
// only, as one file that bin/run.cjs keeps a V8 code cache for: from node_modules they are
// hundreds of modules (axios, joi ...) costing ~0.15-0.25 s of every registry command's start.
// Each part is required on first use (esbuild runs a module's code only when it is required).
const registryParts = {
  client: '@confluentinc/schemaregistry/dist/schemaregistry-client.js',
  rest: '@confluentinc/schemaregistry/dist/rest-service.js',
  serde: '@confluentinc/schemaregistry/dist/serde/serde.js',
  avro: '@confluentinc/schemaregistry/dist/serde/avro.js',
  protobuf: '@confluentinc/schemaregistry/dist/serde/protobuf.js',
  json: '@confluentinc/schemaregistry/dist/serde/json.js',
  avsc: 'avsc',
  bufbuild: '@bufbuild/protobuf',
  bufbuildWkt: '@bufbuild/protobuf/wkt',
}
// avsc and @bufbuild/protobuf as the serdes resolve them: the very copies the serdes use.
const serdesDir = dirname(createRequire(import.meta.url).resolve(registryParts.serde))
await build({
  stdin: {
    contents: `module.exports = {${Object.entries(registryParts)
      .map(([name, path]) => `get ${name}() { return require(${JSON.stringify(path)}) }`)
      .join(', ')}}`,
    resolveDir: serdesDir,
    sourcefile: 'schemaregistry-index.js',
    loader: 'js',
  },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  outfile: join(root, 'dist', 'schemaregistry.cjs'),
  minify: true,
  keepNames: true,
  logLevel: 'warning',
  legalComments: 'none',
})
process.stderr.write(`bundle: ${commands.length} commands -> dist/kafkit.cjs (+ dist/yaml.cjs, dist/schemaregistry.cjs)\n`)
