import {Flags} from '@oclif/core'

import {BaseCommand} from '../../lib/base-command.js'
import {KafkitError} from '../../lib/errors.js'
import {localKafkaStatus, type LocalKafkaStatus} from '../../lib/local/index.js'

export default class LocalStatus extends BaseCommand {
  static description = `Show whether the local Kafka runs, and where.

Exits with 0 when at least one node runs and prints the bootstrap address (on a terminal, a table of the nodes too); exits with 5 when nothing runs.`

  static examples = [
    {description: 'Is the local Kafka running?', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Start it only when it is not running', command: '<%= config.bin %> <%= command.id %> >/dev/null 2>&1 || <%= config.bin %> local start'},
    {description: 'Every detail as JSON', command: '<%= config.bin %> <%= command.id %> --json'},
  ]

  static flags = {
    'state-dir': Flags.string({
      description: 'Folder of the cluster. [default: $KAFKIT_LOCAL_DIR or ~/.local/state/kafkit/local]',
    }),
  }

  async run(): Promise<LocalKafkaStatus> {
    const {flags} = await this.parse(LocalStatus)
    const status = await localKafkaStatus(flags['state-dir'])
    if (!status.running) {
      throw new KafkitError('not_found', `no local Kafka is running (state folder ${status.stateDir})`, {
        hint: 'start one with: kafkit local start' + (flags['state-dir'] === undefined ? '' : ` --state-dir ${status.stateDir}`),
      })
    }
    for (const node of status.nodes) {
      if (!node.alive) this.out.warn(`node ${node.nodeId} is not running`)
      else if (!node.answering) this.out.warn(`node ${node.nodeId} (pid ${node.pid}) runs but does not answer on port ${node.port}`)
    }
    if (this.jsonEnabled()) return status
    if (!this.out.isTTY) {
      this.out.line(status.bootstrapServers ?? '')
      return status
    }
    this.out.fields(
      [
        ['Bootstrap', status.bootstrapServers],
        ['Cluster id', status.clusterId],
        ['Kafka', status.kafkaVersion],
        ['State folder', status.stateDir],
        ...(status.security
          ? [
              ['Security', `${status.security.mode} (every listener: ${Object.entries(status.security.listeners).map(([mode, address]) => `${mode} ${address}`).join(', ')})`] as const,
              ['Admin user', `${status.security.adminUser} (password file ${status.security.users[0]!.passwordFile})`] as const,
              ['CA file', status.security.caFile] as const,
              ['client.properties', status.security.clientProperties[status.security.mode]] as const,
            ]
          : []),
      ],
      'Local Kafka is running',
    )
    this.out.line()
    this.out.table(status.nodes, [
      {header: 'NODE', value: (node) => node.nodeId, align: 'right'},
      {header: 'PORT', value: (node) => node.port, align: 'right'},
      {header: 'CONTROLLER', value: (node) => node.controllerPort, align: 'right'},
      {header: 'PID', value: (node) => node.pid, align: 'right'},
      {
        header: 'STATE',
        value: (node) => (node.answering ? 'running' : node.alive ? 'not answering' : 'stopped'),
        style: (text, node, color) => (node.answering ? color.green(text) : color.red(text)),
      },
      {header: 'LOG', value: (node) => node.logFile},
    ])
    return status
  }
}
