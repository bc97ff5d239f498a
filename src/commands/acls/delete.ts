import {Flags} from '@oclif/core'

import {AclCommand, aclBindingColumns, aclPrincipalFlags, aclResourceFlags} from '../../lib/acl-command.js'
import {usageError} from '../../lib/errors.js'
import {type AclBinding, deleteAcls, exactFilter, planAclDeletion, planDeleteFilters} from '../../lib/kafka/acls/index.js'
import {canPrompt, confirmOnTerminal} from '../../lib/output/confirm.js'

export default class AclsDelete extends AclCommand {
  static summary = 'Delete ACLs (like kafka-acls --remove).'
  static description = `Deletes every ACL of the named resources that matches the principals, hosts and operations given; each of them left out matches any (so --topic orders alone deletes every ACL of topic orders).
kafkit first shows the ACLs that match. On a terminal it asks before deleting, unless --yes; when it cannot ask (stdin or stderr is not a terminal) it needs --yes.
Prints the ACLs deleted; piped, in the columns of acls list. With --json: an array of the deleted bindings. Nothing matching is not an error (an empty list).
Needs ALTER on the cluster (exit 4 without it).`

  static examples = [
    {description: "Remove alice's read on orders", command: '<%= config.bin %> acls delete --allow-principal alice --operation read --topic orders'},
    {description: 'Every ACL of a topic, in a script', command: '<%= config.bin %> acls delete --topic orders --yes'},
    {description: 'Every ACL of a principal on prefixed patterns', command: '<%= config.bin %> acls delete --principal app --topic orders. --resource-pattern-type prefixed --yes'},
  ]

  static flags = {
    ...aclPrincipalFlags,
    ...aclResourceFlags,
    principal: Flags.string({summary: 'Principal whose ACLs go, allow or deny (repeatable).', multiple: true, multipleNonGreedy: true}),
    yes: Flags.boolean({char: 'y', summary: 'Do not ask for confirmation.'}),
  }

  async run(): Promise<AclBinding[]> {
    const {flags} = await this.parse(AclsDelete)
    const filters = planDeleteFilters(this.aclFlags(flags))
    const interactive = canPrompt()
    if (!flags.yes && !interactive) throw usageError('acls delete needs --yes when kafkit cannot ask (stdin or stderr is not a terminal)', 'see what matches first with: kafkit acls list')
    const session = this.connect(flags)
    const matching = await planAclDeletion(session, filters)
    if (matching.length === 0) {
      if (!this.jsonEnabled()) this.out.notice('no ACLs match: nothing deleted')
      return []
    }
    if (!flags.yes) {
      this.out.notice(`${matching.length === 1 ? 'This ACL' : `These ${matching.length} ACLs`} will be deleted:`)
      this.noticeBindings(matching)
      if (!(await confirmOnTerminal(`Delete ${matching.length === 1 ? 'it' : 'them'}?`))) {
        this.out.notice('nothing deleted')
        return []
      }
    }
    // Exactly what was shown goes, even if an ACL matching the filters was added meanwhile.
    const deleted = await deleteAcls(session, matching.map(exactFilter))
    if (!this.jsonEnabled()) {
      this.out.table(deleted, aclBindingColumns)
      if (this.out.isTTY) this.out.notice(`${deleted.length} ACL${deleted.length === 1 ? '' : 's'} deleted`)
    }
    return deleted
  }
}
