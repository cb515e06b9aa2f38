// Per-object analysis, in the order its data flows: the code map and context, function discovery
// (pass 1), one CFG per function with the noreturn proof and the register dataflow (pass 2), then
// the executable bytes nothing covered. Each stage is its own module; this file only runs them.
import type { ElfFile } from '../elf/types.js';
import { CfgBuilder } from './cfg.js';
import { discoverFunctions } from './discovery.js';
import { FACTS_VERSION, type FunctionFacts, type ObjectFacts } from './facts.js';
import { NoreturnProof } from './noreturn.js';
import { objectContext } from './object-context.js';
import { uncoveredCode } from './uncovered.js';

/** Analyses one object; `sha256` identifies it in the cache. */
export function analyzeObject(elf: ElfFile, sha256: string): ObjectFacts {
  const ctx = objectContext(elf);
  const { starts, relocPointers } = discoverFunctions(ctx);
  const cfgs = new CfgBuilder(ctx, starts, new NoreturnProof(ctx, starts));
  const functions = new Map<number, FunctionFacts>();
  // CFGs find function starts discovery did not (callbacks, tail targets): they join the queue.
  const queue = [...starts];
  const found = (t: number): void => {
    if (!functions.has(t) && ctx.code.isCode(t)) {
      starts.add(t);
      queue.push(t);
    }
  };
  let instructions = 0;
  for (let i = 0; i < queue.length; i++) {
    const entry = queue[i];
    if (functions.has(entry)) continue;
    const f = cfgs.analyzeFunction(entry, found);
    instructions += f.size;
    functions.set(entry, f);
  }
  ctx.code.free();
  const { uncovered, uncoveredBytes } = uncoveredCode(ctx);
  return {
    version: FACTS_VERSION,
    sha256,
    functions: [...functions.values()].sort((a, b) => a.entry - b.entry),
    relocPointers: [...new Set(relocPointers)].sort((a, b) => a - b),
    uncovered,
    uncoveredBytes,
    instructions,
  };
}
