// Per-object analysis, in the order its data flows: the code map and context, function discovery
// (pass 1), what data is constant, one CFG per function with the noreturn proof and the register
// dataflow (pass 2), then the executable bytes nothing covered. Each stage is its own module; this
// file only runs them.
import type { ElfFile } from '../elf/types.js';
import { CfgBuilder } from './cfg.js';
import { ConstantData } from './constant-data.js';
import { dataLayout, regionsNear, type DataLayout } from './data-objects.js';
import { discoverFunctions } from './discovery.js';
import { FACTS_VERSION, type FunctionFacts, type ObjectFacts } from './facts.js';
import { NoreturnProof } from './noreturn.js';
import { objectContext, type ObjectContext } from './object-context.js';
import { uncoveredCode } from './uncovered.js';

/** Analyses one object; `sha256` identifies it in the cache. */
export function analyzeObject(elf: ElfFile, sha256: string): ObjectFacts {
  const ctx = objectContext(elf);
  const { starts, relocPointers, pointerSlots } = discoverFunctions(ctx);
  const discoveredStarts = [...starts];
  // Constant data is judged from every store and taken address discovery decoded; should the CFGs
  // decode code that writes an address already read as constant, they run again knowing it.
  const constants = new ConstantData(elf, ctx.runtime.memorySafe === true);
  constants.learn(ctx.code.decodedList);
  let learned = ctx.code.decodedList.length;
  let pass = buildCfgs(ctx, new Set(discoveredStarts), constants);
  for (let round = 0; round < 3; round++) {
    const fresh = ctx.code.decodedList.slice(learned);
    if (!constants.contradicts(fresh)) break;
    constants.learn(fresh);
    constants.forgetAnswers();
    learned = ctx.code.decodedList.length;
    pass = buildCfgs(ctx, new Set(discoveredStarts), constants);
  }
  const { functions, instructions } = pass;
  // The function a runtime declaration names, where a symbol (the object's or its debug file's) defines it.
  const named = (name: string): FunctionFacts | undefined => {
    const sym = elf.dynsym.find((s) => s.shndx !== 0 && s.name === name) ?? elf.symtab.find((s) => s.shndx !== 0 && s.name === name);
    return sym && functions.get(sym.value);
  };
  // Syscalls the runtime declares for an exported function: a site at its entry that says so.
  for (const [name, { numbers, why }] of Object.entries(ctx.runtime.impliedSyscalls ?? {})) {
    const f = named(name);
    if (f) f.syscalls.push({ at: f.entry, nr: { c: [...numbers] }, implied: `${name}: ${why} (runtimes/${ctx.runtime.name})` });
  }
  // Numbers the runtime declares for sites that load theirs from memory only it fills.
  for (const [name, declared] of Object.entries(ctx.runtime.loadedNumbers ?? {})) {
    const f = named(name);
    if (!f) continue;
    for (const s of f.syscalls) if (s.nr === null) Object.assign(s, { nr: { c: [...declared.numbers] }, implied: `${name}: ${declared.why} (runtimes/${ctx.runtime.name})` });
  }
  ctx.code.free();
  const { uncovered, uncoveredBytes } = uncoveredCode(ctx);
  const runtimeTaken = [...ctx.declared.values()].filter((d) => d.runtimeCalls && functions.has(d.start)).map((d) => d.start);
  const mirrors = mirroredFunctions(ctx);
  const data = ctx.runtime.name === 'go' || ctx.absoluteCode ? undefined : dataUses(elf, pointerSlots, functions.values());
  return {
    version: FACTS_VERSION,
    sha256,
    functions: [...functions.values()].sort((a, b) => a.entry - b.entry),
    relocPointers: [...new Set(relocPointers)].sort((a, b) => a - b),
    ...(data ? { data } : {}),
    uncovered,
    uncoveredBytes,
    instructions,
    runtime: ctx.runtime.name,
    ...(runtimeTaken.length > 0 ? { runtimeTaken: runtimeTaken.sort((a, b) => a - b) } : {}),
    ...(mirrors.length > 0 ? { mirrors } : {}),
  };
}

/**
 * The object's data regions (data-objects.ts), and each function's data references turned into the
 * regions they reach. Left out, so that all their stored pointers count: Go, whose runtime reaches
 * data through offsets from moduledata (types, itabs); and position-dependent code, which indexes a
 * table from an absolute displacement anywhere before it (`jmp *letters-776(,%rdi,8)` for
 * `letters[c - 'a']`), so no bound on where a reference points holds.
 */
function dataUses(elf: ElfFile, pointerSlots: number[], functions: Iterable<FunctionFacts>): DataLayout | undefined {
  const list = [...functions];
  const layout = dataLayout(elf, pointerSlots, (function* () {
    for (const f of list) yield* f.dataUses ?? [];
  })());
  for (const f of list) {
    if (!f.dataUses) continue;
    const uses = layout ? [...new Set(f.dataUses.flatMap((a) => regionsNear(layout, a)))].sort((a, b) => a - b) : [];
    if (uses.length > 0) f.dataUses = uses;
    else delete f.dataUses;
  }
  return layout;
}

/** Pass 2: one CFG per function start, and the starts the CFGs find on the way. */
function buildCfgs(ctx: ObjectContext, starts: Set<number>, constants: ConstantData): { functions: Map<number, FunctionFacts>; instructions: number } {
  const cfgs = new CfgBuilder(ctx, starts, new NoreturnProof(ctx, starts), constants);
  const functions = new Map<number, FunctionFacts>();
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
  return { functions, instructions };
}

/** The runtime's mirrored syscalls (runtimes/: mirroredSyscalls), by the entries of the functions named. */
function mirroredFunctions(ctx: ObjectContext): { function: number; repeats: number; why: string }[] {
  const declared = ctx.runtime.mirroredSyscalls ?? [];
  if (declared.length === 0) return [];
  const byName = new Map<string, number>();
  for (const [entry, name] of ctx.names) if (!byName.has(name)) byName.set(name, entry);
  return declared.flatMap((m) => {
    const f = byName.get(m.function);
    const r = byName.get(m.repeats);
    return f !== undefined && r !== undefined ? [{ function: f, repeats: r, why: m.why }] : [];
  });
}
