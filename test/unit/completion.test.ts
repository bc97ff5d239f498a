import {describe, expect, it} from 'vitest'

import {CACHE_TTL_MS, cacheFileName, freshValue, withValue} from '../../src/lib/completion/cache.js'
import {complete, type CompletionSources} from '../../src/lib/completion/candidates.js'
import {type CommandSpec, readLine, splitLine} from '../../src/lib/completion/line.js'
import {parseRequest, renderCompletion} from '../../src/lib/completion/request.js'

const connection = [
  {name: 'bootstrap-server', char: 'b', takesValue: true},
  {name: 'profile', takesValue: true},
  {name: 'property', char: 'X', takesValue: true},
  {name: 'command-config', takesValue: true},
]
const commands: CommandSpec[] = [
  {
    id: 'consume',
    summary: 'Read records.',
    args: [{name: 'topic'}],
    flags: [
      ...connection,
      {name: 'topic', char: 't', takesValue: true},
      {name: 'group', char: 'g', takesValue: true},
      {name: 'partition', char: 'p', takesValue: true},
      {name: 'offset', char: 'o', takesValue: true},
      {name: 'exit', char: 'e', takesValue: false},
      {name: 'on-error', takesValue: true, options: ['warn', 'skip', 'fail']},
      {name: 'value-format', takesValue: true},
    ],
  },
  {id: 'topics:list', summary: 'List topic names.', args: [{name: 'pattern'}], flags: connection},
  {id: 'topics:alter', summary: 'Alter a topic.', args: [{name: 'name'}], flags: [...connection, {name: 'config', char: 'c', takesValue: true}]},
  {id: 'topics:create', summary: 'Create topics.', args: [{name: 'name'}], flags: [...connection, {name: 'config', char: 'c', takesValue: true}]},
  {id: 'groups:reset-offsets', args: [{name: 'group'}], flags: [...connection, {name: 'topic', takesValue: true}, {name: 'from-file', takesValue: true}]},
]

const sources = (overrides: Partial<CompletionSources> = {}): CompletionSources => ({
  topics: async () => ['__consumer_offsets', 'orders', 'payments'],
  partitionCount: async (topic) => (topic === 'orders' ? 3 : 0),
  groups: async () => ['billing', 'audit'],
  topicConfigKeys: async (topic) => (topic === 'orders' ? ['cleanup.policy', 'retention.ms'] : ['segment.ms']),
  profiles: () => ['dev', 'prod'],
  ...overrides,
})

async function offered(line: string, extra?: Partial<CompletionSources>): Promise<string[]> {
  const completion = await complete(readLine(splitLine(line), commands), commands, sources(extra))
  return completion.kind === 'files' ? [':files'] : completion.candidates.map((c) => c.value)
}

describe('reading the typed line', () => {
  it('splits like a shell, keeping the empty word the cursor starts', () => {
    expect(splitLine('consume -b "a b" x\\ y ')).toEqual(['consume', '-b', 'a b', 'x y', ''])
    expect(splitLine("-X 'sasl.password=p w'")).toEqual(['-X', 'sasl.password=p w'])
  })

  it('finds the connection typed so far, in every flag form', () => {
    const context = readLine(['consume', '-b', 'h:1', '--profile=dev', '-Xa=1', '-X', 'b=2', '--command-config', 'c.properties', ''], commands)
    expect(context.connection).toEqual({bootstrapServer: 'h:1', profile: 'dev', properties: ['a=1', 'b=2'], commandConfig: 'c.properties'})
  })

  it('tells a flag value from an argument after boolean and value flags', () => {
    expect(readLine(['consume', '-e', ''], commands).position).toMatchObject({kind: 'argument', index: 0})
    expect(readLine(['consume', '-o', ''], commands).position).toMatchObject({kind: 'flag-value', flag: {name: 'offset'}})
    expect(readLine(['consume', '-o', 'end', 'orders', ''], commands).position).toMatchObject({kind: 'argument', index: 1})
    expect(readLine(['consume', '--', '-x'], commands).position).toMatchObject({kind: 'argument', index: 0})
    const inline = readLine(['consume', '--topic=or'], commands)
    expect(inline.position).toMatchObject({kind: 'flag-value', lead: '--topic='})
    expect(inline.prefix).toBe('or')
  })
})

