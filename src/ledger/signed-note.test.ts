import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { generateNoteKey, openNote, parseSignerKey, parseVerifierKey, signNote } from './signed-note.ts';
import { vectorPath } from '../../test/helpers/vectors.ts';

const V = JSON.parse(readFileSync(vectorPath('signed-note.json'), 'utf8'));
const peter = V.signers[0],
  enoch = V.signers[1];
const verifiers = [parseVerifierKey(peter.verifierKey), parseVerifierKey(enoch.verifierKey)];

test("signed-note vectors: PeterNeumann's signature is reproduced byte for byte", () => {
  const signer = parseSignerKey(peter.signerKey);
  assert.equal(signer.verifierKey, peter.verifierKey);
  assert.equal(signNote(V.text, [signer]), `${V.text}\n${peter.signatureLine}\n`);
});

test('signed-note vectors: both signatures verify; unknown keys are ignored; no known key is refused', () => {
  const note = `${V.text}\n${peter.signatureLine}\n${enoch.signatureLine}\n`;
  assert.deepEqual(
    openNote(note, verifiers).verified.map((v) => v.name),
    ['PeterNeumann', 'EnochRoot'],
  );
  const onlyEnoch = openNote(note, [verifiers[1]!]);
  assert.deepEqual(
    onlyEnoch.verified.map((v) => v.name),
    ['EnochRoot'],
  );
  assert.deepEqual(
    onlyEnoch.unknown.map((v) => v.name),
    ['PeterNeumann'],
  );
  assert.throws(() => openNote(note, []), { code: 'ERR_UNVERIFIED_NOTE' });
  const other = parseVerifierKey(generateNoteKey('Other').verifierKey);
  assert.throws(() => openNote(note, [other]), { code: 'ERR_UNVERIFIED_NOTE' });
});

test('signed-note vectors: every malformed note listed is rejected', () => {
  const sig = `${peter.signatureLine}\n`;
  const cases: [string, string | Buffer][] = [
    ['no blank line before signatures', `${V.text}${sig}`],
    ['text plus newline with no signature lines', `${V.text}\n`],
    ['a signature line without its final newline', `${V.text}\n${peter.signatureLine}`],
    ['a leading 0x01 byte', `\u0001${V.text}\n${sig}`],
    ['a leading 0xff byte', Buffer.concat([Buffer.of(0xff), Buffer.from(`${V.text}\n${sig}`)])],
    ['a key name containing a space', `${V.text}\n— Peter Neumann ${peter.signatureLine.split(' ').pop()}\n`],
    ['an extra line after the signatures', `${V.text}\n${sig}not a signature\n`],
    ['more than 100 signatures', `${V.text}\n${sig.repeat(101)}`],
  ];
  for (const [why, note] of cases) assert.throws(() => openNote(note, verifiers), { code: 'ERR_MALFORMED_NOTE' }, why);
  // A corrupted signature for a known key.
  const bytes = Buffer.from(peter.signatureLine.split(' ').pop(), 'base64');
  bytes[10]! ^= 1;
  assert.throws(() => openNote(`${V.text}\n— PeterNeumann ${bytes.toString('base64')}\n`, verifiers), {
    code: 'ERR_UNVERIFIED_NOTE',
  });
});

test('signed notes: generated keys round trip; keys are checked', () => {
  const k = generateNoteKey('tracevault.example/log');
  const signer = parseSignerKey(k.signerKey);
  assert.equal(signer.verifierKey, k.verifierKey);
  const note = signNote('hello\n', [signer]);
  assert.equal(openNote(note, [parseVerifierKey(k.verifierKey)]).text, 'hello\n');
  assert.throws(() => parseVerifierKey(k.verifierKey.replace(/\+[0-9a-f]{8}\+/, '+00000000+')), {
    code: 'ERR_BAD_KEY',
  });
  assert.throws(() => parseVerifierKey('a b+00000000+AQ=='), { code: 'ERR_BAD_KEY' });
  assert.throws(() => signNote('no final newline', [signer]), { code: 'ERR_MALFORMED_NOTE' });
});
