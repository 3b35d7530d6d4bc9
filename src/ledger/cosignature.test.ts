import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cosignerKeyFromSeed, parseCosignerKey, parseCosignerVerifier } from './cosignature.ts';
import { formatCheckpoint, signCheckpoint } from './checkpoint.ts';
import { noteKeyFromSeed, openNote, parseSignerKey, parseVerifierKey } from './signed-note.ts';
import { leafHash } from './merkle.ts';

test('cosignature round trip with fixed keys: deterministic, verifiable with the log signature, tamper-evident', () => {
  const log = noteKeyFromSeed('tracevault.test/log', Buffer.alloc(32, 1));
  const w = cosignerKeyFromSeed('witness.test/w1', Buffer.alloc(32, 2));
  const cosigner = parseCosignerKey(w.signerKey);
  assert.equal(cosigner.verifierKey, w.verifierKey);
  const cp = { origin: 'tracevault.test/log', size: 5, root: leafHash(Buffer.from('x')) };
  const note = signCheckpoint(cp, parseSignerKey(log.signerKey));
  const line = cosigner.cosign(formatCheckpoint(cp), 1_700_000_000);
  assert.equal(line, cosigner.cosign(formatCheckpoint(cp), 1_700_000_000));
  const sig = Buffer.from(line.trim().split(' ')[2]!, 'base64');
  assert.equal(sig.length, 4 + 8 + 64);
  assert.equal(sig.readBigUInt64BE(4), 1_700_000_000n);
  const v = parseCosignerVerifier(w.verifierKey);
  const opened = openNote(note + line, [parseVerifierKey(log.verifierKey), v]);
  assert.deepEqual(
    opened.verified.map((x) => x.name),
    ['tracevault.test/log', 'witness.test/w1'],
  );
  assert.equal(v.timestampOf(sig.subarray(4)), 1_700_000_000);
  // The cosignature does not carry over to another checkpoint, nor to another time.
  const other = signCheckpoint({ ...cp, size: 6 }, parseSignerKey(log.signerKey));
  assert.throws(() => openNote(other + line, [v]), { code: 'ERR_UNVERIFIED_NOTE' });
  sig.writeBigUInt64BE(1_700_000_001n, 4);
  assert.throws(() => openNote(`${note}— witness.test/w1 ${sig.toString('base64')}\n`, [v]), {
    code: 'ERR_UNVERIFIED_NOTE',
  });
  // A signed-note (0x01) key is not a cosigner key.
  assert.throws(() => parseCosignerVerifier(log.verifierKey), { code: 'ERR_BAD_KEY' });
});
