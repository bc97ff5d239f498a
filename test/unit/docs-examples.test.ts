import {describe, expect, it} from 'vitest'

import {extractCommandExamples, extractExamples, jsonDifference, textShape} from '../integration/docs-examples.js'

// The reading of the docs' examples that test/integration/docs-examples.test.ts runs.

const fence = '```'

describe('extracting examples from markdown', () => {
  it('takes kafkit lines and pipelines into kafkit from a shell block, comments and all', () => {
    const md = [`${fence}sh`, 'npm run demo', "kafkit topics list   # names", "printf 'a\\n' | kafkit produce orders", 'echo done', fence].join('\n')
    expect(extractExamples(md, 'x.md').map((e) => [e.where, e.command, e.exitCode])).toEqual([
      ['x.md:3', 'kafkit topics list   # names', 0],
      ['x.md:4', "printf 'a\\n' | kafkit produce orders", 0],
    ])
  })

  it('with prompts, takes every prompted line and the output shown under it; a header means a terminal', () => {
    const md = [fence, '$ kafkit groups list', 'GROUP    STATE', 'billing  Stable', '$ echo $?', '0', fence].join('\n')
    const [list, echo] = extractExamples(md, 'x.md')
    expect(list).toMatchObject({command: 'kafkit groups list', expected: ['GROUP    STATE', 'billing  Stable'], mode: 'tty'})
    expect(echo).toMatchObject({command: 'echo $?', expected: ['0'], mode: 'piped'})
  })

  it('reads skip, exit, setup and after annotations, and leaves data and text blocks alone', () => {
    const md = [
      '<!-- docs-test: exit 8 "--max-lag" -->',
      '<!-- docs-test: skip "kafka1": needs a host kafka1 -->',
      '<!-- docs-test: setup',
      'kafkit topics create orders',
      '-->',
      '<!-- docs-test: after',
      'rm -f plan.csv',
      '-->',
      fence,
      'kafkit lag --max-lag 10',
      'kafkit topics list -b kafka1:9092',
      fence,
      `${fence}text`,
      'kafkit groups delete-offsets GROUP --topic T',
      fence,
      `${fence}json`,
      '{"kafkit": 1}',
      fence,
    ].join('\n')
    const [lag, remote, ...rest] = extractExamples(md, 'x.md')
    expect(rest).toEqual([])
    expect(lag).toMatchObject({exitCode: 8, skip: undefined, setup: ['kafkit topics create orders'], after: []})
    expect(remote).toMatchObject({exitCode: 0, skip: 'needs a host kafka1', setup: [], after: ['rm -f plan.csv']})
  })

  it('turns an output-of block into its command, stdout only', () => {
    const md = ['<!-- docs-test: output-of "kafkit topics list --json" -->', `${fence}json`, '[{"name": "orders"}]', fence].join('\n')
    expect(extractExamples(md, 'x.md')).toMatchObject([{command: 'kafkit topics list --json 2>/dev/null', expectedJson: '[{"name": "orders"}]'}])
  })

  it('refuses an unknown annotation and a skip without a reason', () => {
    expect(() => extractExamples('<!-- docs-test: sikp -->\n```\nkafkit x\n```', 'x.md')).toThrow(/unknown docs-test annotation/)
    expect(() => extractExamples('<!-- docs-test: skip -->\n```\nkafkit x\n```', 'x.md')).toThrow(/needs a reason/)
  })

  it('finds the EXAMPLES of an oclif page, not its USAGE', () => {
    const page = ['```', 'USAGE', '  $ kafkit lag [GROUP] [--json]', '', 'EXAMPLES', '  All groups', '', '    $ kafkit lag', '```'].join('\n')
    expect(extractCommandExamples(page, 'lag.md')).toEqual([['lag.md:8', 'kafkit lag']])
  })
})

describe('output shapes', () => {
  it('counts a run of rows once and compares headers, fields and messages', () => {
    expect(textShape(['GROUP    TOPIC   LAG', 'billing  orders    50', 'billing  audit     23'])).toEqual(['header GROUP|TOPIC|LAG', 'row'])
    expect(textShape(['orders\t6\t1\t0', 'payments\t6\t1\t0'])).toEqual(['tsv 4'])
    expect(textShape(['orders:0:1250', 'orders,0,1250', 'error: lag above 1000', '8'])).toEqual(['colon 3', 'csv 3', 'message error', 'word'])
    expect(textShape(['GROUP  STATE'])).not.toEqual(textShape(['GROUP  STATE  MEMBERS']))
    expect(textShape(['a\tb\tc'])).not.toEqual(textShape(['a\tb']))
  })

  it('finds a JSON field the docs show that the output lacks, or shows out of order', () => {
    const actual = [{name: 'orders', partitions: [{partition: 0, leader: 1}], topicId: 'x'}]
    expect(jsonDifference([{name: 'orders', partitions: [{partition: 0}]}], actual)).toBeUndefined()
    expect(jsonDifference([{name: 'orders', partitions: [{replicas: []}]}], actual)).toMatch(/\$\[0\]\.partitions\[0\]\.replicas/)
    expect(jsonDifference([{topicId: 'x', name: 'orders'}], actual)).toMatch(/out of order/)
    expect(jsonDifference({name: 'orders'}, actual)).toMatch(/an object in the docs/)
  })
})
