/**
 * A vault on disk: a directory holding `vault.json` (which database, which tenant), `vault.key` (the
 * key-encryption key, owner-only; or TRACEVAULT_KEK), the SQLite file `vault.db` when SQLite is
 * the backend, and `admin.token` (the first administrator's API token, owner-only).
 *
 * The vault's cipher suite (crypto/cipher-suite.ts) is chosen at init and recorded twice: in
 * `vault.json` and in the database's `meta` table. Opening checks that both agree, and the KEK is
 * read under that suite (its id is the suite's hash), so a vault opened with the wrong suite fails
 * closed (ERR_CIPHER_SUITE) before any key is unwrapped. A vault made before the choice existed has
 * neither and is `aes`.
 */
import { existsSync, mkdirSync, openSync, writeSync, closeSync, readFileSync, fsyncSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TracevaultError } from '../errors.ts';
import { createKeyFile, loadKek, type Kek } from '../crypto/key-file.ts';
import { isCipherSuiteName, type CipherSuiteName } from '../crypto/cipher-suite.ts';
import { newDataKey, rewrapDataKey, TenantKeys, type WrappedDataKey } from '../crypto/keyring.ts';
import { newId, newToken, tokenHash } from '../crypto/ids.ts';
import { tableAuditSink, type AuditSink } from './audit.ts';
import type { DatabaseConfig, Db } from './db.ts';
import { openDb } from './dialect/open-db.ts';
import { migrate } from './migrations.ts';
import { Registry, type Actor } from './registry.ts';
import { normaliseLogin } from './login.ts';

export interface VaultConfig {
  readonly format: 1;
  readonly tenantId: string;
  readonly database: DatabaseConfig;
  /** Absent in vaults made before the choice existed: `aes`. */
  readonly cipherSuite?: CipherSuiteName;
}

/** The meta row that records the vault's cipher suite in its database. */
const SUITE_META = 'cipher_suite';

export interface Principal extends Actor {
  readonly id: string;
  readonly orgId: string | null;
  readonly orgKind: string;
  readonly displayName: string;
  readonly roles: readonly string[];
}

/** The new KEK while `keys rotate-kek` runs (store/kek-rotation.ts). */
export const NEXT_KEK = 'vault.key.next';

export const FILES = { config: 'vault.json', key: 'vault.key', sqlite: 'vault.db', adminToken: 'admin.token' } as const;

export class Vault {
  readonly dir: string;
  readonly config: VaultConfig;
  readonly db: Db;
  readonly kek: Kek;
  readonly keys: TenantKeys;
  readonly registry: Registry;

  constructor(
    dir: string,
    config: VaultConfig,
    db: Db,
    kek: Kek,
    keys: TenantKeys,
    audit: AuditSink,
    now?: () => Date,
  ) {
    this.dir = dir;
    this.config = config;
    this.db = db;
    this.kek = kek;
    this.keys = keys;
    this.registry = new Registry(db, keys, {
      tenantId: config.tenantId,
      audit,
      now,
      reloadKeys: () => this.reloadKeys(),
    });
  }

