import {kafkaError} from '../kafka-errors.js'
import type {NativeProduceError} from './native.js'
import type {ProducerClient} from './client.js'

// --transactional-id: the whole input is one transaction, committed only when every record was
// delivered, else aborted.

export function beginTransaction({native, handle}: ProducerClient, transactionalId: string, timeoutMs: number): void {
  try {
    native.initTransactions(handle, timeoutMs)
    native.beginTransaction(handle)
  } catch (error) {
    throw kafkaError(error as NativeProduceError, `transaction ${transactionalId}`)
  }
}

export interface TransactionEnd {
  transaction: 'committed' | 'aborted'
  /** Why a commit or an abort failed. */
  fatal?: string
}

/** Commits when asked to and aborts otherwise, or when the commit fails. */
export function endTransaction({native, handle}: ProducerClient, commit: boolean, timeoutMs: number): TransactionEnd {
  let fatal: string | undefined
  if (commit) {
    try {
      native.commitTransaction(handle, timeoutMs)
      return {transaction: 'committed'}
    } catch (error) {
      fatal = `commit failed: ${(error as NativeProduceError).code}: ${(error as Error).message}`
    }
  }
  try {
    native.abortTransaction(handle, timeoutMs)
  } catch (error) {
    fatal ??= `abort failed: ${(error as NativeProduceError).code}: ${(error as Error).message}`
  }
  return {transaction: 'aborted', fatal}
}
