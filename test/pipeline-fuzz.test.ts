// Issue 9: the whole pipeline on mutated real ELF files, not only the reader. Each iteration puts a
// mutated program (and sometimes a mutated library it loads) into a rootfs and runs the same
// request the CLI and the UI run (request check, loader model, per-object facts, graph, report).
// The outcome must be a report or the typed error (InputError, LimitError naming the limit it
// hit); any other exception is a defect. No iteration may take more than 10 s or push the
// process past 2 GiB. CI runs one batch; PIPELINE_FUZZ_ITERATIONS and PIPELINE_FUZZ_SEED explore more.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { mutate, prng, subject } from './support/elf-mutations.js';
import type { FuzzOutcome } from './support/pipeline-fuzz-worker.js';

const SEED = Number(process.env.PIPELINE_FUZZ_SEED ?? 0x9e3779b9);
const ITERATIONS = Number(process.env.PIPELINE_FUZZ_ITERATIONS ?? 2000);
const MAX_MS = 10_000;
const MAX_RSS = 2 * 1024 ** 3;
const LIB = '/usr/lib/x86_64-linux-gnu';

const work = mkdtempSync(join(tmpdir(), 'confine-pipeline-fuzz-'));
after(() => rmSync(work, { recursive: true, force: true }));

test(`${ITERATIONS} mutated programs and libraries through the whole pipeline: a report or the typed error, each within 10 s and 2 GiB`, { timeout: 1_800_000 }, async (t) => {
  // The program, and a small library it loads by name (libz: its NEEDED entry is added by the
  // rootfs layout below, so the loader really opens, binds and analyses it).
  const program = subject('/usr/bin/true');
  const library = subject(`${LIB}/libz.so.1`);
  const root = join(work, 'rootfs');
  mkdirSync(join(root, 'usr', 'bin'), { recursive: true });
  mkdirSync(join(root, 'lib64'), { recursive: true });
  mkdirSync(join(root, LIB.slice(1)), { recursive: true });
  mkdirSync(join(root, 'etc'), { recursive: true });
  copyFileSync('/lib64/ld-linux-x86-64.so.2', join(root, 'lib64', 'ld-linux-x86-64.so.2'));
  writeFileSync(join(root, 'etc', 'ld.so.conf'), `${LIB}\n`);
  const cacheDir = join(work, 'cache');
  const rnd = prng(SEED);
  const outcomes = { report: 0, input: 0, limit: new Map<string, number>() };
  let slowest = 0;
  // The pipeline runs in a worker: an iteration past its time is stopped and reported, not waited for.
  const url = new URL('./support/pipeline-fuzz-worker.js', import.meta.url);
  let worker = new Worker(url);
  const runOne = (path: string): Promise<{ outcome: FuzzOutcome; rss: number } | 'timeout'> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        worker.off('message', done);
        void worker.terminate();
        worker = new Worker(url);
        resolve('timeout');
      }, MAX_MS);
      const done = (m: { outcome: FuzzOutcome; rss: number }): void => {
        clearTimeout(timer);
        resolve(m);
      };
      worker.once('message', done);
      worker.postMessage({ root, path, cacheDir });
    });
  t.after(() => worker.terminate());
  for (let i = 0; i < ITERATIONS; i++) {
    // Mostly the program; every fourth iteration the library too, loaded through the program as
    // libc.so.6 (the name /usr/bin/true needs), so a corrupt library meets the loader and the graph.
    const prog = mutate(program, rnd);
    const lib = i % 4 === 3 ? mutate(library, rnd) : undefined;
    const path = `/usr/bin/p${i}`;
    writeFileSync(join(root, path.slice(1)), prog.bytes, { mode: 0o755 });
    if (lib) writeFileSync(join(root, LIB.slice(1), 'libc.so.6'), lib.bytes);
    else rmSync(join(root, LIB.slice(1), 'libc.so.6'), { force: true });
    const started = performance.now();
    const r = await runOne(path);
    const ms = performance.now() - started;
    const where = `seed ${SEED}, iteration ${i}: program ${prog.steps.join('; ')}${lib ? `; library ${lib.steps.join('; ')}` : ''}`;
    assert.notEqual(r, 'timeout', `past ${MAX_MS} ms (${where})`);
    if (r === 'timeout') break;
    if (r.outcome.kind === 'other') assert.fail(`not the typed error (${where}): ${r.outcome.message}`);
    if (r.outcome.kind === 'report') outcomes.report++;
    else if (r.outcome.limit) outcomes.limit.set(r.outcome.limit, (outcomes.limit.get(r.outcome.limit) ?? 0) + 1);
    else outcomes.input++;
    slowest = Math.max(slowest, ms);
    assert.ok(r.rss < MAX_RSS, `RSS ${(r.rss / 2 ** 20).toFixed(0)} MiB (${where})`);
    rmSync(join(root, path.slice(1)));
  }
  t.diagnostic(`${outcomes.report} reports, ${outcomes.input} input errors, limits hit: ${[...outcomes.limit].map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}; slowest ${slowest.toFixed(0)} ms`);
  assert.ok(outcomes.report > 0 && outcomes.input > 0, 'the mutations should give both outcomes');
});
