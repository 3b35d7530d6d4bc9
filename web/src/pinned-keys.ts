/**
 * The keys this page trusts, pinned in it: the server writes them into the page's own HTML as it
 * serves it (src/server/portal-static.ts), from the vault's ledger.pub and witnesses.json, as
 * <meta name="tracevault-log-key">, one <meta name="tracevault-witness-key"> per witness and
 * <meta name="tracevault-witness-quorum">. Nothing here is fetched separately, so the keys come
 * with the page or not at all.
 */
import type { PinnedKeys } from './proof/checkpoint.ts';
import { COSIGNATURE_V1, ED25519, parseNoteKey, type NoteKey } from './proof/note-key.ts';

const metas = (name: string) =>
  [...document.querySelectorAll<HTMLMetaElement>(`meta[name="${name}"]`)].map((m) => m.content);

export async function pinnedKeys(): Promise<PinnedKeys | undefined> {
  const [logText] = metas('tracevault-log-key');
  const log = logText ? await parseNoteKey(logText, ED25519) : undefined;
  if (!log) return undefined;
  const witnesses: NoteKey[] = [];
  for (const w of metas('tracevault-witness-key')) {
    const key = await parseNoteKey(w, COSIGNATURE_V1);
    // A pinned key that cannot be read is no key: fail rather than check with fewer.
    if (!key) return undefined;
    witnesses.push(key);
  }
  const quorum = Number(metas('tracevault-witness-quorum')[0] ?? witnesses.length);
  if (!Number.isSafeInteger(quorum) || quorum < 0 || quorum > witnesses.length) return undefined;
  return { log, witnesses, quorum };
}
