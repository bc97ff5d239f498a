import {Args} from '@oclif/core'

import {KafkaCommand} from '../../lib/kafka-command.js'
import {listScramUsers, type ScramUser} from '../../lib/kafka/scram-users.js'

export default class UsersList extends KafkaCommand {
  static summary = 'List SASL/SCRAM users: their mechanisms and iterations.'
  static description = `Like kafka-configs --entity-type users --describe, for SCRAM credentials. Never shows a secret (the broker keeps only salted hashes).
Piped: one line per credential, USER<TAB>MECHANISM<TAB>ITERATIONS.
With --json: an array of {user, credentials: [{mechanism, iterations}]}.
A user named that has no credentials exits 5. Needs DESCRIBE on the cluster (exit 4 without it).`

  static examples = [
    {description: 'Every SCRAM user', command: '<%= config.bin %> users list'},
    {description: 'One user', command: '<%= config.bin %> users list alice'},
  ]

  static strict = false

  static args = {
    user: Args.string({description: 'Only these users (give several to list several).'}),
  }

  async run(): Promise<ScramUser[]> {
    const {argv, flags} = await this.parse(UsersList)
    const users = await listScramUsers(this.connect(flags), argv as string[])
    if (!this.jsonEnabled()) {
      const rows = users.flatMap((u) => u.credentials.map((c) => ({user: u.user, ...c})))
      this.out.table(rows, [
        {header: 'USER', value: (r) => r.user},
        {header: 'MECHANISM', value: (r) => r.mechanism},
        {header: 'ITERATIONS', value: (r) => r.iterations, align: 'right'},
      ])
      if (rows.length === 0 && this.out.isTTY) this.out.notice('no SCRAM users')
    }
    return users
  }
}
