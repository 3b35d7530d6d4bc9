/**
 * The fault tests' parts (issue 23, ADR 0028): a real `tracevault serve` process on a vault
 * (killed with SIGKILL, restarted), a vault with a clinician, a records clerk and an approved export
 * to load it with, and the counts that must agree after a fault — disclosures, ledger entries, the
 * disclosures that have no ledger entry.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import assert from 'node:assert/strict';
import { initVault, openVault } from '../../src/store/vault.ts';
import type { DatabaseConfig } from '../../src/store/db.ts';
import { loadCity } from '../../src/sim/load.ts';
import { Ledger } from '../../src/ledger/log.ts';

export const BIN = new URL('../../bin/tracevault.js', import.meta.url).pathname;

export interface Served {
  readonly url: string;
  readonly child: ChildProcess;
  /** Lines the server wrote on stderr (its request log and anything else). */
  readonly stderr: string[];
  /** kill -9, and waits for the process to be gone. */
  kill9(): Promise<void>;
  /** SIGTERM (a clean stop), and waits. */
  stop(): Promise<void>;
}

/** `tracevault serve --data DIR --port 0` in a process of its own; resolves once it listens. */
export async function spawnServer(dir: string, env: NodeJS.ProcessEnv = {}): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'serve', '--data', dir, '--port', '0', '--host', '127.0.0.1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_NO_WARNINGS: '1', ...env },
  });
  const stderr: string[] = [];
  child.stderr.setEncoding('utf8').on('data', (s: string) => stderr.push(s));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr.join('')}`)), 60_000);
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code}): ${stderr.join('')}`));
    });
  });
  const end = async (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    await exited;
  };
  return { url, child, stderr, kill9: () => end('SIGKILL'), stop: () => end('SIGTERM') };
}

/** Runs the CLI to its end: its exit code and output. */
export function cli(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NODE_NO_WARNINGS: '1', ...env },
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export interface LoadedVault {
  /** A clinician with 25 patients (reveals), a records clerk (exports), a DPO (approves). */
  readonly clinician: string;
  readonly clerk: string;
  readonly dpo: string;
  /** An investigator (trace jobs). */
  readonly investigator: string;
  readonly patients: readonly string[];
  readonly orgId: string;
}

/** A vault of a small synthetic city, closed again (a server process opens it). */
export async function loadedVault(dir: string, database: DatabaseConfig, families = 60): Promise<LoadedVault> {
  const { vault, admin } = await initVault(dir, { database });
  try {
    const city = await loadCity(vault, admin, { seed: 'fault-tests', families, hospitals: 1 });
    const orgId = city.hospitals[0]!.orgId;
    const patients = (
      await vault.db.all<{ id: string }>('SELECT id FROM records WHERE org_id = ? ORDER BY seq LIMIT 25', [orgId])
    ).map((r) => r.id);
    const make = async (roles: string[], extra: object = {}) =>
      (await vault.createPrincipal(admin, { displayName: roles[0]!, roles, orgId, ...extra })).token;
    const clinician = await make(['clinician'], {
      relationships: patients.map((value) => ({ kind: 'patient' as const, value })),
    });
    const clerk = await make(['records_clerk']);
    const dpo = (await vault.createPrincipal(admin, { displayName: 'dpo', roles: ['dpo'], orgId: admin.orgId })).token;
    const investigator = (await vault.createPrincipal(admin, { displayName: 'inv', roles: ['investigator'] })).token;
    await new Ledger(vault.db).integrate();
    return { clinician, clerk, dpo, investigator, patients, orgId };
  } finally {
    await vault.close();
  }
}

export async function call(
  base: string,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown>; headers: Headers; text: string }> {
  const res = await fetch(base + path, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // A file (an export), not JSON.
  }
  return { status: res.status, json, headers: res.headers, text };
}

/** An export of the clerk's hospital, requested by the clerk and approved by the DPO: its id. */
export async function approvedExport(base: string, v: LoadedVault): Promise<string> {
  const req = await call(base, 'POST', '/v1/exports', v.clerk, {
    purpose: 'birth_registration',
    fields: ['babyName', 'motherName', 'birthTime'],
    format: 'csv',
  });
  assert.equal(req.status, 201, req.text);
  const ok = await call(base, 'POST', `/v1/exports/${req.json.id as string}/approve`, v.dpo);
  assert.equal(ok.status, 200, ok.text);
  return req.json.id as string;
}

export interface LedgerCounts {
  readonly disclosures: number;
  readonly entries: number;
  /** Disclosures no ledger entry names (must be none). */
  readonly unledgered: readonly string[];
  /** Of the given disclosure ids (the 200s clients received), those missing a disclosure or an entry. */
  readonly lost: readonly string[];
}

/** Opens the vault (no server on it) and counts what a fault must leave consistent. */
export async function ledgerCounts(dir: string, received: readonly string[] = []): Promise<LedgerCounts> {
  const vault = await openVault(dir);
  try {
    const ids = new Set((await vault.db.all<{ id: string }>('SELECT id FROM disclosures')).map((r) => r.id));
    const named = new Set<string>();
    const entries = await vault.db.all<{ entry: string }>('SELECT entry FROM audit_events');
    for (const e of entries) {
      const d = (JSON.parse(e.entry) as { disclosureId?: string }).disclosureId;
      if (d) named.add(d);
    }
    return {
      disclosures: ids.size,
      entries: entries.length,
      unledgered: [...ids].filter((id) => !named.has(id)),
      lost: received.filter((id) => !ids.has(id) || !named.has(id)),
    };
  } finally {
    await vault.close();
  }
}

/** A PostgreSQL vault config in a schema of its own, or SQLite's. */
export type { DatabaseConfig };
