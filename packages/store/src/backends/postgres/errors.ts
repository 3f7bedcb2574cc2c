import { StoreError } from '../../core/types.js';

/**
 * SQLSTATE classes and codes that mean "try again later" (PostgreSQL appendix A): connection
 * exceptions (08), serialization failure and deadlock (40), insufficient resources (53), operator
 * intervention such as a shutdown (57, which includes statement_timeout's 57014), system errors (58).
 */
const TEMPORARY_CLASSES = ['08', '40', '53', '57', '58'];

export function sqlState(error: unknown): string | null {
  if (
    error instanceof Error &&
    'code' in error &&
    typeof error.code === 'string' &&
    /^[0-9A-Z]{5}$/.test(error.code)
  )
    return error.code;
  return null;
}

/** Deadlock or serialization failure: the op may simply be run again in the next batch. */
export function isRetryable(error: unknown): boolean {
  const state = sqlState(error);
  return state === '40P01' || state === '40001';
}

/** Converts whatever a PostgreSQL operation threw into a StoreError, keeping the original as `cause`. */
export function toStoreError(error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  const state = sqlState(error);
  if (state === '23505') return new StoreError('ALREADY_EXISTS', 'already exists', { cause: error });
  if (state === '23503')
    return new StoreError('NOT_FOUND', 'referenced record does not exist', { cause: error });
  if (state !== null && TEMPORARY_CLASSES.includes(state.slice(0, 2))) {
    return new StoreError('TEMPORARY', `database temporarily unavailable (${state})`, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new StoreError('TEMPORARY', `store operation failed: ${message}`, { cause: error });
}
