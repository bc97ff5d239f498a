import {Command} from '@oclif/core'

import {startBackgroundRefresh} from '../lib/completion/background.js'
import {complete} from '../lib/completion/candidates.js'
import {commandSpecs} from '../lib/completion/command-specs.js'
import {readLine} from '../lib/completion/line.js'
import {parseRequest, renderCompletion} from '../lib/completion/request.js'
import {clusterSources} from '../lib/completion/sources.js'
import {cacheDirectory} from '../lib/config/switches.js'
import {Output} from '../lib/output/output.js'

// Called by the scripts `kafkit autocomplete` prints, on every TAB (protocol: lib/completion/request.ts).
export default class Complete extends Command {
  static hidden = true
  static strict = false
  static summary = 'Shell completion candidates for the line typed so far (used by the scripts of kafkit autocomplete).'
  static examples = [
    {description: 'What zsh is offered for `kafkit topics de<TAB>`', command: '<%= config.bin %> __complete zsh -- topics de'},
    {description: 'What bash is offered for `kafkit consume -b localhost:9092 --topic orders:<TAB>`', command: "<%= config.bin %> __complete bash -- 'kafkit consume -b localhost:9092 --topic orders:' ''"},
  ]

  async run(): Promise<void> {
    const request = parseRequest(this.argv)
    if (!request) return
    const commands = commandSpecs(this.config.commands)
    const context = readLine(request.words, commands)
    const background = request.shell === 'background'
    const sources = clusterSources({
      typed: context.connection,
      cacheDir: cacheDirectory(),
      background,
      refreshInBackground: background ? undefined : () => startBackgroundRefresh(request.words),
    })
    const completion = await complete(context, commands, sources)
    new Output().write(renderCompletion(completion, request))
  }

  /** Completion never prints an error into someone's prompt: nothing to offer is the answer. */
  async catch(): Promise<void> {}
}