  get tenantId(): string {
    return this.config.tenantId;
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  /** Re-reads the tenant's wrapped data keys (another process may have rotated them). */
  async reloadKeys(): Promise<void> {
    for (const w of await loadDataKeys(this.db, this.tenantId)) {
      if (w.purpose === 'data' && !this.keys.hasVersion(w.version)) this.keys.addDataKey(this.kek, w);
    }
  }

  async createOrganisation(actor: Actor, org: { name: string; kind: string; region?: string | null }): Promise<string> {
    const id = newId('o');
    await this.registry.audited(async (tx, events) => {
      await tx.run(
        'INSERT INTO organisations (id, tenant_id, name, kind, region, created_at, created_by) ' +
          'VALUES (?, ?, ?, ?, ?, ?, ?)',
        [id, this.tenantId, org.name, org.kind, org.region ?? null, this.registry.now().toISOString(), actor.id],
      );
      events.push({
        action: 'organisation.create',
        principalId: actor.id,
        organisationId: actor.orgId ?? undefined,
        detail: { organisation: id, kind: org.kind },
      });
    });
    return id;
  }

  async organisation(
    id: string,
  ): Promise<{ id: string; name: string; kind: string; region: string | null } | undefined> {
    return this.db.get('SELECT id, name, kind, region FROM organisations WHERE id = ? AND tenant_id = ?', [
      id,
      this.tenantId,
    ]);
  }

  /**
   * Stores a principal and returns its API token: shown once, stored as a hash. The rules on roles,
   * organisation kinds, logins and passwords are access's (access/directory.ts checks them and
   * hashes the password); this only writes what it is given.
   */
  async createPrincipal(
    actor: Actor | null,
    p: PrincipalInput,
    db: Db = this.db,
  ): Promise<{ id: string; token: string }> {
    const roles = p.roles;
    const passwordHash = p.passwordHash ?? null;
    const id = newId('p');
    const token = newToken();
    const login = p.login === undefined ? undefined : normaliseLogin(p.login);
    await this.registry.audited(async (tx, events) => {
      // lower(login) also finds a login stored before logins were normalised (migration 18).
      if (
        login !== undefined &&
        (await tx.get('SELECT 1 AS x FROM principals WHERE tenant_id = ? AND lower(login) = ?', [this.tenantId, login]))
      ) {
        throw new TracevaultError('ERR_CONFLICT', { field: 'login' });
      }
      await tx.run(
        'INSERT INTO principals ' +
          '(id, tenant_id, org_id, display_name, roles, token_hash, created_at, created_by, login, password_hash) ' +
          'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [
          id,
          this.tenantId,
          p.orgId ?? null,
          p.displayName,
          roles.join(','),
          tokenHash(token),
          this.registry.now().toISOString(),
          actor?.id ?? null,
          login ?? null,
          passwordHash,
        ],
      );
      for (const r of p.relationships ?? []) {
        await tx.run(
          'INSERT INTO care_relationships (principal_id, kind, value) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
          [id, r.kind, r.value],
        );
      }
      events.push({
        action: 'principal.create',
        principalId: actor?.id ?? id,
        organisationId: actor?.orgId ?? undefined,
        detail: { principal: id, roles: roles.join(',') },
      });
    }, db);
    return { id, token };
  }

  /** The principal a bearer token (API token or session) belongs to, or ERR_UNAUTHENTICATED whatever was wrong. */
  async authenticate(token: string): Promise<Principal> {
    const hash = tokenHash(token.trim());
    const now = this.registry.now().toISOString();
    const row = await this.db.get<PrincipalRow>(
      `SELECT p.id, p.org_id, p.display_name, p.roles, p.disabled_at, o.kind AS org_kind
       FROM principals p LEFT JOIN organisations o ON o.id = p.org_id
       WHERE p.tenant_id = ?
         AND (p.token_hash = ? OR p.id = (SELECT principal_id FROM sessions WHERE token_hash = ? AND expires_at > ?))`,
      [this.tenantId, hash, hash, now],
    );
    if (!row || row.disabled_at) throw new TracevaultError('ERR_UNAUTHENTICATED');
    return principalOf(row);
  }

  async principal(id: string): Promise<Principal | undefined> {
    const row = await this.db.get<PrincipalRow>(
      'SELECT p.id, p.org_id, p.display_name, p.roles, p.disabled_at, o.kind AS org_kind ' +
        'FROM principals p LEFT JOIN organisations o ON o.id = p.org_id WHERE p.tenant_id = ? AND p.id = ?',
      [this.tenantId, id],
    );
    return row ? principalOf(row) : undefined;
  }
}

/**
 * Care relationships: `ward` (a ward name in the principal's hospital), `patient` (a record id), `district` (a
 * region code or name).
 */
