import {Flags} from '@oclif/core'

import {AclCommand, aclBindingColumns, aclResourceFlags} from '../../lib/acl-command.js'
import {type AclBinding, listAcls, planListFilters} from '../../lib/kafka/acls/index.js'

export default class AclsList extends AclCommand {
  static summary = 'List ACLs (like kafka-acls --list).'
  static description = `Every ACL of the cluster, or those of the resources named. As with kafka-acls, a named resource matches literally unless --resource-pattern-type says prefixed, match (every ACL that applies to the name: literal, prefixed and the "*" wildcard) or any.
--principal and --operation narrow the list.
Piped: PRINCIPAL<TAB>HOST<TAB>OPERATION<TAB>PERMISSION<TAB>RESOURCE-TYPE<TAB>RESOURCE-NAME<TAB>PATTERN, names as Kafka spells them (User:alice, READ, ALLOW, TOPIC, LITERAL).
With --json: an array of {principal, host, operation, permission, resourceType, resourceName, patternType}.
Needs DESCRIBE on the cluster; a cluster without an authorizer has no ACLs (exit 7).`

  static examples = [
    {description: 'Every ACL', command: '<%= config.bin %> acls list'},
    {description: 'Every ACL that applies to topic orders', command: '<%= config.bin %> acls list --topic orders --resource-pattern-type match'},
    {description: "alice's ACLs", command: '<%= config.bin %> acls list --principal alice'},
  ]

  static flags = {
    ...aclResourceFlags,
    principal: Flags.string({summary: 'Only ACLs of this principal, TYPE:NAME (User: added when missing; repeatable).', multiple: true, multipleNonGreedy: true}),
  }

  async run(): Promise<AclBinding[]> {
    const {flags} = await this.parse(AclsList)
    const filters = planListFilters(this.aclFlags(flags))
    const bindings = await listAcls(this.connect(flags), filters)
    if (!this.jsonEnabled()) {
      this.out.table(bindings, aclBindingColumns)
      if (bindings.length === 0 && this.out.isTTY) this.out.notice('no ACLs match')
    }
    return bindings
  }
}
