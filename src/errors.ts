/**
 * The one error class of Tracevault. Messages are fixed per code and never carry a personal value;
 * whatever varies goes into structured fields that are themselves safe (field names, rule names,
 * row numbers, counts). The HTTP layer maps codes to status codes, the CLI to exit codes.
 */

export const ERROR_CODES = {
  ERR_INVALID_FIELD: 'a field value is invalid',
  ERR_UNKNOWN_FIELD: 'a field is not part of the record type',
  ERR_MISSING_FIELD: 'a required field is missing',
  ERR_UNKNOWN_SCHEMA: 'unknown record type',
  ERR_NOT_FOUND: 'not found',
  ERR_ERASED: 'the record has been erased',
  ERR_FORBIDDEN: 'forbidden',
  ERR_UNAUTHENTICATED: 'authentication required',
  ERR_KEY_FILE: 'the key file is missing, unreadable or readable by others',
  ERR_KEY_MISMATCH: 'the key-encryption key does not match this vault',
  ERR_CIPHER_SUITE: 'the cipher suite is unknown or does not match this vault',
  ERR_DECRYPT: 'a value failed to authenticate',
  ERR_VAULT_EXISTS: 'a vault already exists there',
  ERR_NO_VAULT: 'no vault there; run tracevault init first',
  ERR_VAULT_IN_USE: 'another server serves this SQLite vault: one server per SQLite vault, PostgreSQL for several',
  ERR_FILE_TOO_LARGE: 'the file is larger than the limit',
  ERR_ENCODING: 'the file is not valid text in a supported encoding',
  ERR_MALFORMED_FILE: 'the file is malformed',
  ERR_UNSAFE_ARCHIVE: 'the archive expands beyond the limits',
  ERR_IMPORT_INVALID_ROWS: 'some rows are invalid; nothing was imported',
  ERR_UNSUPPORTED_FORMAT: 'unsupported file format',
  ERR_BAD_REQUEST: 'bad request',
  ERR_STORAGE: 'the database rejected the operation',
  ERR_STORE_UNAVAILABLE: 'the database cannot be reached; nothing was returned; try again',
  ERR_STORE_FULL: 'the database has no space left; nothing was returned',
  ERR_MALFORMED_NOTE: 'the signed note is malformed',
  ERR_UNVERIFIED_NOTE: 'the signed note has no valid signature by a known key',
  ERR_BAD_KEY: 'the key is malformed',
  ERR_PURPOSE_REQUIRED: 'a purpose is required to reveal clear values',
  ERR_UNKNOWN_PURPOSE: 'unknown purpose',
  ERR_JUSTIFICATION_REQUIRED: 'a justification is required for this access',
  ERR_APPROVAL_REQUIRED: 'the export has not been approved',
  ERR_SELF_APPROVAL: 'the approver of a request cannot be its requester',
  ERR_ROLE_CONFLICT: 'these roles cannot be held together or in this organisation',
  ERR_GUARD_BLOCKED: 'access blocked by the guard; a data-protection officer has been alerted',
  ERR_RATE_LIMITED: 'too many attempts; try again later',
  ERR_LEDGER_UNAVAILABLE: 'the ledger cannot be written; nothing was returned',
  ERR_EXPIRED: 'expired',
  ERR_CONFLICT: 'the request conflicts with the current state',
  ERR_PAYLOAD_TOO_LARGE: 'the request body is larger than the limit',
  ERR_LEDGER_ROLLBACK: 'the ledger is behind what its witnesses cosigned: a rollback; not served',
  ERR_JOB_INTERRUPTED: 'the job stopped before it finished (its server stopped); submit it again',
  ERR_POLICY_INVALID: 'the policy does not parse or does not validate',
  ERR_INTERNAL: 'internal error',
  ERR_RESTRICTED: 'processing of this record is restricted at its data subject’s request',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Safe, structured details: field and rule names, positions and counts, never values. */
export interface ErrorDetails {
  field?: string;
  rule?: string;
  row?: number;
  line?: number;
  column?: string;
  count?: number;
  limit?: number;
  errors?: readonly RowError[];
  /** Field names (never values). */
  fields?: readonly string[];
  purpose?: string;
  /** Guard rule names. */
  rules?: readonly string[];
  /** Where in a request a `field` is (its body, query, path parameters or headers): never its value. */
  in?: 'body' | 'query' | 'params' | 'headers';
  /** The request's route, method and pattern ('POST /v1/principals'), never its URL's values. */
  route?: string;
}

/** One invalid cell of an import or a request: where and which rule, never the value. */
export interface RowError {
  row?: number;
  field: string;
  rule: string;
}

export class TracevaultError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(describe(code, details), options);
    this.name = 'TracevaultError';
    this.code = code;
    this.details = details;
  }
}

function describe(code: ErrorCode, d: ErrorDetails): string {
  const parts: string[] = [ERROR_CODES[code]];
  if (d.row !== undefined) parts.push(`row ${d.row}`);
  if (d.line !== undefined) parts.push(`line ${d.line}`);
  if (d.field !== undefined) parts.push(`field ${d.field}`);
  if (d.in !== undefined) parts.push(`in the ${d.in}${d.route !== undefined ? ` of ${d.route}` : ''}`);
  if (d.column !== undefined) parts.push(`column ${d.column}`);
  if (d.rule !== undefined) parts.push(`rule ${d.rule}`);
  // Field names and the purpose say what to change (a refused export or reveal): never values.
  if (d.fields !== undefined && d.fields.length > 0) parts.push(`fields ${d.fields.join(', ')}`);
  if (d.purpose !== undefined) parts.push(`purpose ${d.purpose}`);
  if (d.limit !== undefined) parts.push(`limit ${d.limit}`);
  if (d.count !== undefined) parts.push(`count ${d.count}`);
  return parts.join(': ');
}

export function isTracevaultError(e: unknown): e is TracevaultError {
  return e instanceof TracevaultError;
}
