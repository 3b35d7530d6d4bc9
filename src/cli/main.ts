/**
 * The command line. Every failure ends in one readable line and an exit code: 0 success,
 * 1 refused or failed (a coded error), 2 usage error, 70 internal error. No stack traces (they can
 * carry values) unless TRACEVAULT_DEBUG=1.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { randomUUID } from 'node:crypto';
import { isTracevaultError } from '../errors.ts';
import { cellLine, err } from './output.ts';
import { initCommand } from './commands/init.ts';
import { simCommand } from './commands/sim.ts';
import { importCommand } from './commands/import.ts';
import { getCommand, searchCommand } from './commands/records.ts';
import { rotateCommand, rotateKekCommand } from './commands/keys.ts';
import { backupCommand, restoreCommand } from './commands/backup.ts';
import { summaryCommand } from './commands/summary.ts';
import { serveCommand } from './commands/serve.ts';
import { contactAddCommand, hitCommand } from './commands/canary.ts';
import { demoCommand } from './commands/demo.ts';
import { traceCommand } from './commands/trace.ts';
import {
  addWitnessCommand,
  checkpointCommand,
  exportCommand,
  ledgerVerifyCommand,
  receiptCommand,
  verifyProofCommand,
  verifyReceiptCommand,
} from './commands/ledger.ts';
import { witnessServeCommand } from './commands/witness.ts';

const wholeNumber =
  (min: number) =>
  (v: string): number => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < min)
      throw new InvalidArgumentError(`must be a whole number of at least ${min}`);
    return n;
  };
const positiveInt = wholeNumber(1);
const density = (v: string): number => {
  const n = Number(v);
  if (!(n >= 0 && n <= 0.5)) throw new InvalidArgumentError('a share from 0 to 0.5, e.g. 0.02');
  return n;
};
const probability = (v: string): number => {
  const n = Number(v);
  if (!(n > 0 && n < 1)) throw new InvalidArgumentError('a number between 0 and 1 (exclusive), e.g. 1e-6');
  return n;
};
const httpUrl = (v: string): string => {
  const ok = URL.canParse(v) && ['http:', 'https:'].includes(new URL(v).protocol);
  if (!ok) throw new InvalidArgumentError('an http(s) URL');
  return v;
};

/** An exit code a command chose itself (e.g. verify-proof's 1 for an invalid proof). */
let commandExit = 0;

