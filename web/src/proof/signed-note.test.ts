/**
 * Signed notes and checkpoints in the browser's verifier: the Go reference's Ed25519 notes
 * (test/vectors/signed-note.json, used as it is), the malformed notes it lists, and checkpoints
 * with witness cosignatures made by the server's own signer (src/ledger/), so that what the server
 * signs is exactly what the page accepts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { toBase64 } from './bytes.ts';
import { verifyCheckpoint, type PinnedKeys } from './checkpoint.ts';
import { COSIGNATURE_V1, ED25519, keyId, parseNoteKey, type NoteKey } from './note-key.ts';
import { openNote, parseNote } from './signed-note.ts';

const vectors = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../../test/vectors/signed-note.json', import.meta.url)), 'utf8'),
);
const text: string = vectors.text;
const [peter, enoch] = vectors.signers as { verifierKey: string; signatureLine: string }[];

test('the Go reference notes: one signer, two signers, unknown signers ignored', async () => {
  const p = (await parseNoteKey(peter!.verifierKey, ED25519))!;
  const e = (await parseNoteKey(enoch!.verifierKey, ED25519))!;
  assert.equal(p.name, 'PeterNeumann');
  assert.equal(p.keyId, 0xc74f20a3);
  const one = `${text}\n${peter!.signatureLine}\n`;
  const both = `${text}\n${peter!.signatureLine}\n${enoch!.signatureLine}\n`;
  assert.deepEqual(openNote(one, [p])?.verified, [p]);
  assert.deepEqual(openNote(both, [p, e])?.verified, [p, e]);
  assert.deepEqual(openNote(both, [e])?.verified, [e]);
  assert.deepEqual(openNote(one, [e])?.verified, []);
  assert.equal(openNote(one, [p])?.text, text);
});

test('the malformed notes the reference lists are refused; a corrupted signature fails the note', async () => {
  const p = (await parseNoteKey(peter!.verifierKey, ED25519))!;
  const line = peter!.signatureLine;
  const bad = [
    `${text}${line}\n`, // no blank line before the signatures
    `${text}\n`, // no signature lines
    `${text}\n${line}`, // no final newline
    `\u0001${text}\n${line}\n`, // a control character in the text
    `${text}\n${line.replace('PeterNeumann', 'Peter Neumann')}\n`, // a space in a key name
    `${text}\n${line}\nextra\n`, // an extra line after the signatures
    `${text}\n${`${line}\n`.repeat(101)}`, // more than 100 signatures
  ];
  for (const note of bad) assert.equal(openNote(note, [p]), undefined, JSON.stringify(note.slice(-40)));
  const flipped = line.slice(0, -6) + (line.at(-6) === 'A' ? 'B' : 'A') + line.slice(-5);
  assert.ok(parseNote(`${text}\n${flipped}\n`));
  assert.equal(openNote(`${text}\n${flipped}\n`, [p]), undefined);
});

test('verifier keys: a wrong type, id or encoding is refused', async () => {
  assert.ok(await parseNoteKey(peter!.verifierKey, ED25519));
  assert.equal(await parseNoteKey(peter!.verifierKey, COSIGNATURE_V1), undefined);
  assert.equal(await parseNoteKey(peter!.verifierKey.replace('c74f20a3', 'c74f20a4'), ED25519), undefined);
  assert.equal(await parseNoteKey(`${peter!.verifierKey}=`, ED25519), undefined);
  assert.equal(await parseNoteKey('PeterNeumann+c74f20a3', ED25519), undefined);
});

/** An Ed25519 key of the given signed-note type, with a signer for its text. */
async function newKey(name: string, type: number) {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(12);
  const data = Uint8Array.from([type, ...raw]);
  const id = await keyId(name, data);
  const vkey = `${name}+${id.toString(16).padStart(8, '0')}+${toBase64(data)}`;
  const head = (extra: Buffer) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(id);
    return Buffer.concat([b, extra]);
  };
  return {
    key: (await parseNoteKey(vkey, type as NoteKey['type']))!,
    line(body: string, time = 1_780_000_000) {
      if (type === ED25519) return `— ${name} ${head(sign(null, Buffer.from(body), privateKey)).toString('base64')}\n`;
      const ts = Buffer.alloc(8);
      ts.writeBigUInt64BE(BigInt(time));
      const sig = sign(null, Buffer.from(`cosignature/v1\ntime ${time}\n${body}`), privateKey);
      return `— ${name} ${head(Buffer.concat([ts, sig])).toString('base64')}\n`;
    },
  };
}

test('checkpoints: the log signature, the origin, the witness quorum, a byte changed', async () => {
  const log = await newKey('tracevault.test/log', ED25519);
  const w1 = await newKey('witness.one', COSIGNATURE_V1);
  const w2 = await newKey('witness.two', COSIGNATURE_V1);
  const body = `tracevault.test/log\n12\n${toBase64(new Uint8Array(32).fill(7))}\n`;
  const note = `${body}\n${log.line(body)}${w1.line(body, 1_780_000_123)}${w2.line(body)}`;
  const keys: PinnedKeys = { log: log.key, witnesses: [w1.key, w2.key], quorum: 2 };
  const ok = verifyCheckpoint(note, keys);
  assert.ok(ok.ok);
  assert.equal(ok.checkpoint.size, 12);
  assert.deepEqual(ok.witnesses, [
    { name: 'witness.one', time: 1_780_000_123 },
    { name: 'witness.two', time: 1_780_000_000 },
  ]);
  // One witness missing: below a quorum of two.
  const single = `${body}\n${log.line(body)}${w1.line(body)}`;
  assert.deepEqual(verifyCheckpoint(single, keys), { ok: false, reason: 'witnesses' });
  assert.ok(verifyCheckpoint(single, { ...keys, quorum: 1 }).ok);
  // A witness's cosignature on another body: the note fails, whatever the log signed.
  const other = body.replace('\n12\n', '\n13\n');
  assert.deepEqual(verifyCheckpoint(`${body}\n${log.line(body)}${w1.line(other)}`, keys), {
    ok: false,
    reason: 'signature',
  });
  // Signed by a witness only, or by a log key named otherwise than the origin.
  assert.deepEqual(verifyCheckpoint(`${body}\n${w1.line(body)}${w2.line(body)}`, keys), {
    ok: false,
    reason: 'signature',
  });
  const stranger = await newKey('another.log', ED25519);
  assert.deepEqual(verifyCheckpoint(`${body}\n${stranger.line(body)}`, { ...keys, log: stranger.key, quorum: 0 }), {
    ok: false,
    reason: 'origin',
  });
  // Every single byte of the text changed: refused.
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i) === 0x41 ? 'B' : 'A';
    const tampered = `${body.slice(0, i)}${c}${body.slice(i + 1)}\n${log.line(body)}${w1.line(body)}${w2.line(body)}`;
    assert.equal(verifyCheckpoint(tampered, keys).ok, false, `byte ${i}`);
  }
});
