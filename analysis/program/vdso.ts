// The vDSO as a pseudo-library. Its functions answer from shared memory where they can and fall
// back to the real system call otherwise (e.g. a clock the vDSO cannot read), so a process that
// calls them may make these syscalls even though no instruction in the image does.
import type { GraphObject } from '../graph/program-graph.js';
import { FACTS_VERSION, type FunctionFacts } from './facts.js';

const FALLBACKS: [string, number][] = [
  ['__vdso_clock_gettime', 228],
  ['__vdso_gettimeofday', 96],
  ['__vdso_time', 201],
  ['__vdso_clock_getres', 229],
  ['__vdso_getcpu', 309],
];

/** A graph object standing for the kernel's vDSO, with one function per exported symbol. */
export function vdsoObject(): GraphObject {
  const functions: FunctionFacts[] = FALLBACKS.map(([name, nr], i) => ({
    entry: 0x1000 + i * 0x10,
    name,
    calls: [],
    syscalls: [{ at: 0x1000 + i * 0x10 + 8, nr: { c: [nr] } }],
    size: 1,
  }));
  return {
    path: '[vdso]',
    loaded: -1,
    facts: { version: FACTS_VERSION, sha256: 'vdso', functions, relocPointers: [], uncovered: [], uncoveredBytes: 0, instructions: 0, runtime: 'c' },
  };
}
