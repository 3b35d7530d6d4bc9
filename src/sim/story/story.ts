/**
 * The demo's story: the seeds' incidents, happening in the demo city over the served registry's
 * HTTP API, so that every console and portal screen has something real to show.
 *
 *   1. The registry's investigator registers a phone the operator answers, for canaries.
 *   2. The vaccination clinic's nurse runs the district's monthly due list, a standing export the
 *      DPO approved (seed 000, Jinan: "leaked when their children were vaccinated").
 *   3. A copy of that list turns up for sale, relabelled and padded; the investigator traces it.
 *   4. A buyer calls a family on the list that is a canary: the operator's phone rings.
 *   5. A scraper with a clinician's stolen token walks the hospital's records (seed 001) and is
 *      blocked by the guard; its alerts wait in the DPO's queue.
 *   6. Parents called by "the clinic" and by "the hospital's photographer" (seed 003) report the
 *      calls in the portal; one of them also asks for a correction of her child's record.
 *   7. The hospital's records clerk asks for the quarter's birth registration export.
 *   8. The registry's administrator opens an account for a new midwife; it waits for a second
 *      administrator's approval.
 *   9. A maternal-health service joins as a partner: families may consent to its calls.
 *  10. The nurse gives the first child due this week its dose and records it.
 *
 * Each step is done once: what it made is kept in the demo directory's story file, so a second
 * `npm start` finds the story told and a story cut short goes on where it stopped.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mobile } from '../../synth/people.ts';
import { Rng } from '../../synth/random.ts';
import { localDate } from '../../schema/local-date.ts';
import { enrolFamily, reportCall, type SuspiciousCall } from './families.ts';
import type { StoryFacts, StoryFamily } from './facts.ts';
import { StoryError, type StoryApi } from './http.ts';
import { scrape } from './scraper.ts';
import { runDueList, traceLeak, type DueListRun } from './due-list.ts';

export interface StoryCast {
  /** The registry's first administrator (the one `init` made), who creates accounts. */
  readonly admin: string;
  readonly clerk: string;
  readonly nurse: string;
  readonly dpo: string;
  readonly investigator: string;
  /** The clinician whose token the scraper stole. */
  readonly stolen: string;
}

/** What the story made, by step (kept in the story file, mode 0600: synthetic values only). */
export interface StoryState {
  contact?: { phone: string };
  dueList?: DueListRun;
  trace?: { id: string; accused: string | null };
  canaryCall?: { hitId: string; confirmed: boolean; disclosureIds: string[] };
  scraper?: { read: string[]; blocked: boolean; alerts: number };
  reports?: { ids: string[]; families: string[] };
  /** The family whose parent the demo prints a portal login for: reported a call, asked for a correction. */
  demoFamily?: { recordId: string; motherPhone: string; requestId: string };
  pendingExport?: { id: string };
  /** A new clinician's account, waiting for a second administrator's approval (dual control). */
  pendingPrincipal?: { id: string };
  /** A partner organisation that families may consent to (the portal's consents screen). */
  partner?: { id: string };
  /** A dose the nurse gave a child of her list today, recorded so that the next list is right. */
  doseGiven?: { recordId: string; vaccine: string; dose: number };
  /** When the last step was told. */
  done?: string;
}

export interface StoryOptions {
  readonly api: StoryApi;
  readonly cast: StoryCast;
  readonly facts: StoryFacts;
  /** The story file (the state above). */
  readonly file: string;
  /** The outbox the served registry writes the portal's SMS messages to. */
  readonly outbox: string;
  /** Where the leaked copy of the due list is written, for investigators to drop into the console. */
  readonly leakFile: string;
  readonly seed: string;
  /** A step begins (`label`) and, for long ones, how far it got. */
  readonly onStep?: (label: string) => void;
  readonly onProgress?: (done: number, total: number) => void;
}

