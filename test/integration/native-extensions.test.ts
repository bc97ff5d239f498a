import {describe, expect, inject, it} from 'vitest'

import {loadExtension} from '../../src/lib/native/load.js'
import {runKafkit, uniqueName} from './cli.js'

// kafkit's three C extensions as built: they speak this code's contract, and a client property
// they reject never brings its value into the error (a secret typed into the wrong property, or
// next to a bad one, must not reach the terminal or a CI log).

const bootstrap = inject('bootstrap')
const SECRET = 'hunter2-secret'

describe('native extensions', () => {
  it('the built extensions pass the contract check', () => {
    for (const name of ['admin', 'produce', 'consume'] as const) {
      expect((loadExtension<{versions(): {librdkafka: string}}>(name)).versions().librdkafka).toMatch(/^\d+\.\d+\.\d+/)
    }
  })

  const topic = uniqueName('native-secret')
  const commands: Array<[string, string[], string | undefined]> = [
    ['produce', ['produce', topic], 'a\n'],
    ['consume', ['consume', topic, '-e', '-f', '%v\n'], undefined],
    ['topics list', ['topics', 'list'], undefined],
  ]

  it.each(commands)('%s: a secret beside a bad -X value stays out of the error', async (_name, args, input) => {
    const result = await runKafkit(
      [...args, '-b', bootstrap, '-X', `sasl.password=${SECRET}`, '-X', 'sasl.mechanism=PLAIN', '-X', `security.protocol=${SECRET}`],
      {input},
    )
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toMatch(/security\.protocol/)
    expect(result.stdout + result.stderr).not.toContain('hunter2')
  })

  it.each(commands)('%s: the same under --json', async (_name, args, input) => {
    const result = await runKafkit([...args, '--json', '-b', bootstrap, '-X', `sasl.password=${SECRET}`, '-X', 'no.such.property=1', '-X', `ssl.key.password=${SECRET}`], {input})
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toMatch(/no\.such\.property/)
    expect(result.stdout + result.stderr).not.toContain('hunter2')
  })

  it.each(commands)('%s: a value the client rejects is not echoed, whatever its property', async (_name, args, input) => {
    const result = await runKafkit([...args, '-b', bootstrap, '-X', `security.protocol=${SECRET}`], {input})
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toMatch(/security\.protocol/)
    expect(result.stderr).not.toContain('hunter2')
  })

  it('produce: the config builder names the property in one line', async () => {
    const result = await runKafkit(['produce', topic, '-b', bootstrap, '-X', `security.protocol=${SECRET}`], {input: 'a\n'})
    expect(result.stderr).toMatch(/^error: invalid client property 'security\.protocol'/m)
  })
})
