import {describe, expect, it} from 'vitest'

import {runKafkit} from './cli.js'

describe('the CLI surface', () => {
  it('--version names kafkit and its version', async () => {
    const result = await runKafkit(['--version'])
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toMatch(/^kafkit\/\d+\.\d+\.\d+ /)
  })

  it('--help lists the command topics with their descriptions', async () => {
    const result = await runKafkit(['--help'])
    expect(result.exitCode).toBe(0)
    for (const topic of ['topics', 'cluster', 'local', 'groups', 'offsets']) expect(result.stdout).toMatch(new RegExp(`^\\s+${topic}\\s+\\S`, 'm'))
  })

  it('a topic\'s --help lists its commands; a command\'s --help shows examples', async () => {
    const topic = await runKafkit(['topics', '--help'])
    expect(topic.stdout).toContain('topics list')
    expect(topic.stdout).toContain('topics create')
    const command = await runKafkit(['cluster', 'describe', '--help'])
    expect(command.stdout).toContain('EXAMPLES')
    expect(command.stdout).toContain('$ kafkit cluster describe')
  })

  it('an unknown command is a usage error with suggestions, one line each', async () => {
    const result = await runKafkit(['topics', 'lst'])
    expect(result.exitCode).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(/^error: unknown command 'topics lst'\nhint: did you mean: .*topics list/)
  })
})
