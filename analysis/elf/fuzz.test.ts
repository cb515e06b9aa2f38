// Mutates real binaries thousands of times: the reader may only ever throw ElfError, quickly,
// and the address helpers may not throw at all. Set ELF_FUZZ_SEED to explore other inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mutate, prng, subject, type Subject } from '../../test/support/elf-mutations.js';
import {
  ElfError,
  executableRanges,
  isExecutableAddress,
  parseElf,
  readCString,
  readU32,
  readU64,
  readVirtual,
  sectionAt,
  vaddrToOffset,
  type ElfFile,
} from './index.js';

const SEED = Number(process.env.ELF_FUZZ_SEED ?? 0x5eed1e5);
const ITERATIONS = Number(process.env.ELF_FUZZ_ITERATIONS ?? 3000);
const LIB = '/usr/lib/x86_64-linux-gnu';
// ld.so adds RELR and DT_HASH to what true and libz exercise.
const SUBJECTS = [
  '/usr/bin/true',
  existsSync(`${LIB}/libz.so.1`) ? `${LIB}/libz.so.1` : `${LIB}/libdl.so.2`,
  `${LIB}/ld-linux-x86-64.so.2`,
];


/** Calls every address helper on addresses near real structures and on hostile ones; none may throw. */
function exercise(elf: ElfFile, s: Subject, rnd: () => number): void {
  const addresses = [
    ...s.addresses,
    elf.entry,
    ...elf.fdes.slice(0, 8).map((f) => f.start),
    ...elf.initFunctions,
    -1,
    2 ** 53,
    2 ** 64,
    NaN,
    0.5,
    Math.floor(rnd() * 2 ** 48),
  ];
  for (const a of addresses) {
    vaddrToOffset(elf, a);
    readVirtual(elf, a, Math.floor(rnd() * 64));
    readVirtual(elf, a, -1);
    readU64(elf, a);
    readU32(elf, a);
    readCString(elf, a);
    readCString(elf, a, 3);
    sectionAt(elf, a);
    isExecutableAddress(elf, a);
  }
  executableRanges(elf);
}

test(`fuzzed copies of real binaries only ever raise ElfError (seed ${SEED})`, (t) => {
  const subjects = SUBJECTS.filter((p) => existsSync(p)).map(subject);
  assert.ok(subjects.length > 0);
  const failures: string[] = [];
  const outcomes = { parsed: 0, rejected: 0 };
  let slowest = { ms: 0, iteration: -1 };
  const start = performance.now();
  for (let i = 0; i < ITERATIONS; i++) {
    const rnd = prng(SEED ^ Math.imul(i + 1, 0x9e3779b1));
    const s = subjects[i % subjects.length];
    const { bytes, steps } = mutate(s, rnd);
    const where = `iteration ${i} (seed ${SEED}) on ${s.path}: ${steps.join(', ')}`;
    const t0 = performance.now();
    let elf: ElfFile | undefined;
    try {
      elf = parseElf(bytes, s.path);
      outcomes.parsed++;
    } catch (e) {
      outcomes.rejected++;
      if (process.env.ELF_FUZZ_VERBOSE) t.diagnostic(`${i}: ${String(e)}`);
      if (!(e instanceof ElfError)) failures.push(`${where}: non-ElfError ${String(e)}`);
      else if (e.message.includes('internal error')) failures.push(`${where}: ${e.message}`);
    }
    if (elf) {
      try {
        exercise(elf, s, rnd);
      } catch (e) {
        failures.push(`${where}: address helper threw ${String(e)}`);
      }
    }
    const ms = performance.now() - t0;
    if (ms > slowest.ms) slowest = { ms, iteration: i };
    if (process.env.ELF_FUZZ_VERBOSE && ms > 20) t.diagnostic(`slow ${ms.toFixed(1)} ms: ${where}`);
    if (ms > 500) failures.push(`${where}: took ${ms.toFixed(0)} ms`);
  }
  const total = performance.now() - start;
  t.diagnostic(
    `${ITERATIONS} iterations in ${total.toFixed(0)} ms: ${outcomes.parsed} parsed, ${outcomes.rejected} rejected; ` +
      `slowest ${slowest.ms.toFixed(1)} ms (iteration ${slowest.iteration})`,
  );
  assert.deepEqual(failures.slice(0, 10), []);
  assert.ok(total < 30000, `fuzzing took ${total} ms`);
});