function program(): Command {
  const p = new Command('tracevault')
    .description('A personal-information registry that makes leaks hard to commit and easy to trace')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  const data = () => new Option('--data <dir>', 'the vault directory').makeOptionMandatory();
  const token = () =>
    new Option(
      '--token <token>',
      'API token of the acting principal (default: $TRACEVAULT_TOKEN, then DIR/admin.token)',
    );

  p.command('init')
    .description('create a vault: key file, database, administrators and their tokens')
    .addOption(data())
    .option('--database <url>', 'PostgreSQL connection string (default: SQLite in DIR/vault.db)')
    .option('--pg-schema <name>', 'PostgreSQL schema for this vault')
    .option(
      '--administrators <n>',
      'administrators, each with a token file (default 2: one creates data-access accounts, another approves)',
      positiveInt,
      2,
    )
    .addOption(
      new Option(
        '--cipher-suite <suite>',
        'algorithms of every key and sealed value, fixed for the vault: aes (AES-256-GCM, HMAC-SHA-256) ' +
          'or gm (SM4-CTR with HMAC-SM3, HMAC-SM3: GB/T 32907, GB/T 32905)',
      )
        .choices(['aes', 'gm'])
        .default('aes'),
    )
    .action((o) => initCommand(o));

  p.command('sim')
    .description('load a seeded synthetic city into the vault')
    .addOption(data())
    .addOption(token())
    .requiredOption('--families <n>', 'number of families (birth records)', positiveInt)
    .option('--seed <seed>', 'seed: the same seed always gives the same city', '1')
    .option('--hospitals <n>', 'number of hospitals', positiveInt)
    .option('--until <iso>', 'end of the simulated year (default 2026-11-01T00:00:00+08:00)')
    .action((o) => simCommand(o));

  p.command('import')
    .description('import a CSV (UTF-8 or GBK), XLSX or JSON Lines file')
    .argument('<file>')
    .addOption(data())
    .addOption(token())
    .option('--schema <type>', 'record type: birth or vehicle', 'birth')
    .addOption(new Option('--format <format>', 'file format (default: detected)').choices(['csv', 'xlsx', 'jsonl']))
    .option('--skip-invalid', 'import the valid rows and report the invalid ones (default: refuse the file)')
    .option('--errors <file>', 'write the invalid cells (row, field, rule) to this CSV file')
    .option('--batch-size <n>', 'rows per transaction (default 1000)', positiveInt)
    .option(
      '--threads <n>',
      'worker threads that seal rows while the main thread writes (default: cores − 2; 0: none)',
      wholeNumber(0),
    )
    .option('--json', 'print the report as JSON')
    .action((file, o) => importCommand(file, o));

  const records = p.command('records').description('read records');
  records
    .command('get')
    .description('show a record, masked')
    .argument('<id>')
    .addOption(data())
    .addOption(token())
    .option('--history', 'every version of every field')
    .option('--json', 'JSON output')
    .action((id, o) => getCommand(id, o));
  records
    .command('search')
    .description('find records by exact phone, resident id, name or plate (blind index)')
    .addOption(data())
    .addOption(token())
    .option('--phone <phone>')
    .option('--resident-id <id>')
    .option('--name <name>')
    .option('--plate <plate>')
    .option('--any-version', 'match earlier values too')
    .action((o) => searchCommand(o));

  const keys = p.command('keys').description('key management');
  keys
    .command('rotate')
    .description('new data key; re-encrypt every record in batches while reads go on')
    .addOption(data())
    .addOption(token())
    .option('--batch-size <n>', 'records per transaction', positiveInt)
    .action((o) => rotateCommand(o));
  keys
    .command('rotate-kek')
    .description('new key-encryption key; re-wrap every data key under it (resumable: run again if stopped)')
    .addOption(data())
    .addOption(new Option('--pause-ms <n>', 'pause between data keys (tests)').argParser(wholeNumber(0)).hideHelp())
    .action((o) => rotateKekCommand(o));

  p.command('backup')
    .description('a consistent online backup in one file: database, ledger keys, witnesses; never the KEK')
    .addOption(data())
    .requiredOption('--out <file>', 'the backup file to write (must not exist)')
    .action((o) => backupCommand(o));
  p.command('restore')
    .description('restore a backup into an empty directory (the KEK supplied apart)')
    .argument('<file>')
    .addOption(data())
    .option('--key <file>', 'the key-encryption key file to install as DIR/vault.key (its id is checked)')
    .option('--database <url>', 'PostgreSQL backups: the database to restore into (default: the original)')
    .option('--pg-schema <name>', 'PostgreSQL backups: the schema to restore into; it must have no tables')
    .action((file, o) => restoreCommand(file, o));

  p.command('summary')
    .description('what the vault holds, in counts')
    .addOption(data())
    .addOption(token())
    .option('--json', 'JSON output')
    .action((o) => summaryCommand(o));

  const ledger = p.command('ledger').description('the tamper-evident ledger');
  ledger
    .command('verify-proof')
    .description(
      'verify one inclusion or consistency proof (JSON, base64 fields): exit 0 valid, 1 invalid, 2 malformed',
    )
    .argument('<file>')
    .action((file) => {
      commandExit = verifyProofCommand(file);
    });
  ledger
    .command('checkpoint')
    .description('integrate new entries and sign a checkpoint (key in DIR/ledger.key)')
    .addOption(data())
    .action((o) => checkpointCommand(o));
  ledger
    .command('add-witness')
    .description('send every new checkpoint to this witness (c2sp tlog-witness) and keep its cosignatures')
    .addOption(data())
    .requiredOption('--url <url>', "the witness's submission prefix, e.g. http://127.0.0.1:7380")
    .requiredOption('--key <vkey>', "the witness's cosigner verifier key")
    .action((o) => addWitnessCommand(o));
  ledger
    .command('export')
    .description('entries as FHIR R4 AuditEvent resources (IHE BALP), one JSON a line')
    .addOption(data())
    .option('--since <seq>', 'only entries after this sequence number', wholeNumber(0), 0)
    .option('--format <format>', 'fhir (the only one)', 'fhir')
    .action((o) => exportCommand(o));
  ledger
    .command('receipt')
    .description('an offline-verifiable receipt for one entry (c2sp tlog-proof)')
    .addOption(data())
    .requiredOption('--index <n>', 'the entry index (0-based)', wholeNumber(0))
    .action((o) => receiptCommand(o));
  ledger
    .command('verify-receipt')
    .description('verify a receipt offline: exit 0 valid, 1 invalid, 2 malformed')
    .argument('<file>')
    .requiredOption('--log-key <vkey>', "the log's verifier key (DIR/ledger.pub)")
    .option('--witness-key <vkey...>', "witnesses' cosigner verifier keys")
    .option('--quorum <n>', 'cosignatures required', wholeNumber(0), 0)
    .action((file, o) => {
      commandExit = verifyReceiptCommand(file, o);
    });
  ledger
    .command('verify')
    .description('rebuild the tree from the entries; check every stored checkpoint; name the first bad index')
    .addOption(data())
    .option('--checkpoint <file...>', 'cosigned checkpoints kept elsewhere: a ledger shorter than one is a rollback')
    .action(async (o) => {
      commandExit = await ledgerVerifyCommand(o);
    });

  const witness = p.command('witness').description('a witness for another log (c2sp tlog-witness)');
  witness
    .command('serve')
    .description('serve add-checkpoint with its own key and store')
    .addOption(data())
    .option('--port <n>', 'port (0: any free one)', wholeNumber(0), 7380)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--name <name>', 'witness name for a new key')
    .option('--trust <vkey...>', 'log verifier keys to trust (added to DIR/trusted-logs.txt)')
    .action((o) => witnessServeCommand(o));

  p.command('trace')
    .description(
      'trace a leaked list (CSV, XLSX, JSON, JSON Lines, pasted text) to its source, time window and affected families',
    )
    .argument('[file]', 'the leaked list (or --reports: the calls guardians reported in a period)')
    .addOption(data())
    .addOption(token())
    .option('--json', 'print the whole report as JSON')
    .option('--epsilon <e>', 'false-accusation bound (default 1e-6)', probability)
    .option(
      '--reports <from..to>',
      'trace the calls reported in the portal in this period (ISO 8601) as a complaint set',
    )
    .option('--reports-from <iso>', 'the same, its start')
    .option('--reports-to <iso>', 'the same, its end (excluded)')
    .option('--html <file>', 'also write the readable HTML report here')
    .option('--lang <lang>', 'the HTML report’s language: zh-CN (default) or en')
    .option('--format <format>', 'csv | xlsx | json | jsonl | text (default: from the name and first bytes)')
    .action((file, o) => traceCommand(file, o));

  const canary = p
    .command('canary')
    .description('canary contact points and reported calls (investigator or DPO token)');
  canary
    .command('contact-add')
    .description('register a phone number or mailbox the operator controls; later canaries carry it')
    .addOption(data())
    .addOption(token())
    .option('--phone <phone>')
    .option('--mailbox <address>')
    .action((o) => contactAddCommand(o));
  canary
    .command('hit')
    .description('report a call or message to a contact point; confirmed only when it quotes canary-specific content')
    .addOption(data())
    .addOption(token())
    .requiredOption('--contact <phone-or-mailbox>')
    .requiredOption('--at <iso>', 'when it came')
    .requiredOption('--quote <text>', 'what the caller said they knew')
    .option('--json', 'JSON output')
    .action((o) => hitCommand(o));

  p.command('serve')
    .description('run the HTTP API on a vault (with its background ledger checkpointer)')
    .addOption(data())
    .option('--port <n>', 'port (0: any free one)', wholeNumber(0), 7300)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option(
      '--canary-density <d>',
      'canaries in export files, as a share of their rows (0 to 0.5; default 0.02)',
      density,
    )
    .addOption(
      new Option('--sms-webhook <url>', "the parents' portal's one-time codes are POSTed as JSON to this SMS provider")
        .argParser(httpUrl)
        .conflicts('outbox'),
    )
    .option('--outbox <file>', '… or appended to this file, one JSON line per message (the demo, tests)')
    .option('--quiet', 'no request log lines on stderr (benchmarks, tests)')
    .action((o) => serveCommand(o));

  p.command('demo')
    .description('create a demo vault (synthetic city, one principal per role, the story of its leaks) and serve it')
    .option('--data <dir>', 'the vault directory', 'demo-vault')
    .option('--families <n>', 'number of families', positiveInt, 2000)
    .option('--seed <seed>', 'seed', '1')
    .option('--port <n>', 'port (0: any free one)', wholeNumber(0), 7300)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--no-serve', 'create the vault and stop')
    .action((o) => demoCommand(o));
  return p;
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    commandExit = 0;
    await program().parseAsync(argv);
    return commandExit;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (isTracevaultError(e)) {
      err(`error ${e.code}: ${e.message}`);
      for (const r of e.details.errors ?? []) err(cellLine(r));
      if ((e.details.count ?? 0) > (e.details.errors?.length ?? 0))
        err(`  (${e.details.count} invalid rows in all; --errors FILE lists them, --skip-invalid imports the rest)`);
      return 1;
    }
    const incident = randomUUID();
    err(`internal error (incident ${incident}); run with TRACEVAULT_DEBUG=1 for details`);
    if (process.env.TRACEVAULT_DEBUG === '1') err(e instanceof Error ? (e.stack ?? e.message) : String(e));
    return 70;
  }
}