/** The calls parents report: what the callers claimed to be, and what they knew. */
export const CALLS: Readonly<Record<'clinic' | 'photographer', SuspiciousCall>> = {
  // From the due list: the child, the mother, her phone, the doses given.
  clinic: {
    callerNumber: '171 0531 2266',
    claimedToBe: '社区卫生服务中心预防接种门诊',
    knew: ['babyName', 'motherName', 'motherPhone', 'vaccinations'],
    quote: '说宝宝下一针疫苗要自费升级成进口的，让先转账预约，知道宝宝打过哪几针。',
  },
  // From the scraper: the birth, the hospital and ward, the mother's phone.
  photographer: {
    callerNumber: '170 2871 4455',
    claimedToBe: '医院新生儿摄影部',
    knew: ['babyName', 'birthTime', 'hospital', 'ward', 'motherPhone'],
    quote: '说是医院合作的摄影机构，免费拍满月照，要上门，报出了出生时间和病区。',
  },
};

/** Whether every step of the story has been told (a story file of an older demo may lack later steps). */
export function storyTold(s: StoryState): boolean {
  const steps = [s.contact, s.dueList, s.trace, s.canaryCall, s.scraper, s.reports, s.pendingExport];
  return [...steps, s.pendingPrincipal, s.partner, s.doseGiven].every((x) => x !== undefined);
}

export function readStory(file: string): StoryState {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as StoryState) : {};
}

