import {execFile} from 'node:child_process'
import {promisify} from 'node:util'

import {describe, expect, inject, it} from 'vitest'

import {kafkaClasspath} from './apache.js'
import {runKafkit, stripAnsi, uniqueName} from './cli.js'

const bootstrap = inject('bootstrap')

async function create(...topics: string[]): Promise<void> {
  const result = await runKafkit(['topics', 'create', ...topics, '-b', bootstrap])
  expect(result.exitCode).toBe(0)
}

const existing = async (pattern: string) => {
  const result = await runKafkit(['topics', 'list', '-b', bootstrap, pattern])
  return result.stdout.split('\n').filter(Boolean)
}

/** Topic names as Apache TopicCommand --list reports them (the reference the delete is checked with). */
async function apacheList(): Promise<string[]> {
  const {stdout} = await promisify(execFile)('java', ['-cp', await kafkaClasspath(), 'org.apache.kafka.tools.TopicCommand', '--bootstrap-server', bootstrap, '--list'], {timeout: 30_000})
  return stdout.split('\n').filter(Boolean)
}

const escape = (text: string) => text.replaceAll('.', '\\.').replaceAll('-', '\\-')

describe('topics delete', () => {
  it('piped: deletes without asking, one row per topic', async () => {
    const prefix = uniqueName('tdel')
    await create(`${prefix}.a`, `${prefix}.b`, `${prefix}.keep`)
    const result = await runKafkit(['topics', 'delete', `${prefix}.a`, `${prefix}.b`, '-b', bootstrap])
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toBe(`${prefix}.a\tdeleted\t\n${prefix}.b\tdeleted\t\n`)
    // Right after the command returns, Apache's own tool no longer sees them.
    expect((await apacheList()).filter((name) => name.startsWith(prefix))).toEqual([`${prefix}.keep`])
  })

  it('a missing topic fails its row (exit 5 alone, 6 with others); --if-exists accepts it', async () => {
    const prefix = uniqueName('tdel-missing')
    await create(`${prefix}.a`)
    const alone = await runKafkit(['topics', 'delete', `${prefix}.none`, '-b', bootstrap])
    expect(alone.exitCode).toBe(5)
    expect(alone.stderr).toContain(`topic ${prefix}.none: the topic or partition does not exist`)

    const mixed = await runKafkit(['topics', 'delete', `${prefix}.a`, `${prefix}.none`, '-b', bootstrap, '--json'])
    expect(mixed.exitCode).toBe(6)
    expect(JSON.parse(mixed.stdout)).toMatchObject([
      {name: `${prefix}.a`, status: 'deleted'},
      {name: `${prefix}.none`, status: 'failed', error: {code: 'not_found', kafkaCode: 'UNKNOWN_TOPIC_OR_PART', exitCode: 5}},
    ])
    expect(JSON.parse(mixed.stderr)).toMatchObject({error: {code: 'partial', exitCode: 6}})

    const tolerant = await runKafkit(['topics', 'delete', `${prefix}.none`, '-b', bootstrap, '--if-exists', '--json'])
    expect(tolerant.exitCode).toBe(0)
    expect(JSON.parse(tolerant.stdout)).toEqual([{name: `${prefix}.none`, status: 'absent'}])
  })

  it('internal topics are refused', async () => {
    const result = await runKafkit(['topics', 'delete', '__consumer_offsets', '-b', bootstrap, '--yes'])
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain('topic __consumer_offsets: internal topics are never deleted')
  })

  it('--pattern needs --yes without a terminal; with --yes it deletes exactly the matches', async () => {
    const prefix = uniqueName('tdel-pat')
    await create(`${prefix}.x1`, `${prefix}.x2`, `${prefix}.y`)
    const pattern = `${escape(prefix)}\\.x.*`
    const refused = await runKafkit(['topics', 'delete', '--pattern', pattern, '-b', bootstrap])
    expect(refused.exitCode).toBe(2)
    expect(refused.stderr).toContain('a --pattern delete needs --yes')
    expect(await existing(`${escape(prefix)}\\..*`)).toHaveLength(3)

    const result = await runKafkit(['topics', 'delete', '--pattern', pattern, '--yes', '-b', bootstrap])
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toBe(`${prefix}.x1\tdeleted\t\n${prefix}.x2\tdeleted\t\n`)
    expect(await existing(`${escape(prefix)}\\..*`)).toEqual([`${prefix}.y`])

    const none = await runKafkit(['topics', 'delete', '--pattern', pattern, '--yes', '-b', bootstrap])
    expect(none.exitCode).toBe(5)
    expect((await runKafkit(['topics', 'delete', '--pattern', pattern, '--yes', '--if-exists', '-b', bootstrap])).exitCode).toBe(0)
  })

  it('on a terminal: lists what will go and asks; "n" keeps the topic, "y" deletes it', async () => {
    const topic = uniqueName('tdel-tty')
    await create(topic)
    const declined = await runKafkit(['topics', 'delete', topic, '-b', bootstrap], {tty: true, input: 'n\n'})
    const declinedText = stripAnsi(declined.stdout)
    expect(declinedText).toContain(`This topic and all its records will be deleted:\n  ${topic}\n`)
    expect(declinedText).toContain('Delete it?')
    expect(declinedText).toContain('nothing deleted')
    expect(declinedText).not.toContain('error')
    expect(declined.exitCode).toBe(0)
    expect(await existing(escape(topic))).toEqual([topic])

    const accepted = await runKafkit(['topics', 'delete', topic, '-b', bootstrap], {tty: true, input: 'y\n'})
    expect(accepted.exitCode).toBe(0)
    // On a terminal the ERROR column only appears when something failed.
    expect(stripAnsi(accepted.stdout)).toMatch(new RegExp(`TOPIC\\s+STATUS\\s*\\n${escape(topic)}\\s+deleted`))
    expect(stripAnsi(accepted.stdout)).not.toContain('ERROR')
    expect(await existing(escape(topic))).toEqual([])
  })

  it('--yes on a terminal does not ask', async () => {
    const topic = uniqueName('tdel-yes')
    await create(topic)
    const result = await runKafkit(['topics', 'delete', topic, '-b', bootstrap, '--yes'], {tty: true})
    expect(result.exitCode).toBe(0)
    expect(stripAnsi(result.stdout)).not.toContain('Delete it?')
    expect(await existing(escape(topic))).toEqual([])
  })

  it('names and --pattern together, or neither, are usage errors', async () => {
    expect((await runKafkit(['topics', 'delete', '-b', bootstrap])).exitCode).toBe(2)
    expect((await runKafkit(['topics', 'delete', 'a', '--pattern', 'b', '-b', bootstrap])).exitCode).toBe(2)
  })
})
