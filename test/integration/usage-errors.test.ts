import {describe, expect, it} from 'vitest'

import {closedAddress, runKafkit} from './cli.js'

// What a user sees for a flag value the parser refuses and for an unknown command: one line
// saying what is wrong (never oclif's bare "Parsing --flag"), exit 2, and under --json one JSON
// error object on stderr. No broker is needed: these fail before connecting.

describe('a refused flag value names the rule and the value', () => {
  it.each([
    [['topics', 'create', 't', '--partitions', '0'], '--partitions must be at least 1, got 0'],
    [['topics', 'create', 't', '--partitions', '-1'], '--partitions must be at least 1, got -1'],
    [['topics', 'alter', 't', '--partitions', '0'], '--partitions must be at least 1, got 0'],
    [['topics', 'create', 't', '--partitions', 'six'], "--partitions must be a whole number, got 'six'"],
    [['consume', 't', '-c', '-1'], '--count must be at least 0, got -1'],
    [['produce', 't', '--partition', '-1'], '--partition must be at least 0, got -1'],
    [['consume', 't', '--on-error', 'bogus'], "invalid --on-error 'bogus'"],
    [['consume', 't', '--isolation-level', 'bogus'], "invalid --isolation-level 'bogus'"],
    // (oclif's argv would give a, a, b here: the words are read as typed.)
    [['pipe', 'a', 'b', 'a', '-g', 'g'], "the destination 'a' is also a source: the pipe would read its own output"],
    [['pipe', 'orders', '--pattern', 'ord.*', '-g', 'g'], "the destination 'orders' is also a source: the pipe would read its own output"],
  ])('%j', async (args, message) => {
    const result = await runKafkit([...args, '-b', await closedAddress()])
    expect(result.exitCode).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr.split('\n')[0]).toBe(`error: ${message}`)
    expect(result.stderr).not.toContain('Parsing --')
  })

  it('an option names the choices; under --json the same as one JSON object', async () => {
    const plain = await runKafkit(['consume', 't', '--isolation-level', 'bogus', '-b', await closedAddress()])
    expect(plain.stderr).toBe("error: invalid --isolation-level 'bogus'\nhint: choose one of: read_committed, read_uncommitted\n")
    const json = await runKafkit(['topics', 'create', 't', '--partitions', '0', '--json', '-b', await closedAddress()])
    expect(json.exitCode).toBe(2)
    expect(JSON.parse(json.stderr)).toMatchObject({error: {code: 'usage', message: '--partitions must be at least 1, got 0', exitCode: 2}})
  })
})

describe('an unknown command', () => {
  it('piped: plain error and hint lines, no colour, exit 2', async () => {
    const result = await runKafkit(['topics', 'lst'])
    expect(result.exitCode).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(/^error: unknown command 'topics lst'\nhint: did you mean: .*topics list.*see all commands with: kafkit --help\n$/)
  })

  it('arguments after it are not part of the name, and the nearest subcommand is suggested', async () => {
    const result = await runKafkit(['topics', 'descrbe', 'orders'])
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toBe("error: unknown command 'topics descrbe'\nhint: did you mean: topics describe? see all commands with: kafkit --help\n")
  })

  it('coloured like every other error when colour is forced', async () => {
    const result = await runKafkit(['topcs'], {env: {FORCE_COLOR: '1'}})
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain('\u001B[31merror:\u001B[39m unknown command')
  })

  it('--json: one JSON error object on stderr, nothing on stdout', async () => {
    const result = await runKafkit(['topics', 'lst', '--json'])
    expect(result.exitCode).toBe(2)
    expect(result.stdout).toBe('')
    const error = JSON.parse(result.stderr)
    expect(error).toMatchObject({error: {code: 'usage', message: "unknown command 'topics lst'", exitCode: 2}})
    expect(error.error.hint).toContain('topics list')
  })
})
