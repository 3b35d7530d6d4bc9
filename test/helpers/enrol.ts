/**
 * A principal created over HTTP as a deployment must (service/enrolments.ts): the creator's request,
 * then, for one that acts on records or administers, a second administrator's approval and the
 * person's enrolment with both halves. Returns its id and its API token.
 */
import assert from 'node:assert/strict';
import { needsSecondAdministrator } from '../../src/access/roles.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are read field by field
type Json = any;

async function call(base: string, method: string, path: string, token: string | undefined, body?: unknown) {
  const res = await fetch(base + path, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const json: Json = JSON.parse(text);
  return { status: res.status, text, json };
}

/**
 * `body` is POST /v1/principals's; its `password`, when the principal waits for approval, is set at
 * enrolment instead (the creator may not choose it).
 */
export async function enrolOverHttp(
  base: string,
  creator: string,
  approver: string,
  body: { readonly roles: readonly string[]; readonly password?: string } & Record<string, unknown>,
): Promise<{ id: string; token: string }> {
  const { password, ...rest } = body;
  const dual = needsSecondAdministrator(body.roles);
  const created = await call(base, 'POST', '/v1/principals', creator, dual ? rest : body);
  assert.equal(created.status, 201, created.text);
  const id = created.json.id as string;
  if (created.json.status === 'active') return { id, token: created.json.token as string };
  assert.equal(created.json.token, undefined, 'the creator receives no token');
  const approved = await call(base, 'POST', `/v1/principals/${id}/approve`, approver);
  assert.equal(approved.status, 200, approved.text);
  const enrolled = await call(base, 'POST', '/v1/enrolments', undefined, {
    principalId: id,
    creatorCode: created.json.enrolment.code,
    approverCode: approved.json.enrolment.code,
    ...(password !== undefined ? { password } : {}),
  });
  assert.equal(enrolled.status, 201, enrolled.text);
  return { id, token: enrolled.json.token as string };
}
