import type {AlterConfigOp, NativeErrorInfo} from './native-admin.js'
import type {KafkaSession} from './session.js'

// placeholder
export async function alterDefaultBrokerConfigs(_session: KafkaSession, _brokerId: number, _ops: AlterConfigOp[], _validateOnly: boolean): Promise<NativeErrorInfo | undefined> {
  return {code: '_NOT_IMPLEMENTED', message: 'not implemented'}
}
