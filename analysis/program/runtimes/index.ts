// The runtimes the analysis knows, and which one an object's code is built on.
import type { ElfFile } from '../../elf/types.js';
import { cRuntime } from './c-standard.js';
import { glibcRuntime } from './glibc.js';
import { goRuntime } from './go.js';
import { muslRuntime } from './musl.js';
import type { Runtime } from './types.js';

export type { Runtime, RuntimeName, DeclaredFunction } from './types.js';

// Most specific first; plain C is the fallback.
const RUNTIMES: readonly Runtime[] = [goRuntime, glibcRuntime, muslRuntime];

/** The runtime of one object, from its contents. */
export function objectRuntime(elf: ElfFile): Runtime {
  return RUNTIMES.find((r) => r.detect(elf)) ?? cRuntime;
}

/** The runtime an object's facts name (facts keep the name, not the module). */
export function runtimeNamed(name: Runtime['name']): Runtime {
  return [...RUNTIMES, cRuntime].find((r) => r.name === name) ?? cRuntime;
}