/** Tells the story, or what is left of it. Returns what it made. */
export async function tellStory(o: StoryOptions): Promise<StoryState> {
  const s = readStory(o.file);
  const save = () => writeFileSync(o.file, `${JSON.stringify(s, null, 2)}\n`, { mode: 0o600 });
  const step = async (label: string, done: boolean, run: () => Promise<void>) => {
    if (done) return;
    o.onStep?.(label);
    await run();
    save();
  };
  const { api, cast } = o;

  await step('the operator registers a phone for canaries', !!s.contact, async () => {
    const phone = mobile(new Rng(`demo-canary-contact\0${o.seed}`));
    await api.call('POST', '/v1/canaries/contacts', {
      token: cast.investigator,
      body: { kind: 'phone', value: phone },
      expect: [201, 409],
    });
    s.contact = { phone };
  });

  await step("the clinic's nurse runs the district's due list", !!s.dueList, async () => {
    s.dueList = await runDueList(api, cast, {
      contact: s.contact!.phone,
      leakFile: o.leakFile,
      seed: o.seed,
      facts: o.facts,
    });
  });

  await step('a copy of the due list is for sale: the investigator traces it', !!s.trace, async () => {
    s.trace = await traceLeak(api, cast.investigator, o.leakFile, o.onProgress);
  });

  await step("a buyer calls a canary: the operator's phone rings", !!s.canaryCall, async () => {
    const r = await api.call<{ id: string; confirmed: boolean; disclosureIds: string[] }>('POST', '/v1/canaries/hits', {
      token: cast.investigator,
      body: {
        contact: s.contact!.phone,
        at: new Date().toISOString(),
        quote: s.dueList!.canaryQuote ?? '打来推销疫苗的电话，没有说出孩子的名字。',
      },
    });
    s.canaryCall = { hitId: r.json.id, confirmed: r.json.confirmed, disclosureIds: r.json.disclosureIds };
  });

  await step("a scraper with a clinician's stolen token meets the guard", !!s.scraper, async () => {
    const ids = o.facts.families.slice(0, 60).map((f) => f.id);
    const r = await scrape(api, cast.stolen, ids);
    const alerts = await api.call<{ alerts: unknown[] }>('GET', '/v1/alerts', { token: cast.dpo });
    s.scraper = { ...r, read: [...r.read], alerts: alerts.json.alerts.length };
  });

  await step('parents report the calls in the portal', !!s.reports, async () => {
    const byId = new Map(o.facts.families.map((f) => [f.id, f]));
    const clinic = s.dueList!.families.map((id) => byId.get(id)).filter((f): f is StoryFamily => !!f);
    const scraped = s.scraper!.read.map((id) => byId.get(id)).filter((f): f is StoryFamily => !!f);
    const victims: { family: StoryFamily; call: SuspiciousCall }[] = [
      ...clinic.slice(0, 6).map((family) => ({ family, call: CALLS.clinic })),
      ...scraped
        .filter((f) => !clinic.slice(0, 6).includes(f))
        .slice(0, 4)
        .map((family) => ({ family, call: CALLS.photographer })),
    ];
    // The families enrol side by side (each enrolment and login takes the portal's 200 ms floor).
    let done = 0;
    const tokens = await Promise.all(
      victims.map(async (v) => {
        const token = await enrolFamily(api, o.outbox, cast.clerk, v.family);
        o.onProgress?.(++done, victims.length);
        return token;
      }),
    );
    const ids: string[] = [];
    for (const [i, v] of victims.entries()) {
      // Every other caller hides the number (the cluster holds by the claim alone).
      const call = i % 2 === 0 ? v.call : { ...v.call, callerNumber: undefined };
      ids.push(await reportCall(api, tokens[i]!, v.family.id, call, new Date()));
    }
    const demo = victims[0] && {
      recordId: victims[0].family.id,
      motherPhone: victims[0].family.motherPhone,
      token: tokens[0]!,
    };
    s.reports = { ids, families: victims.map((v) => v.family.id) };
    if (demo) {
      // The first of them finds her husband's name misspelt on the record and asks for a correction.
      const r = await api.call<{ id: string }>('POST', '/v1/portal/requests', {
        token: demo.token,
        body: {
          childId: demo.recordId,
          kind: 'correction',
          fields: { fatherName: '王建国' },
          reason: '出生登记时父亲姓名录入错误，附户口簿复印件。',
        },
      });
      s.demoFamily = { recordId: demo.recordId, motherPhone: demo.motherPhone, requestId: r.json.id };
    }
  });

  await step("the records clerk asks for the quarter's birth registration export", !!s.pendingExport, async () => {
    const from = new Date(Date.now() - 92 * 86_400_000).toISOString();
    const r = await api.call<{ id: string }>('POST', '/v1/exports', {
      token: cast.clerk,
      body: {
        purpose: 'birth_registration',
        fields: ['babyName', 'babySex', 'birthTime', 'hospital', 'motherName', 'motherResidentId', 'address'],
        format: 'xlsx',
        filter: { collectedFrom: from },
        justification: '按季度向区卫健委报送出生登记信息（出生医学证明办理）。',
      },
    });
    s.pendingExport = { id: r.json.id };
  });

  await step(
    "an administrator opens a new midwife's account: it waits for a second one",
    !!s.pendingPrincipal,
    async () => {
      const midwife = '刘雅琴';
      const r = await api.call<{ id: string }>('POST', '/v1/principals', {
        token: cast.admin,
        body: { displayName: midwife, roles: ['clinician'], organizationId: o.facts.hospitalOrgId, login: 'midwife' },
        expect: [201, 409],
      });
      if (r.status === 201) s.pendingPrincipal = { id: r.json.id };
      else {
        // Made by a story cut short before it was kept: the account with her login waits already.
        type Pending = { principals: { id: string; displayName: string }[] };
        const pending = await api.call<Pending>('GET', '/v1/principals/pending', { token: cast.admin });
        const mine = pending.json.principals.find((p) => p.displayName === midwife);
        if (!mine) throw new StoryError('the midwife login is taken by another account');
        s.pendingPrincipal = { id: mine.id };
      }
    },
  );

  await step('a maternal-health service joins as a partner families may consent to', !!s.partner, async () => {
    const r = await api.call<{ id: string }>('POST', '/v1/organizations', {
      token: cast.admin,
      body: { name: '妇幼健康随访服务中心', kind: 'partner' },
    });
    s.partner = { id: r.json.id };
  });

  await step('the nurse records a dose she gave today (the next list is right)', !!s.doseGiven, async () => {
    const today = localDate(Date.now());
    type Page = { rows: { id: string; due: { vaccine: string; dose: number; due: string }[] }[] };
    const week = localDate(Date.now() + 7 * 86_400_000);
    const list = await api.call<Page>('GET', `/v1/due-list?from=${today}&to=${week}&limit=1`, { token: cast.nurse });
    const row = list.json.rows[0];
    const due = row?.due[0];
    if (!row || !due) {
      s.doseGiven = { recordId: '', vaccine: '', dose: 0 };
      return;
    }
    await api.call('POST', `/v1/records/${row.id}/doses`, {
      token: cast.nurse,
      body: { vaccine: due.vaccine, dose: due.dose, date: today, clinic: '社区预防接种门诊' },
    });
    s.doseGiven = { recordId: row.id, vaccine: due.vaccine, dose: due.dose };
  });

  s.done = new Date().toISOString();
  save();
  return s;
}