export interface CareRelationship {
  readonly kind: 'ward' | 'patient' | 'district';
  readonly value: string;
}

export interface PrincipalInput {
  readonly displayName: string;
  readonly roles: readonly string[];
  readonly orgId?: string | null;
  readonly login?: string;
  /** An argon2id hash (access/password.ts), never a password. */
  readonly passwordHash?: string;
  readonly relationships?: readonly CareRelationship[];
}

interface PrincipalRow {
  id: string;
  org_id: string | null;
  display_name: string;
  roles: string;
  disabled_at: string | null;
  org_kind: string | null;
  [k: string]: unknown;
}

function principalOf(row: PrincipalRow): Principal {
  return {
    id: row.id,
    orgId: row.org_id,
    orgKind: row.org_kind ?? 'operator',
    displayName: row.display_name,
    roles: row.roles.split(',').filter(Boolean),
  };
}

export async function loadDataKeys(db: Db, tenantId: string): Promise<WrappedDataKey[]> {
  const rows = await db.all<{ purpose: 'data' | 'index'; version: number; kek_id: string; wrapped: Buffer }>(
    'SELECT purpose, version, kek_id, wrapped FROM data_keys WHERE tenant_id = ?',
    [tenantId],
  );
  return rows.map((r) => ({
    tenantId,
    purpose: r.purpose,
    version: Number(r.version),
    kekId: r.kek_id,
    wrapped: r.wrapped,
  }));
}

