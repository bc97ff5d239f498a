import {Args, Flags} from '@oclif/core'

import {usageError} from '../../lib/errors.js'
import {readPasswordFromStdin} from '../../lib/input/password-stdin.js'
import {KafkaCommand} from '../../lib/kafka-command.js'
import {MIN_ITERATIONS, parseScramMechanism, type ScramChange, upsertScramUser} from '../../lib/kafka/scram-users.js'
import {canPrompt} from '../../lib/output/confirm.js'
import {promptNewPassword} from '../../lib/output/password-prompt.js'

export default class UsersCreate extends KafkaCommand {
  static summary = 'Create a SASL/SCRAM user, or set a new password.'
  static description = `Creates the user's credential for one mechanism (a user may have both); for an existing one it sets the new password.
The password is asked for on the terminal (twice, not echoed), or read from the first line of stdin with --password-stdin; never from an argument, which shows in ps.
librdkafka salts and hashes the password; only the salted hash reaches the broker. Iterations: ${MIN_ITERATIONS} (Kafka's default) to 16384.
Piped: USER<TAB>MECHANISM<TAB>ITERATIONS<TAB>STATUS. With --json: {user, mechanism, iterations, status}.
Needs ALTER on the cluster (exit 4 without it).`

  static examples = [
    {description: 'Create alice (asks for the password)', command: '<%= config.bin %> users create alice --mechanism SCRAM-SHA-512'},
    {description: 'In a script', command: 'printf %s "$ALICE_PASSWORD" | <%= config.bin %> users create alice --mechanism SCRAM-SHA-256 --password-stdin'},
  ]

  static args = {
    user: Args.string({description: 'User name.', required: true}),
  }

  static flags = {
    mechanism: Flags.string({char: 'm', summary: 'SCRAM-SHA-256 or SCRAM-SHA-512.', required: true}),
    iterations: Flags.integer({summary: `SCRAM iterations (default ${MIN_ITERATIONS}).`, default: MIN_ITERATIONS}),
    'password-stdin': Flags.boolean({summary: 'Read the password from the first line of stdin.'}),
  }

  async run(): Promise<ScramChange> {
    const {args, flags} = await this.parse(UsersCreate)
    const mechanism = parseScramMechanism(flags.mechanism)
    if (!flags['password-stdin'] && !canPrompt()) {
      throw usageError('no terminal to ask for the password on', 'pipe it in with --password-stdin')
    }
    const password = flags['password-stdin'] ? readPasswordFromStdin() : await promptNewPassword(`${args.user} (${mechanism})`)
    this.secrets.push(password)
    const result = await upsertScramUser(this.connect(flags), args.user, {mechanism, iterations: flags.iterations, password})
    if (!this.jsonEnabled()) {
      this.out.table([result], [
        {header: 'USER', value: (r) => r.user},
        {header: 'MECHANISM', value: (r) => r.mechanism},
        {header: 'ITERATIONS', value: (r) => r.iterations, align: 'right'},
        {header: 'STATUS', value: (r) => r.status, style: (t, _r, c) => c.green(t)},
      ])
    }
    return result
  }
}
