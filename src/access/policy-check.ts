/**
 * The policy editor's checks (POST /v1/policies/validate, /preview): whether a Cedar text parses,
 * with each error at its line and column, and what a principal would see and may do under a text,
 * field by field and action by action. Pure, and nothing is adopted: the text is parsed into an
 * engine of its own (policy.ts) that is dropped afterwards.
 *
 * Cedar reports a problem as a span of byte offsets into the text (its parser is Rust's, over
 * UTF-8); a policy's comments may be Chinese, so lines and columns are counted here in characters
 * (UTF-16 code units, as an editor in the browser counts them), 1-based.
 */
import './wasm-calls.ts';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import type { RecordType } from '../schema/record-type.ts';
import type { Action, FieldView, PolicyContext, PolicyEngine, Resource, Subject } from './policy.ts';

export interface PolicyProblem {
  readonly message: string;
  readonly help?: string;
  /** 1-based, in characters; absent when Cedar gives no place. */
  readonly line?: number;
  readonly column?: number;
  readonly endLine?: number;
  readonly endColumn?: number;
}

export interface PolicyCheck {
  readonly ok: boolean;
  readonly errors: readonly PolicyProblem[];
  /** Parses, but names something the registry never asks about (an action that does not exist). */
  readonly warnings: readonly PolicyProblem[];
}

/** Every action the registry asks the policy about (policy.ts `Action`; the due list's two, ADR 0022, too). */
export const ACTIONS: readonly string[] = [
  'read',
  'view',
  'reveal',
  'collect',
  'update',
  'erase',
  'export',
  'approve',
  'aggregate',
  'administer',
  'manage_policy',
  'view_alerts',
  'hash_identifier',
  'investigate',
  'trace',
  'consent',
  'audit',
  'invite',
  'due_list',
  'record_dose',
];

/** Line and column (1-based, characters) of a byte offset into `text`. */
export function lineColumn(text: string, byteOffset: number): { line: number; column: number } {
  const before = Buffer.from(text, 'utf8').subarray(0, Math.max(0, byteOffset)).toString('utf8');
  const lines = before.split('\n');
  return { line: lines.length, column: lines[lines.length - 1]!.length + 1 };
}

/** Whether `text` parses as a Cedar policy set, and where not. */
export function checkPolicyText(text: string): PolicyCheck {
  const r = cedar.checkParsePolicySet({ staticPolicies: text });
  const errors: PolicyProblem[] =
    r.type === 'success'
      ? []
      : r.errors.map((e) => {
          const at = e.sourceLocations?.[0];
          const where = at && {
            ...lineColumn(text, at.start),
            ...(({ line, column }) => ({ endLine: line, endColumn: column }))(lineColumn(text, at.end)),
          };
          const help = [at?.label, e.help].filter((x): x is string => !!x).join('; ');
          return { message: e.message, ...(help && { help }), ...where };
        });
  const warnings: PolicyProblem[] = [];
  for (const m of text.matchAll(/Action::"([^"\\]*)"/g)) {
    if (ACTIONS.includes(m[1]!)) continue;
    const byte = Buffer.byteLength(text.slice(0, m.index));
    warnings.push({
      message: `unknown action "${m[1]!.slice(0, 40)}": no request asks for it`,
      ...lineColumn(text, byte),
    });
  }
  return { ok: errors.length === 0, errors, warnings };
}

/** Record actions a preview answers (on a record of the type, with its standing) and API actions (by area). */
const RECORD_ACTIONS: readonly Action[] = [
  'read',
  'collect',
  'update',
  'erase',
  'export',
  'consent',
  'invite',
  'due_list',
  'record_dose',
];
const API_ACTIONS: readonly [Action, string][] = [
  ['approve', 'exports'],
  ['aggregate', 'stats'],
  ['administer', 'principals'],
  ['manage_policy', 'policies'],
  ['view_alerts', 'alerts'],
  ['hash_identifier', 'ledger'],
  ['investigate', 'reports'],
  ['trace', 'traces'],
  ['audit', 'ledger'],
];

export interface Outlook {
  /** How each field would come back: clear (revealed for the purpose), masked, or hidden (not even readable). */
  readonly fields: ReadonlyMap<string, FieldView>;
  readonly actions: ReadonlyMap<string, boolean>;
}

/** What `subject` would see of a record of `type` in standing `ctx`, and may do, under `engine`. */
export function outlook(engine: PolicyEngine, subject: Subject, type: RecordType, ctx: PolicyContext): Outlook {
  const actions = new Map<string, boolean>();
  for (const a of RECORD_ACTIONS) {
    actions.set(a, engine.allows(subject, a, { type: 'Record', recordType: type.name }, ctx));
  }
  for (const [a, area] of API_ACTIONS) {
    const resource: Resource = { type: 'Api', area };
    actions.set(a, engine.allows(subject, a, resource, ctx));
  }
  const readable = actions.get('read') === true;
  const views = engine.fieldViews(subject, type, ctx);
  const fields = new Map<string, FieldView>();
  for (const f of type.fields) {
    const v = views.get(f.name);
    fields.set(f.name, !readable || !v?.view ? 'hidden' : v.reveal ? 'clear' : 'masked');
  }
  return { fields, actions };
}
