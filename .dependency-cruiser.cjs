/**
 * The layering of Tracevault, checked by dependency-cruiser in `npm run lint` (issue 19):
 *
 *   schema ← crypto ← store ← ledger · access · disclose · ingest · trace ← service ← server · cli
 *   synth (the pure generator) ← sim, canaries (disclose/)
 *   web/ (the parents' portal, in the browser) ── HTTP only ──▶ server
 *   web/console/ (the staff console, in the browser) ── HTTP only ──▶ server
 *
 * A module imports only from its own layer and the layers to its left, and from a sibling in the
 * middle only where a rule below names it. src/errors.ts and src/worker-thread.ts are a base that
 * every layer may import. sim/ (the demo city loaded into a vault, the leak simulation) stands
 * beside the interfaces: it may use everything below them, and only the CLI, the benchmarks, tests
 * and the public entry use it. synth/ is used by canaries (disclose/) and sim/ only. src/index.ts
 * is the package's public entry: it re-exports from any layer (generateCity and loadCity too), and
 * no layer imports it.
 *
 * The layer rules bind production code (every file under src/ that is not a *.test.ts). Tests may
 * reach across layers for fixtures (a store test loads the synthetic city through sim/, a trace
 * test opens the service), but a test in a lower layer never imports the HTTP server or the CLI,
 * and production code never imports a test or a benchmark.
 *
 * test/layering.test.ts runs these rules on the fixtures in test/fixtures/layering/ to show that
 * they bite.
 */

const TEST = '\\.test\\.ts$';
/** The base: importable from every layer. */
const BASE = '^src/(errors|worker-thread)\\.ts$';

/** Production files of `from` may import, within src/, only the base and the folders `allowed`. */
function layer(name, from, allowed, comment) {
  return {
    name,
    comment,
    severity: 'error',
    from: { path: `^src/${from}/`, pathNot: TEST },
    to: { path: '^src/', pathNot: [BASE, ...allowed.map((folder) => `^src/${folder}/`)] },
  };
}

