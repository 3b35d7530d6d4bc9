/**
 * Coded errors over HTTP: each code has one status; the body is
 * `{ statusCode, code, error, message, details? }` (fastify's own error shape) with a fixed message
 * per code and details that name fields, rules and counts, never a value. Anything unexpected is
 * ERR_INTERNAL with nothing else said.
 */
import { STATUS_CODES } from 'node:http';
import { ERROR_CODES, TracevaultError, type ErrorCode } from '../errors.ts';

const STATUS: Partial<Record<ErrorCode, number>> = {
  ERR_INVALID_FIELD: 400, ERR_UNKNOWN_FIELD: 400, ERR_MISSING_FIELD: 400, ERR_UNKNOWN_SCHEMA: 400, ERR_BAD_REQUEST: 400,
  ERR_PURPOSE_REQUIRED: 400, ERR_UNKNOWN_PURPOSE: 400, ERR_UNSUPPORTED_FORMAT: 400, ERR_POLICY_INVALID: 400, ERR_ROLE_CONFLICT: 400,
  ERR_IMPORT_INVALID_ROWS: 400, ERR_ENCODING: 400, ERR_MALFORMED_FILE: 400,
  ERR_UNAUTHENTICATED: 401,
  ERR_FORBIDDEN: 403, ERR_SELF_APPROVAL: 403, ERR_JUSTIFICATION_REQUIRED: 403, ERR_APPROVAL_REQUIRED: 403, ERR_GUARD_BLOCKED: 403,
  ERR_NOT_FOUND: 404, ERR_ERASED: 404,
  ERR_CONFLICT: 409,
  ERR_EXPIRED: 410,
  ERR_PAYLOAD_TOO_LARGE: 413, ERR_FILE_TOO_LARGE: 413, ERR_UNSAFE_ARCHIVE: 413,
  ERR_RATE_LIMITED: 429,
  ERR_LEDGER_UNAVAILABLE: 503, ERR_STORAGE: 503,
};

export function statusOf(code: ErrorCode): number {
  return STATUS[code] ?? 500;
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
  const status = typeof (e as { statusCode?: unknown })?.statusCode === 'number' ? (e as { statusCode: number }).statusCode : 500;
  if (status === 413) return errorBody('ERR_PAYLOAD_TOO_LARGE');
  if (status === 415) return errorBody('ERR_UNSUPPORTED_FORMAT');
  if (status >= 400 && status < 500) return errorBody('ERR_BAD_REQUEST');
  return errorBody('ERR_INTERNAL');
}
