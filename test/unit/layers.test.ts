import {readdirSync, readFileSync, statSync} from 'node:fs'
import {dirname, join, relative, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

import {describe, expect, it} from 'vitest'

// The layer rules of src/README.md, checked on the source text and the import graph, so a change
// that breaks one fails here instead of waiting for a reader to notice.

const src = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src')

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return path.endsWith('.ts') ? [path] : []
  })
}

const files = sourceFiles(src).map((path) => ({path: relative(src, path), text: readFileSync(path, 'utf8')}))

/** Code without comments, so a rule is not broken by a sentence that mentions process.stdout. */
const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1')

/** The src-relative files a file imports (relative imports only). */
function importsOf(file: {path: string; text: string}): string[] {
  const out: string[] = []
  for (const match of file.text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'(\.[^']+)'/gm)) {
    out.push(relative(src, resolve(src, dirname(file.path), match[1]!)).replace(/\.js$/, '.ts'))
  }
  return out
}

const under = (folder: string) => files.filter((f) => f.path.startsWith(folder))
const offenders = (chosen: typeof files, test: (f: (typeof files)[number]) => boolean) => chosen.filter(test).map((f) => f.path)

describe('layers', () => {
  it('finds the source tree', () => {
    expect(files.length).toBeGreaterThan(50)
    expect(under('commands/').length).toBeGreaterThan(10)
  })

  it('the Kafka core never prints, reads the environment or imports the output layer', () => {
    const core = under('lib/kafka/')
    expect(offenders(core, (f) => /process\.(stdout|stderr|stdin|env)\b|console\./.test(code(f.text)))).toEqual([])
    expect(offenders(core, (f) => importsOf(f).some((i) => i.startsWith('lib/output/') || i.startsWith('commands/')))).toEqual([])
  })

  it('records/ is below the core and the output layer: it imports neither', () => {
    expect(offenders(under('lib/records/'), (f) => importsOf(f).some((i) => i.startsWith('lib/output/') || i.startsWith('lib/kafka/')))).toEqual([])
  })

  it('the output and input layers do not reach into the Kafka core', () => {
    const io = [...under('lib/output/'), ...under('lib/input/')]
    expect(offenders(io, (f) => importsOf(f).some((i) => i.startsWith('lib/kafka/')))).toEqual([])
  })

  it('commands do no I/O of their own, never handle signals and never decide the exit', () => {
    const commands = under('commands/')
    expect(offenders(commands, (f) => /process\.(stdout|stderr|stdin|on|once|exit|exitCode)\b|console\./.test(code(f.text)))).toEqual([])
    expect(offenders(commands, (f) => /from '(node:)?(fs|fs\/promises|readline)'/.test(f.text))).toEqual([])
    expect(offenders(commands, (f) => f.text.includes('@confluentinc/kafka-javascript'))).toEqual([])
  })

  it('signal handlers live in signals.ts; the exit code is set in one place', () => {
    expect(offenders(files, (f) => /process\.(on|once)\(/.test(code(f.text)))).toEqual(['lib/signals.ts'])
    expect(offenders(files, (f) => /process\.exitCode\s*=/.test(code(f.text)))).toEqual(['lib/base-command.ts'])
  })

  it('exit codes 130 and 143 are written down only in errors.ts', () => {
    expect(offenders(files, (f) => /\b(130|143)\b/.test(code(f.text).replace(/'[^'\n]*'|`[^`]*`|"[^"\n]*"/g, '')))).toEqual(['lib/errors.ts'])
  })
})
