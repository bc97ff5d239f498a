import {execFile} from 'node:child_process'
import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'

import {beforeAll, describe, expect, inject, it} from 'vitest'

import {createTopics} from './admin-client.js'
import {baseEnv, kafkitBin, runKafkit, uniqueName} from './cli.js'

const bootstrap = inject('bootstrap')

describe('produce --print-delivery | head', () => {
  const topic = uniqueName('epipe')
  beforeAll(() => createTopics(bootstrap, [topic], 3))

  it('stops reading when stdout closes, delivers everything it read, and exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kafkit-epipe-'))
    const stderrFile = join(dir, 'stderr.txt')
    // head takes one delivery line and leaves; the input would be far longer than what gets read.
    const script = `seq 1 2000000 | node ${kafkitBin} produce ${topic} -b ${bootstrap} --print-delivery 2>${stderrFile} | head -n 1 >/dev/null; echo "\${PIPESTATUS[1]}"`
    const {stdout} = await promisify(execFile)('bash', ['-c', script], {env: baseEnv(), timeout: 60_000})
    expect(stdout.trim()).toBe('0')
    const summary = readFileSync(stderrFile, 'utf8')
    const match = /read ([\d,]+), delivered ([\d,]+), failed ([\d,]+)/.exec(summary)
    expect(match, summary).not.toBeNull()
    const [, read, delivered, failed] = match!.map((n) => Number(n.replaceAll(',', '')))
    expect(failed).toBe(0)
    expect(delivered).toBe(read)
    expect(read).toBeGreaterThan(0)
    expect(read).toBeLessThan(2_000_000)
    // Every record the summary calls delivered is in the topic.
    const count = await runKafkit(['consume', topic, '-b', bootstrap, '-o', 'beginning', '-e', '-f', '.'])
    expect(count.exitCode).toBe(0)
    expect(count.stdout.length).toBe(delivered)
  })
})
