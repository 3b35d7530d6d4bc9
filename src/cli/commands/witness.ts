import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { TracevaultError } from '../../errors.ts';
import { base32 } from '../../crypto/ids.ts';
import { generateCosignerKey, parseCosignerKey } from '../../ledger/cosignature.ts';
import { parseVerifierKey } from '../../ledger/signed-note.ts';
import { serveWitness, Witness, WITNESS_SCHEMA } from '../../ledger/witness.ts';
import { openDb } from '../../store/dialect/open-db.ts';
import { out } from '../output.ts';

/**
 * `tracevault witness serve --data WDIR --port N`: a witness with its own key (WDIR/witness.key,
 * owner-only) and its own store (WDIR/witness.db). Logs it trusts: WDIR/trusted-logs.txt, one
 * verifier key a line (`--trust VKEY` adds one).
 */
export async function witnessServeCommand(opts: {
  data: string;
  port: number;
  host: string;
  name?: string;
  trust?: string[];
}): Promise<void> {
  const dir = resolve(opts.data);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keyFile = join(dir, 'witness.key'),
    trustFile = join(dir, 'trusted-logs.txt');
  if (!existsSync(keyFile)) {
    const k = generateCosignerKey(opts.name ?? `tracevault.local/witness/${base32(randomBytes(5))}`);
    writeFileSync(keyFile, `${k.signerKey}\n`, { mode: 0o600, flag: 'wx' });
    writeFileSync(join(dir, 'witness.pub'), `${k.verifierKey}\n`);
  }
  if ((statSync(keyFile).mode & 0o077) !== 0) throw new TracevaultError('ERR_KEY_FILE');
  for (const t of opts.trust ?? []) {
    parseVerifierKey(t);
    appendFileSync(trustFile, `${t.trim()}\n`);
  }
  const trusted = existsSync(trustFile)
    ? readFileSync(trustFile, 'utf8').split('\n').filter(Boolean).map(parseVerifierKey)
    : [];
  const cosigner = parseCosignerKey(readFileSync(keyFile, 'utf8'));
  const db = await openDb({ kind: 'sqlite', file: join(dir, 'witness.db') });
  await db.exec(WITNESS_SCHEMA);
  const server = await serveWitness(new Witness(cosigner, trusted, db), opts.port, opts.host);
  const addr = server.address();
  out(
    `witness ${cosigner.name} on http://${opts.host}:${typeof addr === 'object' && addr ? addr.port : opts.port} ` +
      `(POST /add-checkpoint), trusting ${trusted.length} log key(s)`,
  );
  out(`verifier key: ${cosigner.verifierKey}`);
  await new Promise<void>((done) => {
    const stop = () => server.close(() => void db.close().then(done));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
