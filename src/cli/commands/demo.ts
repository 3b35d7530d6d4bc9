import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { initVault, openVault, FILES } from '../../store/vault.ts';
import { loadCity } from '../../sim/load.ts';
import { createDemoStaff, createStolenClinician, plantPoison, type DemoCredential } from '../../sim/staff.ts';
import { gatherFacts, type StoryFacts } from '../../sim/story/facts.ts';
import { LEAK_NOISE } from '../../sim/story/due-list.ts';
import { StoryApi, StoryError } from '../../sim/story/http.ts';
import { readStory, storyTold, tellStory, type StoryState } from '../../sim/story/story.ts';
import { Services } from '../../service/services.ts';
import type { DatabaseConfig } from '../../store/db.ts';
import { summarise } from '../../store/summary.ts';
import { err, out, progress } from '../output.ts';
import { printSummary } from './summary.ts';
import { serve } from './serve.ts';

const CREDENTIALS = 'demo-credentials.json';
/** The demo guardian's invitation (shown once in real life; kept here for the demo). */
const PORTAL = 'demo-portal.json';
/** Where the served demo's messages (the portal's one-time codes) are written. */
const OUTBOX = 'outbox.jsonl';
/** What the demo's story made (sim/story/story.ts). */
const STORY = 'demo-story.json';
/** The leaked copy of the clinic's due list, for investigators to drop into the console. */
const LEAK = 'leaked-due-list.csv';
/** The role of the principal whose token the story's scraper stole (not a demo login). */
const STOLEN = 'clinician (token stolen)';

interface DemoGuardian {
  readonly recordId: string;
  readonly motherPhone: string;
  readonly invitationCode: string;
  readonly expiresAt: string;
}

export interface DemoOptions {
  readonly data: string;
  readonly families: number;
  readonly seed: string;
  readonly port: number;
  readonly host: string;
  readonly serve: boolean;
  /** Where the vault's database lives (default: SQLite in the directory, the embedded default). */
  readonly database?: DatabaseConfig;
}

/** The served demo: its URL, its people, what its story made, and how to stop it. */
export interface Demo {
  readonly url: string;
  readonly dir: string;
  readonly creds: readonly DemoCredential[];
  readonly story: StoryState;
  readonly guardian: DemoGuardian | undefined;
  readonly stop: () => Promise<void>;
}

/**
 * A demo family's invitation to the parents' portal, issued by the demo clinician for the last
 * record of its hospital (the story's families are the first ones): reused until it expires, then
 * issued again. Undefined when the vault's policy has no `invite` rule (a demo vault made before the
 * portal) or there is no clinician.
 */
async function demoGuardian(dir: string, creds: readonly DemoCredential[]): Promise<DemoGuardian | undefined> {
  const file = join(dir, PORTAL);
  if (existsSync(file)) {
    const kept = JSON.parse(readFileSync(file, 'utf8')) as DemoGuardian;
    if (kept.expiresAt > new Date().toISOString()) return kept;
  }
  const clinician = creds.find((c) => c.role === 'clinician');
  if (!clinician) return undefined;
  const vault = await openVault(dir);
  try {
    const principal = await vault.principal(clinician.principalId);
    const services = await Services.open(vault);
    const rows = await vault.db.all<{ id: string }>(
      'SELECT id FROM records WHERE org_id = ? AND erased_at IS NULL ORDER BY seq DESC LIMIT 10',
      [principal?.orgId ?? ''],
    );
    const row = rows.find((r) => !services.gate.isPoison(r.id));
    if (!principal || !row) return undefined;
    const phone = (await vault.registry.get(row.id)).current.get('motherPhone')?.value;
    if (typeof phone !== 'string') return undefined;
    const issued = await services.portal.invitations
      .issue({ principal, requestId: 'demo' }, row.id)
      .catch(() => undefined);
    if (!issued) return undefined;
    const g = { recordId: row.id, motherPhone: phone, invitationCode: issued.code, expiresAt: issued.expiresAt };
    writeFileSync(file, `${JSON.stringify(g, null, 2)}\n`, { mode: 0o600 });
    return g;
  } finally {
    await vault.close();
  }
}