function writeOwnerOnly(path: string, text: string): void {
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export interface InitOptions {
  /** Default: SQLite in DIR/vault.db. */
  readonly database?: DatabaseConfig;
  readonly tenantId?: string;
  readonly audit?: AuditSink;
  readonly env?: NodeJS.ProcessEnv;
  readonly now?: () => Date;
  /** The cipher suite of every key and sealed value (default `aes`); fixed for the vault's life. */
  readonly cipherSuite?: CipherSuiteName;
}

/** Creates a vault: key file, database, tenant keys, the administrator and its token file. */
export async function initVault(dirIn: string, opts: InitOptions = {}): Promise<{ vault: Vault; admin: Principal }> {
  const dir = resolve(dirIn);
  if (existsSync(join(dir, FILES.config))) throw new TracevaultError('ERR_VAULT_EXISTS');
  const suite = opts.cipherSuite ?? 'aes';
  if (!isCipherSuiteName(suite)) throw new TracevaultError('ERR_CIPHER_SUITE');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const env = opts.env ?? process.env;
  const kek = env.TRACEVAULT_KEK
    ? loadKek(join(dir, FILES.key), env, suite)
    : createKeyFile(join(dir, FILES.key), suite);
  const tenantId = opts.tenantId ?? 'default';
  const database: DatabaseConfig = opts.database ?? { kind: 'sqlite', file: FILES.sqlite };
  const config: VaultConfig = { format: 1, tenantId, database, cipherSuite: suite };
  const db = await connect(dir, database);
  try {
    await migrate(db);
    const now = (opts.now ?? (() => new Date()))().toISOString();
    const wrapped = [newDataKey(kek, tenantId, 'data', 1), newDataKey(kek, tenantId, 'index', 1)];
    await db.transaction(async (tx) => {
      await tx.run('INSERT INTO tenants (id, created_at) VALUES (?, ?)', [tenantId, now]);
      for (const w of wrapped) {
        await tx.run(
          'INSERT INTO data_keys (tenant_id, purpose, version, kek_id, wrapped, created_at) VALUES (?, ?, ?, ?, ?, ?)',
          [w.tenantId, w.purpose, w.version, w.kekId, w.wrapped, now],
        );
      }
      await tx.run('INSERT INTO meta (key, value) VALUES (?, ?)', ['kek_id', kek.id]);
      await tx.run('INSERT INTO meta (key, value) VALUES (?, ?)', [SUITE_META, suite]);
    });
    const vault = new Vault(
      dir,
      config,
      db,
      kek,
      new TenantKeys(kek, tenantId, wrapped),
      opts.audit ?? tableAuditSink,
      opts.now,
    );
    const orgId = await vault.createOrganisation(
      { id: 'system', orgId: null },
      { name: 'Registry operator', kind: 'operator' },
    );
    const { id, token } = await vault.createPrincipal(null, {
      displayName: 'administrator',
      roles: ['administrator'],
      orgId,
    });
    writeOwnerOnly(join(dir, FILES.adminToken), `${token}\n`);
    writeOwnerOnly(join(dir, FILES.config), `${JSON.stringify(config, null, 2)}\n`);
    return { vault, admin: { id, orgId, orgKind: 'operator', displayName: 'administrator', roles: ['administrator'] } };
  } catch (e) {
    await db.close();
    throw e;
  }
}

async function connect(dir: string, database: DatabaseConfig): Promise<Db> {
  if (database.kind === 'sqlite') return openDb({ kind: 'sqlite', file: resolve(dir, database.file ?? FILES.sqlite) });
  return openDb(database);
}

function readConfig(dir: string): VaultConfig {
  try {
    return JSON.parse(readFileSync(join(dir, FILES.config), 'utf8')) as VaultConfig;
  } catch {
    throw new TracevaultError('ERR_NO_VAULT');
  }
}

async function connectMigrated(dir: string, config: VaultConfig): Promise<Db> {
  const db = await connect(dir, config.database);
  try {
    await migrate(db);
  } catch (e) {
    await db.close();
    throw e;
  }
  return db;
}

export async function openVault(
  dirIn: string,
  opts: { env?: NodeJS.ProcessEnv; audit?: AuditSink; now?: () => Date } = {},
): Promise<Vault> {
  const dir = resolve(dirIn);
  const config = readConfig(dir);
  const suite = config.cipherSuite ?? 'aes';
  if (!isCipherSuiteName(suite)) throw new TracevaultError('ERR_CIPHER_SUITE');
  const kek = loadKek(join(dir, FILES.key), opts.env ?? process.env, suite);
  const db = await connectMigrated(dir, config);
  try {
    const recorded = await db.get<{ value: string }>('SELECT value FROM meta WHERE key = ?', [SUITE_META]);
    if ((recorded?.value ?? 'aes') !== suite) throw new TracevaultError('ERR_CIPHER_SUITE');
    const meta = await db.get<{ value: string }>('SELECT value FROM meta WHERE key = ?', ['kek_id']);
    // Midway through `keys rotate-kek` (store/kek-rotation.ts) the data keys are under either KEK.
    const next = existsSync(join(dir, NEXT_KEK)) ? loadKek(join(dir, NEXT_KEK), {}, suite) : undefined;
    const current = next && meta?.value === next.id ? next : kek;
    if (meta?.value !== current.id) throw new TracevaultError('ERR_KEY_MISMATCH');
    const other = current === next ? kek : next;
    const wrapped = (await loadDataKeys(db, config.tenantId)).map((w) =>
      other && w.kekId === other.id ? rewrapDataKey(other, current, w) : w,
    );
    const keys = new TenantKeys(current, config.tenantId, wrapped);
    return new Vault(dir, config, db, current, keys, opts.audit ?? tableAuditSink, opts.now);
  } catch (e) {
    await db.close();
    throw e;
  }
}

/** The vault's database alone, without its keys: for checks that read no personal data (the ledger). */
export async function openVaultDb(dirIn: string): Promise<Db> {
  const dir = resolve(dirIn);
  return connectMigrated(dir, readConfig(dir));
}

/** The token in DIR/admin.token, for the command line acting as the administrator. */
export function readAdminToken(dir: string): string {
  try {
    return readFileSync(join(resolve(dir), FILES.adminToken), 'utf8').trim();
  } catch {
    throw new TracevaultError('ERR_UNAUTHENTICATED');
  }
}
