/**
 * A workaround for a V8 bug in Node 20 (V8 11.3): when TurboFan inlines a call from JavaScript into
 * WebAssembly (the Cedar evaluator, @cedar-policy/cedar-wasm) and that code is later deoptimised, the
 * deoptimiser can reach "unreachable code" and abort the process (`Fatal error in , line 0`,
 * `Deoptimizer::DoComputeBuiltinContinuation`). It happened reproducibly in
 * src/server/oversight.http.test.ts once more modules were loaded, and would take a server down as
 * well. Not inlining those calls (`--no-turbo-inline-js-wasm-calls`, the behaviour of earlier V8s)
 * avoids it; every wasm call still runs optimised. Set before the evaluator is loaded or called.
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--no-turbo-inline-js-wasm-calls');
