/**
 * Coded errors over HTTP: each code has one status; the body is
 * `{ statusCode, code, error, message, details? }` (fastify's own error shape) with a fixed message
 * per code and details that name fields, rules and counts, never a value. Anything unexpected is
 * ERR_INTERNAL with nothing else said.
 */
import { STATUS_CODES } from 'node:http';
import { ERROR_CODES, TracevaultError, type ErrorCode } from '../errors.ts';

/**
 * Every code with its status. Exhaustive on purpose: a code added to src/errors.ts without a status
 * here does not compile, so no new code can fall through to 500 unnoticed.
 */
export const STATUS: Readonly<Record<ErrorCode, number>> = {
  // 400: the request itself is wrong.
  ERR_INVALID_FIELD: 400,
  ERR_UNKNOWN_FIELD: 400,
  ERR_MISSING_FIELD: 400,
  ERR_UNKNOWN_SCHEMA: 400,
  ERR_BAD_REQUEST: 400,
  ERR_PURPOSE_REQUIRED: 400,
  ERR_UNKNOWN_PURPOSE: 400,
  ERR_UNSUPPORTED_FORMAT: 400,
  ERR_POLICY_INVALID: 400,
  ERR_ROLE_CONFLICT: 400,
  ERR_IMPORT_INVALID_ROWS: 400,
  ERR_ENCODING: 400,
  ERR_MALFORMED_FILE: 400,
  ERR_UNAUTHENTICATED: 401,
  ERR_FORBIDDEN: 403,
  ERR_SELF_APPROVAL: 403,
  ERR_JUSTIFICATION_REQUIRED: 403,
  ERR_APPROVAL_REQUIRED: 403,
  ERR_GUARD_BLOCKED: 403,
  ERR_RESTRICTED: 403,
  ERR_NOT_FOUND: 404,
  ERR_ERASED: 404,
  ERR_CONFLICT: 409,
  ERR_EXPIRED: 410,
  ERR_PAYLOAD_TOO_LARGE: 413,
  ERR_FILE_TOO_LARGE: 413,
  ERR_UNSAFE_ARCHIVE: 413,
  ERR_RATE_LIMITED: 429,
  ERR_LEDGER_UNAVAILABLE: 503,
  ERR_LEDGER_ROLLBACK: 503,
  // A trace job whose server stopped under it (in its status; the answer of a POST that waited for it).
  ERR_JOB_INTERRUPTED: 503,
  ERR_STORAGE: 503,
  // The database cannot be reached (restarting, connection lost) or has no space left (ADR 0028).
  ERR_STORE_UNAVAILABLE: 503,
  ERR_STORE_FULL: 507,
  // The vault's own files and keys (command line: init, open, key rotation). Reaching one while
  // serving means the server's installation is broken, not the request: 500.
  ERR_KEY_FILE: 500,
  ERR_KEY_MISMATCH: 500,
  ERR_CIPHER_SUITE: 500,
  ERR_VAULT_EXISTS: 500,
  ERR_NO_VAULT: 500,
  ERR_VAULT_IN_USE: 500,
  // A stored value that fails to authenticate is damage or tampering on the server's side.
  ERR_DECRYPT: 500,
  // Signed notes and keys are read and checked by the command line (ledger, witness); no request
  // of this API carries one, so here they could only be the server's own stored checkpoints,
  // cosignatures or witness keys gone bad: 500.
  ERR_MALFORMED_NOTE: 500,
  ERR_UNVERIFIED_NOTE: 500,
  ERR_BAD_KEY: 500,
  ERR_INTERNAL: 500,
};

export function statusOf(code: ErrorCode): number {
  return STATUS[code];
}

export interface ErrorBody {
  statusCode: number;
  code: ErrorCode;
  error: string;
  message: string;
  details?: TracevaultError['details'];
}

export function errorBody(code: ErrorCode, details?: TracevaultError['details']): ErrorBody {
  const statusCode = statusOf(code);
  const body: ErrorBody = { statusCode, code, error: STATUS_CODES[statusCode] ?? 'Error', message: ERROR_CODES[code] };
  if (details && Object.keys(details).length > 0) body.details = details;
  return body;
}

/** Any thrown value as a safe body: framework errors keep only their status class. */
export function toErrorBody(e: unknown): ErrorBody {
  if (e instanceof TracevaultError) return errorBody(e.code, e.details);
  const given = (e as { statusCode?: unknown })?.statusCode;
  const status = typeof given === 'number' ? given : 500;
  if (status === 413) return errorBody('ERR_PAYLOAD_TOO_LARGE');
  if (status === 415) return errorBody('ERR_UNSUPPORTED_FORMAT');
  if (status >= 400 && status < 500) return errorBody('ERR_BAD_REQUEST');
  return errorBody('ERR_INTERNAL');
}
