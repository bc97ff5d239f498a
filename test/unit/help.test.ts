import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

// Every command's --help must say what it does and show real examples; every topic has a
// description for `kafkit <topic> --help`. Read from the built manifest, so new commands are covered.
const root = join(import.meta.dirname, '..', '..')
const manifest = JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8')) as {
  commands: Record<string, {summary?: string; description?: string; examples?: Array<string | {command: string}>}>
}
const pjson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {oclif: {topics: Record<string, {description: string}>}}

describe('help', () => {
  const ids = Object.keys(manifest.commands)

  it('the manifest lists commands', () => {
    expect(ids.length).toBeGreaterThan(0)
  })

  it.each(ids)('%s has a summary and at least one example that runs kafkit', (id) => {
    const command = manifest.commands[id]!
    expect((command.summary ?? command.description ?? '').length).toBeGreaterThan(10)
    expect(command.examples?.length ?? 0).toBeGreaterThan(0)
    for (const example of command.examples ?? []) {
      const text = typeof example === 'string' ? example : example.command
      expect(text).toContain('<%= config.bin %> ')
    }
  })

  it('every command topic has a description', () => {
    const topics = new Set(ids.filter((id) => id.includes(':')).map((id) => id.split(':')[0]!))
    for (const topic of topics) expect(pjson.oclif.topics[topic]?.description, topic).toBeTruthy()
  })
})
