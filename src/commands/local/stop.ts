import {Flags} from '@oclif/core'

import {BaseCommand} from '../../lib/base-command.js'
import {parseDuration} from '../../lib/duration.js'
import {type LocalKafkaStopResult, stopLocalKafka} from '../../lib/local/index.js'

export default class LocalStop extends BaseCommand {
  static description = `Stop the local Kafka started with 'local start'.

Asks each broker to shut down cleanly (SIGTERM) and kills it (SIGKILL) if it is still running after --timeout. The data stays in the state folder for the next start. Stopping when nothing runs is not an error.`

  static examples = [
    {description: 'Stop the local Kafka', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Stop the cluster in another state folder', command: '<%= config.bin %> <%= command.id %> --state-dir /tmp/kafka-3'},
  ]

  static flags = {
    'state-dir': Flags.string({
      description: 'Folder of the cluster to stop. [default: $KAFKIT_LOCAL_DIR or ~/.local/state/kafkit/local]',
    }),
    timeout: Flags.string({
      description: 'How long to wait for a clean shutdown before killing the brokers, e.g. 30s.',
      default: '30s',
    }),
  }

  async run(): Promise<LocalKafkaStopResult> {
    const {flags} = await this.parse(LocalStop)
    const result = await stopLocalKafka(flags['state-dir'], {
      timeoutMs: parseDuration(flags.timeout, '--timeout'),
      onProgress: (message) => this.out.notice(message),
    })
    if (result.stopped.length === 0) {
      this.out.notice(`no local Kafka was running (state folder ${result.stateDir})`)
    } else {
      for (const node of result.stopped.filter((stopped) => stopped.forced)) {
        this.out.warn(`node ${node.nodeId} (pid ${node.pid}) did not stop within ${flags.timeout} and was killed`)
      }
      this.out.notice(`stopped ${result.stopped.length} Kafka node${result.stopped.length > 1 ? 's' : ''} (state folder ${result.stateDir})`)
    }
    return result
  }
}