/** A new demo vault: the synthetic city, one principal of each role, a few poison records. */
async function createDemoVault(dir: string, opts: DemoOptions): Promise<void> {
  out(`creating a demo vault in ${dir} …`);
  const { vault, admin } = await initVault(dir, { database: opts.database });
  try {
    const bar = progress('synthetic city');
    const city = await loadCity(vault, admin, { seed: opts.seed, families: opts.families }, (d, t) => bar.update(d, t));
    bar.end();
    const h = city.hospitals[0]!;
    const first = await vault.db.get<{ id: string }>('SELECT id FROM records WHERE org_id = ? ORDER BY seq LIMIT 1', [
      h.orgId,
    ]);
    const wardValue = first ? (await vault.registry.get(first.id)).current.get('ward')?.value : undefined;
    const ward = typeof wardValue === 'string' ? wardValue : '';
    const region = (await vault.organisation(h.orgId))?.region ?? '';
    const staff = await createDemoStaff(vault, admin, city, ward, region);
    const stolen = await createStolenClinician(vault, admin, h, ward);
    const services = await Services.open(vault);
    await plantPoison(vault, services, city, 2, opts.seed);
    const adminToken = readFileSync(join(dir, FILES.adminToken), 'utf8').trim();
    const all: DemoCredential[] = [
      { role: 'administrator', principalId: admin.id, organization: 'Registry operator', token: adminToken },
      ...staff,
      {
        role: STOLEN,
        displayName: stolen.displayName,
        principalId: stolen.id,
        organization: h.name,
        token: stolen.token,
      },
    ];
    writeFileSync(join(dir, CREDENTIALS), `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
    out('');
    printSummary(await summarise(vault));
  } finally {
    await vault.close();
  }
}

/**
 * What the story's people know before it starts (sim/story/facts.ts), and the stolen clinician of a
 * demo vault made before the story (added to the credentials file).
 */
async function prepareStory(dir: string, creds: DemoCredential[]): Promise<StoryFacts> {
  const vault = await openVault(dir);
  try {
    const clinician = creds.find((c) => c.role === 'clinician');
    const hospital = clinician ? await vault.principal(clinician.principalId) : undefined;
    if (!hospital?.orgId) throw new StoryError('the demo vault has no clinician to tell it with');
    if (!creds.some((c) => c.role === STOLEN)) {
      const admin = await vault.principal(creds.find((c) => c.role === 'administrator')!.principalId);
      const org = { name: clinician!.organization, orgId: hospital.orgId };
      const stolen = await createStolenClinician(vault, admin!, org, '');
      creds.push({
        role: STOLEN,
        displayName: stolen.displayName,
        principalId: stolen.id,
        organization: org.name,
        token: stolen.token,
      });
      writeFileSync(join(dir, CREDENTIALS), `${JSON.stringify(creds, null, 2)}\n`, { mode: 0o600 });
    }
    return await gatherFacts(vault, await Services.open(vault), hospital.orgId);
  } finally {
    await vault.close();
  }
}

/**
 * Builds the demo in `opts.data` (or reuses it) and serves it: the vault, then the story told over
 * the served HTTP API the first time (sim/story/story.ts). Resolves once both are ready.
 */
export async function startDemo(opts: DemoOptions): Promise<Demo> {
  const dir = resolve(opts.data);
  if (!existsSync(join(dir, FILES.config))) await createDemoVault(dir, opts);
  else out(`using the demo vault in ${dir}`);
  const creds = JSON.parse(readFileSync(join(dir, CREDENTIALS), 'utf8')) as DemoCredential[];
  const storyFile = join(dir, STORY);
  const facts = storyTold(readStory(storyFile)) ? undefined : await prepareStory(dir, creds);
  const guardian = await demoGuardian(dir, creds);
  const outbox = join(dir, OUTBOX);
  const served = await serve({ data: dir, port: opts.port, host: opts.host, quiet: true, outbox });
  try {
    let story = readStory(storyFile);
    if (facts) {
      const token = (role: string) => creds.find((c) => c.role === role)!.token;
      const started = Date.now();
      let bar: ReturnType<typeof progress> | undefined;
      story = await tellStory({
        api: new StoryApi(served.url),
        cast: {
          admin: creds.find((c) => c.role === 'administrator' && !c.login)!.token,
          clerk: token('records_clerk'),
          nurse: token('vaccination_nurse'),
          dpo: token('dpo'),
          investigator: token('investigator'),
          stolen: token(STOLEN),
        },
        facts,
        file: storyFile,
        outbox,
        leakFile: join(dir, LEAK),
        seed: opts.seed,
        onStep: (label) => {
          bar?.end();
          out(`story: ${label} …`);
          bar = progress('  ');
        },
        onProgress: (d, t) => bar?.update(d, t),
      });
      bar?.end();
      out(`story told in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    return { url: served.url, dir, creds, story, guardian, stop: served.stop };
  } catch (e) {
    await served.stop();
    throw e;
  }
}

/**
 * What the demo prints once it is ready: where to go, who to log in as, what happened. Ids, counts
 * and the demo's logins only (a portal login is a synthetic family's phone), never another value.
 */
export function printDemo(d: Demo, data: string, say: (line: string) => void = out): void {
  const { url, creds, story } = d;
  const name = (id: string | null | undefined) => creds.find((c) => c.principalId === id)?.displayName ?? id ?? '—';
  say('');
  say(`Tracevault is listening on ${url}`);
  say(`  staff console    ${url}/console/`);
  say(`  parents' portal  ${url}/portal/`);
  say(`  API docs         ${url}/docs   (OpenAPI: ${url}/openapi.json)`);
  say('');
  say(`console logins (demo only; tokens too in ${join(data, CREDENTIALS)}):`);
  for (const c of creds)
    if (c.login) say(`  ${c.role.padEnd(18)} ${`${c.login} / ${c.password}`.padEnd(40)} ${c.displayName ?? ''}`);
  say('');
  say('what has happened in the city:');
  if (story.scraper) {
    const who = name(creds.find((c) => c.role === STOLEN)?.principalId);
    const { read, blocked, alerts } = story.scraper;
    say(
      `  - a scraper used ${who}'s stolen token: ${read.length} records read, then ` +
        `${blocked ? 'blocked by the guard' : 'not blocked'} (${alerts} alerts in the DPO's queue)`,
    );
  }
  if (story.dueList)
    say(
      `  - the clinic's due list (${story.dueList.rows} rows) leaked; a copy with ` +
        `${Math.round(LEAK_NOISE * 100)}% noise is ${join(data, LEAK)}`,
    );
  if (story.trace)
    say(
      `  - the investigator's trace accuses ${name(story.trace.accused)}: ` +
        `${url}/console/traces/${story.trace.id} (log in as the investigator)`,
    );
  if (story.canaryCall)
    say(
      `  - a buyer called a canary's number: hit ${story.canaryCall.hitId}, confirmed: ${story.canaryCall.confirmed}`,
    );
  if (story.reports) say(`  - ${story.reports.ids.length} suspicious calls reported by parents in the portal`);
  if (story.pendingExport) say(`  - an export ${story.pendingExport.id} waits for the DPO's approval`);
  if (story.pendingPrincipal)
    say(`  - a new clinician's account ${story.pendingPrincipal.id} waits for a second administrator's approval`);
  if (story.partner) say('  - a maternal-health service joined as a partner organisation families may consent to');
  if (story.demoFamily) say(`  - a rights request ${story.demoFamily.requestId} (a correction) waits for a decision`);
  say('');
  say("parents' portal:");
  if (story.demoFamily)
    say(
      `  a family that reported a call: log in with the mother's phone ${story.demoFamily.motherPhone} ` +
        '(the code arrives in the outbox)',
    );
  if (d.guardian)
    say(
      `  a new family: enrol with invitation code ${d.guardian.invitationCode} and the mother's phone ` +
        `${d.guardian.motherPhone} (until ${d.guardian.expiresAt})`,
    );
  say(`  one-time codes arrive in ${join(data, OUTBOX)} (one JSON line per message)`);
  say('press Ctrl-C to stop');
}

/**
 * `npm start`: a vault on the embedded default (SQLite) with a synthetic city, one principal of each
 * role and the story of its leaks (created on the first run, reused after), served over HTTP with
 * the staff console and the parents' portal; prints the URLs, the logins and what happened.
 */
export async function demoCommand(opts: DemoOptions): Promise<void> {
  const demo = await startDemo(opts).catch((e: unknown) => {
    // Its words are safe (a route, a status, a code); any other error stays behind an incident id.
    if (e instanceof StoryError) err(e.message);
    throw e;
  });
  if (!opts.serve) {
    await demo.stop();
    return;
  }
  printDemo(demo, opts.data);
  await new Promise(() => undefined);
}