const MIDDLE = ['ledger', 'access', 'disclose', 'ingest', 'trace'];
/** Every folder of src/ that has a rule below. */
const LAYERS = ['schema', 'crypto', 'store', ...MIDDLE, 'service', 'server', 'cli', 'sim', 'synth'];

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A cycle makes two modules one: neither can be read, tested or moved without the other.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },

    layer(
      'schema-is-the-bottom',
      'schema',
      ['schema'],
      'schema/ is pure: record types, field kinds, validators, masking.',
    ),
    layer('crypto-only-on-schema', 'crypto', ['crypto', 'schema'], 'crypto/ is node:crypto and the schema.'),
    layer(
      'store-below-the-middle',
      'store',
      ['store', 'schema', 'crypto'],
      'store/ holds the SQL; it knows nothing of its callers.',
    ),

    // The middle layer: each folder on the store, and on a sibling only where named below.
    layer(
      'ledger-on-store',
      'ledger',
      ['ledger', 'store', 'crypto', 'schema'],
      'The ledger reads the audit table through store/.',
    ),
    {
      name: 'access-only-on-schema',
      comment: 'access/ is pure policy: roles, purposes, Cedar policy, guard. It imports schema/ and errors.ts only.',
      severity: 'error',
      from: { path: '^src/access/', pathNot: TEST },
      to: { path: '^src/', pathNot: ['^src/access/', '^src/schema/', '^src/errors\\.ts$'] },
    },
    layer(
      'disclose-on-store',
      'disclose',
      // synth/: a canary is a synthetic record made by the same generator as the demo city, so that
      // it cannot be told from a real one.
      ['disclose', 'store', 'crypto', 'schema', 'synth'],
      'disclose/ renders, marks and records disclosures.',
    ),
    layer(
      'ingest-on-store',
      'ingest',
      ['ingest', 'store', 'crypto', 'schema'],
      'ingest/ reads files into the registry.',
    ),
    layer(
      'trace-on-store',
      'trace',
      // disclose/: a trace decodes what a disclosure put in (marks, fingerprints, canaries, Tardos codes).
      // ingest/: a leaked file is read with the import's decoders and readers.
      ['trace', 'disclose', 'ingest', 'store', 'crypto', 'schema'],
      'trace/ attributes a leak to the disclosures it came from.',
    ),

    layer(
      'service-below-the-interfaces',
      'service',
      ['service', ...MIDDLE, 'store', 'crypto', 'schema'],
      'service/ holds the use cases.',
    ),
    layer(
      'server-on-service',
      'server',
      ['server', 'service', ...MIDDLE, 'store', 'crypto', 'schema'],
      'The HTTP server: routes over the service layer. It never imports the CLI or the simulation.',
    ),
    layer(
      'cli-on-service',
      'cli',
      // server/: `tracevault serve` and `demo` start the HTTP server. sim/: `demo` and `sim` load the synthetic city.
      ['cli', 'server', 'sim', 'service', ...MIDDLE, 'store', 'crypto', 'schema'],
      'The command line.',
    ),
    layer(
      'sim-beside-the-interfaces',
      'sim',
      ['sim', 'synth', 'service', ...MIDDLE, 'store', 'crypto', 'schema'],
      'sim/ drives the registry as a user would; it sits beside the interfaces, below server/ and cli/.',
    ),
    {
      name: 'synth-only-on-schema',
      comment: 'synth/ is the pure generator (names, ids, phones, addresses, the city): schema/ and errors.ts only.',
      severity: 'error',
      from: { path: '^src/synth/', pathNot: TEST },
      to: { path: '^src/', pathNot: ['^src/synth/', '^src/schema/', '^src/errors\\.ts$'] },
    },
    {
      name: 'base-is-a-leaf',
      comment: 'errors.ts imports nothing of the project; worker-thread.ts only errors.ts.',
      severity: 'error',
      from: { path: BASE },
      to: { path: '^src/', pathNot: '^src/errors\\.ts$' },
    },
    {
      name: 'every-module-has-a-layer',
      comment: 'A new folder under src/ is given its place in this file before it imports from the project.',
      severity: 'error',
      from: { path: '^src/', pathNot: [TEST, BASE, '^src/index\\.ts$', `^src/(${LAYERS.join('|')})/`] },
      to: { path: '^src/' },
    },
    {
      name: 'no-test-code-in-production',
      comment: 'A production module never imports a test, a test helper or a benchmark.',
      severity: 'error',
      from: { path: '^src/', pathNot: TEST },
      to: { path: ['^test/', '^bench/', TEST] },
    },
    {
      name: 'web-over-http-only',
      comment:
        "The parents' portal (web/) reaches the server only over HTTP, through the client typed from /openapi.json " +
        "(web/src/api/schema.d.ts, generated): it never imports the server's code, its tests or its benchmarks.",
      severity: 'error',
      from: { path: '^web/' },
      to: { path: '^(src|test|bench)/' },
    },
    {
      name: 'console-beside-the-portal',
      comment:
        "The staff console (web/console/) and the parents' portal (web/src/) are two apps: the console shares only " +
        'the generated API types (web/src/api/schema.d.ts), and the portal nothing of the console.',
      severity: 'error',
      from: { path: '^web/console/' },
      to: { path: '^web/', pathNot: ['^web/console/', '^web/src/api/schema\\.d\\.ts$'] },
    },
    {
      name: 'portal-not-on-console',
      comment: "The parents' portal (web/) never imports the staff console's code (web/console/).",
      severity: 'error',
      from: { path: '^web/', pathNot: '^web/console/' },
      to: { path: '^web/console/' },
    },
    {
      name: 'server-not-on-web',
      comment:
        'The server serves the built portal and console as files (server/web-static.ts); no production module ' +
        'imports web/.',
      severity: 'error',
      from: { path: '^src/', pathNot: TEST },
      to: { path: '^web/' },
    },
    {
      name: 'lower-tests-not-on-interfaces',
      comment:
        'A test of a lower layer tests that layer: it never imports the HTTP server or the CLI (end-to-end tests live in test/ or beside server/ and cli/).',
      severity: 'error',
      from: { path: `^src/.*${TEST}`, pathNot: '^src/(server|cli)/' },
      to: { path: '^src/(server|cli)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // The fixtures of test/layering.test.ts break these rules on purpose.
    exclude: { path: '^test/fixtures/' },
    // `import type` is a dependency of the design too.
    tsPreCompilationDeps: true,
  },
};