describe('candidates', () => {
  it('commands, then subcommands', async () => {
    expect(await offered('')).toEqual(['consume', 'topics', 'groups'])
    expect(await offered('topics ')).toEqual(['list', 'alter', 'create'])
    expect(await offered('topics li')).toEqual(['list'])
  })

  it('flag names, long and short', async () => {
    expect(await offered('consume --on')).toEqual(['--on-error'])
    expect(await offered('consume -')).toContain('-o')
    expect(await offered('consume --he')).toEqual(['--help'])
  })

  it('enum values, formats and offset keywords', async () => {
    expect(await offered('consume --on-error ')).toEqual(['warn', 'skip', 'fail'])
    expect(await offered('consume --on-error=s')).toEqual(['--on-error=skip'])
    expect(await offered('consume --value-format js')).toEqual(['json'])
    expect(await offered('consume -o ')).toEqual(expect.arrayContaining(['beginning', 'end', 'stored']))
  })

  it('topics (internal ones only when asked), partitions after topic:, groups, profiles', async () => {
    expect(await offered('consume ')).toEqual(['orders', 'payments'])
    expect(await offered('consume -t __')).toEqual(['__consumer_offsets'])
    expect(await offered('groups reset-offsets g --topic orders:')).toEqual(['orders:0', 'orders:1', 'orders:2'])
    expect(await offered('groups reset-offsets g --topic orders:0,')).toEqual(['orders:0,0', 'orders:0,1', 'orders:0,2'])
    expect(await offered('consume -g ')).toEqual(['billing', 'audit'])
    expect(await offered('consume orders -p ')).toEqual(['0', '1', '2'])
    expect(await offered('consume -t orders -p 0,')).toEqual(['0,0', '0,1', '0,2'])
    expect(await offered('consume -p ')).toEqual([])
    expect(await offered('consume --profile p')).toEqual(['prod'])
    expect(await offered('topics create ')).toEqual([])
  })

  it('config keys of the typed topic, and -X properties with their values', async () => {
    expect(await offered('topics alter orders --config ret')).toEqual(['retention.ms='])
    expect(await offered('topics create new -c seg')).toEqual(['segment.ms='])
    expect(await offered('consume -X security.pro')).toEqual(['security.protocol='])
    expect(await offered('consume -X security.protocol=sasl_')).toEqual(['security.protocol=sasl_plaintext', 'security.protocol=sasl_ssl'])
    expect(await offered('consume -X sasl.mechanisms=SCRAM')).toEqual(['sasl.mechanisms=SCRAM-SHA-256', 'sasl.mechanisms=SCRAM-SHA-512'])
  })

  it('static completions stay when the cluster gives nothing; file flags ask for files', async () => {
    const none = {topics: async () => [], groups: async () => [], topicConfigKeys: async () => []}
    expect(await offered('consume ', none)).toEqual([])
    expect(await offered('topics alter x --config retention.m', none)).toEqual(['retention.ms='])
    expect(await offered('consume --on-error ', none)).toEqual(['warn', 'skip', 'fail'])
    expect(await offered('groups reset-offsets g --from-file ')).toEqual([':files'])
  })
})

describe('the __complete protocol', () => {
  it('bash: the line is split by kafkit, and candidates are cut to what readline replaces', async () => {
    const request = parseRequest(['bash', '--', 'kafkit groups reset-offsets g --topic orders:', ''])!
    expect(request.words).toEqual(['groups', 'reset-offsets', 'g', '--topic', 'orders:'])
    const context = readLine(request.words, commands)
    expect(renderCompletion(await complete(context, commands, sources()), request)).toBe('0\n1\n2\n')
  })

  it('zsh and fish get descriptions after a tab; a bad request gets nothing', async () => {
    const request = parseRequest(['zsh', '--', 'topics', 'l'])!
    expect(renderCompletion(await complete(readLine(request.words, commands), commands, sources()), request)).toBe('list\tList topic names.\n')
    expect(parseRequest(['tcsh', '--', 'x'])).toBeUndefined()
    // The background refresh (started when a TAB ran out of time) completes like zsh and prints nothing.
    const background = parseRequest(['background', '--', 'consume', ''])!
    expect(background.words).toEqual(['consume', ''])
    expect(renderCompletion({kind: 'values', candidates: [{value: 'orders'}]}, background)).toBe('')
  })
})

describe('the completion cache', () => {
  it('keeps a value for its lifetime, then not; a clock that went back is stale', () => {
    const cache = withValue({}, 'topics', ['a'], 1000)
    expect(freshValue(cache, 'topics', 1000 + CACHE_TTL_MS - 1)).toEqual(['a'])
    expect(freshValue(cache, 'topics', 1000 + CACHE_TTL_MS)).toBeUndefined()
    expect(freshValue(cache, 'topics', 999)).toBeUndefined()
    expect(freshValue(cache, 'groups', 1000)).toBeUndefined()
  })

  it('honours an entry’s own lifetime and drops expired entries when writing', () => {
    const cache = withValue(withValue({}, 'old', 1, 0), 'unreachable', true, CACHE_TTL_MS, 10)
    expect(Object.keys(cache)).toEqual(['unreachable'])
    expect(freshValue(cache, 'unreachable', CACHE_TTL_MS + 9)).toBe(true)
    expect(freshValue(cache, 'unreachable', CACHE_TTL_MS + 10)).toBeUndefined()
  })

  it('names one file per connection, without secrets in the name', () => {
    const a = cacheFileName({'bootstrap.servers': 'h:1', 'sasl.password': 'secret'})
    expect(a).toMatch(/^[0-9a-f]{24}\.json$/)
    expect(cacheFileName({'sasl.password': 'secret', 'bootstrap.servers': 'h:1'})).toBe(a)
    expect(cacheFileName({'bootstrap.servers': 'h:2'})).not.toBe(a)
  })
})
