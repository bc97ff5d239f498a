import {mkdtempSync, readdirSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, inject, it} from 'vitest'

import {createTopics} from './admin-client.js'
import {runKafkit, uniqueName} from './cli.js'

// kafkit bounds its memory with small client queues (docs/consume.md and docs/produce.md,
// "Memory"). A bound smaller than one record must never stop a record, a record longer than a
// read chunk must arrive whole, and -X must still move the bounds.

const bootstrap = inject('bootstrap')
const KB = 1024

/** A record of `size` bytes whose content says which one it is, so a mix-up or a cut shows. */
function record(index: number, size: number): string {
  const head = `record-${index}-${size}-`
  return head + String.fromCharCode(97 + (index % 26)).repeat(size - head.length)
}

describe('memory bounds: large records through small queues', () => {
  const work = mkdtempSync(join(tmpdir(), 'kafkit-memory-'))
  const topic = uniqueName('mem-large')
  // Around and beyond the 1 MiB read chunk of regular files: a record split across two chunks,
  // one that spans more than a whole chunk, and small ones between them.
  const records = [record(0, 900 * KB), record(1, 40), record(2, 2500 * KB), record(3, 900 * KB), record(4, 700 * KB), record(5, 60)]
  const file = join(work, 'records.txt')
  // The topic and the producer allow the 2.5 MB record (brokers default to about 1 MB).
  const large = ['-X', 'message.max.bytes=3000000']

  beforeAll(async () => {
    writeFileSync(file, records.join('\n') + '\n')
    const created = await runKafkit(['topics', 'create', topic, '--partitions', '1', '-c', 'max.message.bytes=3000000', '-b', bootstrap])
    expect(created.exitCode, created.stderr).toBe(0)
  })
  afterAll(() => rmSync(work, {recursive: true, force: true}))

  it('produce: every record whole and in order, from a file and through a queue of one record', async () => {
    const produced = await runKafkit(['produce', topic, '--file', file, '-b', bootstrap, ...large])
    expect(produced.exitCode, produced.stderr).toBe(0)
    // From stdin, with a queue of one record: each goes, one at a time.
    const bounded = await runKafkit(['produce', topic, '-b', bootstrap, ...large, '-X', 'queue.buffering.max.messages=1'], {input: records.join('\n') + '\n'})
    expect(bounded.exitCode, bounded.stderr).toBe(0)
    const read = await runKafkit(['consume', topic, '-e', '-b', bootstrap], {timeoutMs: 60_000})
    expect(read.exitCode, read.stderr).toBe(0)
    expect(read.stdout).toBe([...records, ...records].join('\n') + '\n')
  })

  it('consume: a read-ahead bound (-X queued.max.messages.kbytes) smaller than a record still reads them all, in every loop', async () => {
    const expected = [...records, ...records].join('\n') + '\n'
    const bound = ['-X', 'queued.max.messages.kbytes=1']
    const native = await runKafkit(['consume', topic, '-e', '-b', bootstrap, ...bound], {timeoutMs: 60_000})
    expect(native.exitCode, native.stderr).toBe(0)
    expect(native.stdout).toBe(expected)
    const js = await runKafkit(['consume', topic, '-e', '-b', bootstrap, ...bound], {timeoutMs: 60_000, env: {KAFKIT_NATIVE_CONSUME: '0'}})
    expect(js.exitCode, js.stderr).toBe(0)
    expect(js.stdout).toBe(expected)
    const group = await runKafkit(['consume', topic, '-g', uniqueName('mem-group'), '-c', String(2 * records.length), '-b', bootstrap, ...bound], {timeoutMs: 60_000})
    expect(group.exitCode, group.stderr).toBe(0)
    expect(group.stdout).toBe(expected)
  })
})

describe('memory: the native consume and the code cache', () => {
  // A native consume switches V8's optimizing compiler off (src/lib/native/optimizing-compiler.ts);
  // V8 stamps its code cache with its flags, so a cache saved after that switch would be rejected
  // by every later start, each compiling the whole bundle again (~5 MB more memory, slower starts).
  it('a native consume as the first command leaves a code cache that the next start accepts', async () => {
    const work = mkdtempSync(join(tmpdir(), 'kafkit-cache-'))
    try {
      const topic = uniqueName('mem-cache')
      await createTopics(bootstrap, [topic])
      const produced = await runKafkit(['produce', topic, '-b', bootstrap], {input: 'a\nb\n'})
      expect(produced.exitCode, produced.stderr).toBe(0)
      const env = {XDG_CACHE_HOME: work}
      const cacheDir = join(work, 'kafkit', 'v8')
      const cacheFile = () => {
        const files = readdirSync(cacheDir).filter((name) => name.endsWith('.cache'))
        expect(files).toHaveLength(1)
        return statSync(join(cacheDir, files[0]!))
      }
      const first = await runKafkit(['consume', topic, '-e', '-b', bootstrap, '--debug'], {env})
      expect(first.exitCode, first.stderr).toBe(0)
      expect(first.stderr).toContain('consume: native loop')
      expect(first.stdout).toBe('a\nb\n')
      const written = cacheFile()
      const second = await runKafkit(['consume', topic, '-e', '-b', bootstrap], {env})
      expect(second.exitCode, second.stderr).toBe(0)
      expect(second.stdout).toBe('a\nb\n')
      // Accepted: not written again (a rejected cache is replaced by a new file).
      const after = cacheFile()
      expect([after.ino, after.mtimeMs]).toEqual([written.ino, written.mtimeMs])
    } finally {
      rmSync(work, {recursive: true, force: true})
    }
  })
})
