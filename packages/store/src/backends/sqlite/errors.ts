import { StoreError } from '../../core/types.js';

/**
 * SQLite result codes (primary code prefix) that mean "try again later": lock contention,
 * disk full or an I/O failure. Anything else is a bug or bad input and keeps its own meaning.
 */
const TEMPORARY_SQLITE_CODES = [
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_IOERR',
  'SQLITE_FULL',
  'SQLITE_PROTOCOL',
  'SQLITE_CANTOPEN',
];

function sqliteCode(error: unknown): string | null {
  if (
    error instanceof Error &&
    'code' in error &&
    typeof error.code === 'string' &&
    error.code.startsWith('SQLITE_')
  ) {
    return error.code;
  }
  return null;
}

/** Converts whatever an operation threw into a StoreError, keeping the original as `cause`. */
export function toStoreError(error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  const code = sqliteCode(error);
  if (code !== null) {
    if (TEMPORARY_SQLITE_CODES.some((prefix) => code.startsWith(prefix))) {
      return new StoreError('TEMPORARY', `database temporarily unavailable (${code})`, { cause: error });
    }
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
      return new StoreError('ALREADY_EXISTS', 'already exists', { cause: error });
    }
    if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
      return new StoreError('NOT_FOUND', 'referenced record does not exist', { cause: error });
    }
  }
  // Not a StoreError and not a known SQLite condition: rethrow as-is upstream would lose the code
  // union, so wrap it; the cause keeps the stack for the logs.
  const message = error instanceof Error ? error.message : String(error);
  return new StoreError('TEMPORARY', `store operation failed: ${message}`, { cause: error });
}
