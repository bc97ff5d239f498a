import {Args, Flags} from '@oclif/core'

import {KafkaCommand} from '../../lib/kafka-command.js'
import {deleteScramUser, parseScramMechanism, type ScramChange} from '../../lib/kafka/scram-users.js'

export default class UsersDelete extends KafkaCommand {
  static summary = 'Delete a SASL/SCRAM user (its credentials).'
  static description = `Deletes the user's credential for --mechanism, or for every mechanism it has. The user can no longer authenticate with SCRAM; its ACLs stay (remove them with kafkit acls delete --principal USER).
Piped: USER<TAB>MECHANISM<TAB>STATUS, one line per credential deleted. With --json: an array of {user, mechanism, status}.
A user without credentials exits 5. Needs ALTER on the cluster (exit 4 without it).`

  static examples = [
    {description: 'Delete alice', command: '<%= config.bin %> users delete alice'},
    {description: 'Only her SCRAM-SHA-256 credential', command: '<%= config.bin %> users delete alice --mechanism SCRAM-SHA-256'},
  ]

  static args = {
    user: Args.string({description: 'User name.', required: true}),
  }

  static flags = {
    mechanism: Flags.string({char: 'm', summary: 'Only this mechanism: SCRAM-SHA-256 or SCRAM-SHA-512 (repeatable).', multiple: true, multipleNonGreedy: true}),
  }

  async run(): Promise<ScramChange[]> {
    const {args, flags} = await this.parse(UsersDelete)
    const mechanisms = flags.mechanism?.map(parseScramMechanism)
    const results = await deleteScramUser(this.connect(flags), args.user, mechanisms)
    if (!this.jsonEnabled()) {
      this.out.table(results, [
        {header: 'USER', value: (r) => r.user},
        {header: 'MECHANISM', value: (r) => r.mechanism},
        {header: 'STATUS', value: (r) => r.status, style: (t, _r, c) => c.green(t)},
      ])
    }
    return results
  }
}
