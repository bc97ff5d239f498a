import type {Command} from '@oclif/core'

import type {CommandSpec} from './line.js'

// The commands completion knows, read from oclif's own command list (kafkit's and the plugins'),
// without the hidden ones.

export function commandSpecs(commands: readonly Command.Loadable[]): CommandSpec[] {
  return commands
    .filter((c) => !c.hidden)
    .map((c) => ({
      id: c.id,
      summary: c.summary ?? c.description?.split('\n')[0],
      flags: Object.values(c.flags)
        .filter((f) => !f.hidden)
        .map((f) => ({
          name: f.name,
          char: f.char,
          takesValue: f.type === 'option',
          options: f.type === 'option' ? f.options : undefined,
          summary: f.summary ?? f.description?.split('\n')[0],
        })),
      args: Object.values(c.args).map((a) => ({name: a.name, options: a.options})),
    }))
}
