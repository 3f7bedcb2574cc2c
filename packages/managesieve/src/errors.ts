/** Store errors as ManageSieve responses (RFC 5804 1.3 response codes), by table. */
import { StoreError, type StoreErrorCode } from '@minimail/store';
import { response } from './wire.js';

const BY_STORE_CODE: Readonly<Partial<Record<StoreErrorCode, [string | null, string]>>> = {
  NOT_FOUND: ['NONEXISTENT', 'There is no script by that name'],
  ALREADY_EXISTS: ['ALREADYEXISTS', 'A script by that name already exists'],
  LOCKED: ['ACTIVE', 'You may not delete the active script'],
  INVALID: [null, 'Invalid request'],
  TEMPORARY: ['TRYLATER', 'Try again later'],
};

/** The NO for an error a command hit; internal messages never reach the client. */
export function noFor(error: unknown): string {
  if (error instanceof StoreError) {
    const [code, text] = BY_STORE_CODE[error.code] ?? ['TRYLATER', 'Try again later'];
    return response('NO', code, error.code === 'INVALID' ? error.message : text);
  }
  return response('NO', 'TRYLATER', 'Server error, try again later');
}
