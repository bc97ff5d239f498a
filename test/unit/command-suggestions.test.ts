import {describe, expect, it} from 'vitest'

import {editDistance, explainUnknownCommand} from '../../src/lib/command-suggestions.js'

const ids = ['topics:list', 'topics:create', 'topics:describe', 'topics:delete', 'topics:alter', 'groups:list', 'groups:describe', 'consume', 'produce', 'lag', 'local:start']

describe('an unknown command line', () => {
  it('names the command without its arguments and suggests the nearest subcommand', () => {
    expect(explainUnknownCommand(['topics', 'descrbe', 'orders'], ids)).toEqual({typed: 'topics descrbe', suggestions: ['topics describe']})
    expect(explainUnknownCommand(['topics', 'lsit'], ids)).toEqual({typed: 'topics lsit', suggestions: ['topics list']})
  })

  it('a mistyped topic or top-level command is compared with the top level', () => {
    expect(explainUnknownCommand(['tpoics', 'list'], ids)).toEqual({typed: 'tpoics', suggestions: ['topics']})
    expect(explainUnknownCommand(['consme', 'orders'], ids).suggestions).toEqual(['consume'])
  })

  it('a prefix suggests the commands it starts', () => {
    expect(explainUnknownCommand(['topics', 'de'], ids).suggestions).toEqual(['topics delete', 'topics describe'])
  })

  it('nothing close: no suggestion', () => {
    expect(explainUnknownCommand(['topics', 'frobnicate'], ids)).toEqual({typed: 'topics frobnicate', suggestions: []})
  })

  it('edit distance counts a swap of neighbours once', () => {
    expect(editDistance('lsit', 'list')).toBe(1)
    expect(editDistance('descrbe', 'describe')).toBe(1)
    expect(editDistance('', 'lag')).toBe(3)
  })
})
