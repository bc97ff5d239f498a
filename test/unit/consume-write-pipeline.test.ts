import {describe, expect, it} from 'vitest'

import {WritePipeline} from '../../src/lib/kafka/consume/write-pipeline.js'

/** A writer whose writes finish only when the test says so. */
function manualWriter() {
  const started: string[] = []
  const finish: Array<(error?: Error) => void> = []
  const write = (chunk: Buffer) =>
    new Promise<void>((resolve, reject) => {
      started.push(chunk.toString())
      finish.push((error) => (error ? reject(error) : resolve()))
    })
  return {started, finish, write}
}

const tick = () => new Promise((resolve) => setImmediate(resolve))

describe('the consume write pipeline', () => {
  it('keeps one write in flight: the next chunk waits until the previous one is written', async () => {
    const writer = manualWriter()
    const pipeline = new WritePipeline(writer.write)
    const marks: string[] = []
    await pipeline.push(Buffer.from('a'), () => marks.push('a'))
    const second = pipeline.push(Buffer.from('b'), () => marks.push('b'))
    await tick()
    expect(writer.started).toEqual(['a'])
    expect(marks).toEqual([])
    writer.finish[0]!()
    await second
    expect(writer.started).toEqual(['a', 'b'])
    expect(marks).toEqual(['a'])
    writer.finish[1]!()
    await pipeline.drain()
    expect(marks).toEqual(['a', 'b'])
  })

  it('runs afterWritten callbacks in order, after the chunks handed over before them', async () => {
    const writer = manualWriter()
    const pipeline = new WritePipeline(writer.write)
    const marks: string[] = []
    await pipeline.push(Buffer.from('a'), () => marks.push('a'))
    pipeline.afterWritten(() => marks.push('passed over'))
    await tick()
    expect(marks).toEqual([])
    writer.finish[0]!()
    await pipeline.drain()
    expect(marks).toEqual(['a', 'passed over'])
  })

  it('a failed write is thrown by the next push or drain, and nothing after it counts as written', async () => {
    const writer = manualWriter()
    const pipeline = new WritePipeline(writer.write)
    const marks: string[] = []
    await pipeline.push(Buffer.from('a'), () => marks.push('a'))
    pipeline.afterWritten(() => marks.push('after'))
    writer.finish[0]!(new Error('EPIPE'))
    await pipeline.settled()
    expect(pipeline.failed).toBe(true)
    await expect(pipeline.push(Buffer.from('b'))).rejects.toThrow('EPIPE')
    await expect(pipeline.drain()).rejects.toThrow('EPIPE')
    expect(marks).toEqual([])
    expect(writer.started).toEqual(['a'])
  })
})
