// The whole engine for programs in a root filesystem: load, per-object facts (cached, in workers),
// cross-object graph, dlopen rounds, and the report.
import type { ElfFile } from './elf/types.js';
import { STT_GNU_IFUNC, STT_FUNC, R_X86_64_IRELATIVE } from './elf/types.js';
import { readElfFile } from './elf/read.js';
import { loadProgram, addLibrary, rtldMallocBindings, loaderProbes } from './link/loader.js';
import { activeLog } from './link/probe.js';
import { debugFileFor, readDebugFile, withDebugSymbols } from './link/debug-symbols.js';
import type { LoadedProgram } from './link/types.js';
import { ProgramGraph, type GraphObject, type WhatIf } from './graph/program-graph.js';
import type { Root } from './graph/best-paths.js';
import type { ArgumentRule, Report, SyscallEntry, SyscallSiteEntry, UnresolvedSite, ProgramSummary, PathStep, ObjectContribution } from './graph/report.js';
import type { ObjectFacts } from './program/facts.js';
import { FACTS_VERSION } from './program/facts.js';
import { FactsCache } from './cache/facts-cache.js';
import { FileHashes } from './cache/file-hashes.js';
import { ResultCache } from './cache/result-cache.js';
import { FactsPool } from './cache/worker-pool.js';
import { analyzeObject } from './program/analyze-object.js';
import { vdsoObject } from './program/vdso.js';
import { syscallName, KERNEL_RELEASE } from './x86_64/syscall-table.js';
import { kernelMadeSyscalls } from './graph/on-behalf.js';
import { incompleteness } from './graph/completeness.js';
import { dlopenNames } from './link/dlopen.js';
import { MUSL_START_STAGES } from './link/musl.js';
import { dlsymNames, dlsymRoots } from './link/dlsym.js';
import { mergeArgumentRules, restrictedArguments } from './args/restricted-arguments.js';
import { enosysFallbacks } from './graph/enosys-fallback.js';
import { AnalysisCancelled, InputError } from './errors.js';
import { uncachedWarning } from './cache/atomic-write.js';
import { join } from 'node:path';
import { createHash } from 'node:crypto';

export interface AnalyzeOptions {
  rootfs: string;
  programs: string[];
  cacheDir?: string;
  /** Worker threads for per-object analysis; 0 analyses on the calling thread. */
  workers?: number;
  onProgress?: (p: Progress) => void;
  /** Libraries seen mapped by each program's processes (phase 1), added like dlopen'ed ones. */
  libraries?: Record<string, string[]>;
  /** Report a program that cannot be analysed (missing, not ELF, foreign architecture) and go on. */
  keepGoing?: boolean;
  /** Called with each program's final call graph (for the UI's graph queries), before the next program. */
  onGraph?: (program: string, graph: ProgramGraph, roots: { node: number; why: string }[]) => void;
  /** Extra facts per program for the summary (phase-1 origin and counts). */
  annotate?: (program: string) => Partial<ProgramSummary>;
  /** Stops the analysis before the next object or program (AnalysisCancelled). */
  signal?: AbortSignal;
  /** Diagnosis for tests and the benchmark (program-graph.ts WhatIf): an unsound policy on purpose, never cached. */
  whatIf?: WhatIf;
  /** Host directories searched for debug files after the rootfs (link/debug-symbols.ts); HOST_DEBUG_DIRS when absent. */
  debugDirs?: readonly string[];
}

export interface Progress {
  phase: 'load' | 'objects' | 'graph' | 'done';
  file?: string;
  done: number;
  total: number;
  /** Objects: the dlopen round their batch belongs to (0: the program and what it links). */
  round?: number;
}

/** What one program contributes to the report; cached as a whole when its inputs are unchanged. */
interface ProgramResult {
  /** Known syscalls in discovery order, with the best path and every site each. */
  syscalls: { nr: number; path: PathStep[]; cost?: number; sites?: { object: string; function: string; address: string; path: PathStep[] }[]; args?: ArgumentRule[]; enosys?: string }[];
  unresolved: Omit<UnresolvedSite, 'program'>[];
  objects: string[];
  /** Graph objects (the vDSO included), for the report's object count. */
  graphObjects: string[];
  /** Syscall numbers found, unknown ones included (the summary's count). */
  syscallCount: number;
  unresolvedCount: number;
  warnings: string[];
  mapped: string[];
  functions: number;
  instructions: number;
  /** Why the analysis of this program is not complete (graph/completeness.ts); empty when it is. */
  notFullyAnalysed: string[];
}

const MAX_DLOPEN_ROUNDS = 8;

/** Analyses each program inside `rootfs` and returns the merged report. */
export async function analyze(opts: AnalyzeOptions): Promise<Report> {
  const started = performance.now();
  const cache = new FactsCache(opts.cacheDir);
  const hashes = new FileHashes(opts.cacheDir ? join(opts.cacheDir, 'file-hashes.json') : undefined);
  // A caller that wants the call graph needs it built: results are then always computed.
  const results = new ResultCache<ProgramResult>(opts.onGraph || opts.whatIf ? undefined : opts.cacheDir, hashes);
  let pool: FactsPool | undefined;
  const hashByPath = new Map<string, string>();
  // Each object read once: as parsed, with a debug file's symbols when one is used, and its hashes.
  const openedByPath = new Map<string, { raw: ElfFile; elf: ElfFile; fileHash: string; factsHash: string; debug?: { hostPath: string; hash: string } | null }>();
  const factsByPath = new Map<string, ObjectFacts>();
  // The loader's only way to read an object: its contents are recorded (as their sha256) in the
  // loader's probe log, next to the search probes, so a cached result depends on them.
  const open = (hostPath: string, rootfsPath: string): ElfFile => {
    let o = openedByPath.get(hostPath);
    if (!o) {
      const ident = hashes.identity(hostPath);
      let elf: ElfFile;
      try {
        elf = readElfFile(hostPath, rootfsPath);
      } catch (err) {
        activeLog()?.record('elf', hostPath, hashes.hash(hostPath) ?? 'missing');
        throw err;
      }
      const fileHash = hashes.hash(hostPath, ident, elf.bytes)!;
      o = { raw: elf, elf, fileHash, factsHash: fileHash };
      openedByPath.set(hostPath, o);
    }
    activeLog()?.record('elf', hostPath, o.fileHash);
    // A separate debug file of the same build gives a stripped object its symbols, and the facts
    // then depend on both files. Looking for it is probed on every open, so that each program's
    // probe log (and its cached result) notices a debug file installed or removed later.
    const debugFile = debugFileFor(opts.rootfs, o.raw, opts.debugDirs);
    if (debugFile) {
      if (o.debug === undefined) {
        const debug = readDebugFile(debugFile, o.raw, (w) => debugWarnings.add(w));
        o.debug = debug ? { hostPath: debugFile.hostPath, hash: hashes.hash(debugFile.hostPath, hashes.identity(debugFile.hostPath), debug.bytes)! } : null;
        if (debug) o.elf = withDebugSymbols(o.raw, { symtab: debug.symtab, from: debugFile.rootfsPath });
        if (o.debug) o.factsHash = createHash('sha256').update(`${o.fileHash}+${o.debug.hash}`).digest('hex');
      }
      if (o.debug) activeLog()?.record('elf', o.debug.hostPath, o.debug.hash);
    }
    hashByPath.set(hostPath, o.factsHash);
    return o.elf;
  };
  const progress = opts.onProgress ?? (() => undefined);
  const cacheErrors = new Set<string>();
  const debugWarnings = new Set<string>();
  const factsFor = async (lp: LoadedProgram, indexes: number[], round: number): Promise<void> => {
    // Largest first: with few workers, a big library started last would finish long after the rest.
    const todo = indexes
      .map((i) => lp.objects[i])
      .filter((o) => !factsByPath.has(o.hostPath))
      .sort((a, b) => b.elf.bytes.length - a.elf.bytes.length);
    let done = 0;
    await Promise.all(
      todo.map(async (o) => {
        const hash = hashByPath.get(o.hostPath)!;
        let f = cache.get(hash);
        if (!f) {
          if (opts.signal?.aborted) throw new AnalysisCancelled();
          // Workers start at the first object that is not cached: a warm run needs none.
          if (opts.workers !== 0) pool ??= new FactsPool(opts.workers);
          let cacheError: string | undefined;
          const symbols = o.elf.symbolsFrom ? { symtab: o.elf.symtab, from: o.elf.symbolsFrom } : undefined;
          if (pool) ({ facts: f, cacheError } = await pool.run(o.elf.bytes, hash, o.rootfsPath, opts.cacheDir, opts.signal, symbols));
          else cacheError = cache.put((f = analyzeObject(o.elf, hash)));
          if (cacheError) cacheErrors.add(cacheError);
        }
        factsByPath.set(o.hostPath, f);
        progress({ phase: 'objects', file: o.rootfsPath, done: ++done, total: todo.length, round });
      }),
    );
  };

  const merged = new Map<number, SyscallEntry>();
  const bestCost = new Map<number, number>();
  const siteIndex = new Map<number, Map<string, SyscallSiteEntry>>();
  const unresolved: UnresolvedSite[] = [];
  const summaries: ProgramSummary[] = [];
  const warnings: string[] = [];
  let functions = 0;
  let instructions = 0;
  const seenObjects = new Set<string>();
  let cachedObjects = 0;
  const computeOne = async (program: string): Promise<{ result: ProgramResult; lp: LoadedProgram }> => {
    const lp = loadProgram(opts.rootfs, program, open);
    // Libraries its processes were seen mapping: loaded the way dlopen would (already-mapped ones add nothing).
    const mapped: string[] = [];
    for (const lib of opts.libraries?.[program] ?? []) if (addLibrary(lp, lib, 0, open, false).length > 0) mapped.push(lib);
    await factsFor(lp, lp.objects.map((o) => o.index), 0);
    // dlopen/dlsym calls whose name is computed: what they load or find is only known from phase 1.
    const dynamicDlopens = new Map<string, string>();
    const dynamicDlsyms = new Map<string, string>();
    // Symbol names looked up with dlsym, and who looks each up: their definitions are roots.
    const dlsyms = new Map<string, string>();
    let graph!: ProgramGraph;
    let graphRoots: Root[] = [];
    const rebuild = (): void => {
      graph = buildGraph(lp, factsByPath, opts.whatIf);
      graphRoots = [...roots(graph, lp), ...dlsymRoots(graph, lp, dlsyms)];
      graph.explore(graphRoots, new Set(dlsyms.keys()));
    };
    rebuild();
    for (let round = 1; round <= MAX_DLOPEN_ROUNDS; round++) {
      progress({ phase: 'graph', file: program, done: round, total: MAX_DLOPEN_ROUNDS });
      const added: number[] = [];
      const { names, dynamic } = dlopenNames(graph, lp);
      for (const name of names) added.push(...addLibrary(lp, name.text, name.from, open, name.direct));
      for (const d of dynamic) dynamicDlopens.set(`${graph.objects[graph.nodes[d.node].obj].path}:${d.site.toString(16)}`, graph.functionName(d.node));
      const symbols = dlsymNames(graph, lp);
      let newSymbols = 0;
      for (const [name, by] of symbols.names) {
        if (dlsyms.has(name)) continue;
        dlsyms.set(name, by);
        newSymbols++;
      }
      for (const d of symbols.dynamic) dynamicDlsyms.set(`${graph.objects[graph.nodes[d.node].obj].path}:${d.site.toString(16)}`, graph.functionName(d.node));
      if (added.length === 0 && newSymbols === 0) break;
      await factsFor(lp, added, round);
      // The graph collected from is always explored, also after the last round.
      rebuild();
      if (round === MAX_DLOPEN_ROUNDS) lp.warnings.push(`dlopen chains longer than ${MAX_DLOPEN_ROUNDS} libraries: constant library names inside the last ones added were not followed`);
    }
    for (const [at, fn] of dynamicDlopens) lp.warnings.push(`dlopen with a name computed at run time in ${fn} (${at}): libraries it loads are not analysed (only phase 1 of an image analysis records what a program maps)`);
    for (const [at, fn] of dynamicDlsyms) lp.warnings.push(`dlsym with a name computed at run time in ${fn} (${at}): the function it returns is not known`);
    const { syscalls, unresolved: un, notes } = graph.collect();
    lp.warnings.push(...notes);
    opts.onGraph?.(program, graph, graphRoots);
    const known: ProgramResult['syscalls'] = [];
    for (const [nr, s] of syscalls) {
      if (syscallName(nr) === undefined) {
        // Numbers past the pinned table (or x32) are denied, never guessed: say so.
        lp.warnings.push(`syscall number ${nr} is not in the Linux ${KERNEL_RELEASE} table (denied): ${s.path.map((p) => p.function).join(' -> ')}`);
        continue;
      }
      known.push({ nr, path: s.path, cost: s.sites[0].cost, sites: s.sites.map((x) => ({ object: x.object, function: x.function, address: x.address.toString(16), path: x === s.sites[0] ? s.path : x.path() })) });
    }
    const rules = restrictedArguments(graph, graphRoots);
    for (const k of known) if (rules.has(k.nr)) k.args = rules.get(k.nr);
    // As for argument rules: a site of unknown number may be the syscall itself, without a fallback.
    const enosys = un.length === 0 ? enosysFallbacks(graph, syscalls, graphRoots.map((r) => r.node)) : new Map<number, string>();
    const kernelMade = kernelMadeSyscalls(known);
    // Made by the kernel itself: its one site is the kernel step its path ends in.
    known.push(...kernelMade.map((k) => ({ ...k, sites: [{ object: k.path.at(-1)!.object, function: k.path.at(-1)!.function, address: k.path.at(-1)!.address, path: k.path }] })));
    const result: ProgramResult = {
      syscalls: known,
      unresolved: dedupeUnresolved(un).map((u) => ({ object: u.object, function: u.function, address: u.address.toString(16), reason: u.reason, path: u.path })),
      objects: lp.objects.map((o) => o.rootfsPath),
      graphObjects: graph.objects.map((o) => o.path),
      syscallCount: syscalls.size + kernelMade.length,
      unresolvedCount: un.length,
      warnings: lp.warnings,
      mapped,
      functions: graph.nodes.length,
      instructions: graph.objects.reduce((a, o) => a + o.facts.instructions, 0),
      notFullyAnalysed: incompleteness({ graph, lp, dynamicDlopens, dynamicDlsyms, observed: opts.libraries?.[program] !== undefined }),
    };
    // Like argument rules, an ENOSYS answer stands in a program not fully analysed: its policy
    // already says it may miss what unseen code makes (design rule 8), and --strict refuses it.
    for (const k of known) if (enosys.has(k.nr)) k.enosys = enosys.get(k.nr);
    return { result, lp };
  };
  const analyzeOne = async (program: string): Promise<void> => {
    if (opts.signal?.aborted) throw new AnalysisCancelled();
    progress({ phase: 'load', file: program, done: 0, total: opts.programs.length });
    const key = { rootfs: opts.rootfs, program, libraries: opts.libraries?.[program] ?? [] };
    let result = results.get(key);
    if (result) cachedObjects += result.objects.length;
    else {
      const computed = await computeOne(program);
      result = computed.result;
      const err = results.put(key, loaderProbes(computed.lp), result);
      if (err) cacheErrors.add(err);
    }
    for (const { nr, path, cost, sites, args, enosys } of result.syscalls) {
      let e = merged.get(nr);
      if (!e) merged.set(nr, (e = { name: syscallName(nr)!, nr, programs: [program], path, ...(args ? { args } : {}), ...(enosys ? { enosys } : {}) }));
      else {
        e.programs.push(program);
        // ENOSYS only where every program that makes it falls back.
        if (!enosys) delete e.enosys;
        const both = mergeArgumentRules(e.args, args);
        if (both) e.args = both;
        else delete e.args;
        const best = bestCost.get(nr) ?? Infinity;
        if ((cost ?? Infinity) < best || (cost === undefined && best === Infinity && path.length < e.path.length)) e.path = path;
      }
      if (cost !== undefined && cost < (bestCost.get(nr) ?? Infinity)) bestCost.set(nr, cost);
      for (const s of sites ?? []) {
        const key = `${s.object}:${s.address}`;
        let at = siteIndex.get(nr);
        if (!at) siteIndex.set(nr, (at = new Map()));
        const old = at.get(key);
        if (old) old.programs.push(program);
        else {
          const entry = { programs: [program], ...s };
          at.set(key, entry);
          (e.sites ??= []).push(entry);
        }
      }
    }
    for (const u of result.unresolved) unresolved.push({ program, ...u });
    for (const o of result.graphObjects) seenObjects.add(o);
    functions += result.functions;
    instructions += result.instructions;
    summaries.push({
      path: program,
      objects: result.objects,
      syscalls: result.syscallCount,
      unresolved: result.unresolvedCount,
      warnings: result.warnings,
      ...(result.mapped.length > 0 ? { mapped: result.mapped } : {}),
      ...(result.notFullyAnalysed.length > 0 ? { notFullyAnalysed: result.notFullyAnalysed } : {}),
      ...opts.annotate?.(program),
    });
    warnings.push(...result.warnings.map((w) => `${program}: ${w}`));
  };
  try {
    for (const program of opts.programs) {
      try {
        await analyzeOne(program);
      } catch (e) {
        if (!opts.keepGoing || !(e instanceof InputError)) throw e;
        summaries.push({ path: program, objects: [], syscalls: 0, unresolved: 0, warnings: [], error: e.message, ...opts.annotate?.(program) });
        warnings.push(`${program}: not analysed: ${e.message}`);
      }
    }
  } finally {
    await pool?.close();
    hashes.save();
  }
  progress({ phase: 'done', done: 1, total: 1 });
  for (const reason of cacheErrors) warnings.push(uncachedWarning(opts.cacheDir!, reason));
  warnings.push(...debugWarnings);
  // A program that could not be analysed may make any syscall without a fallback: no ENOSYS answers.
  if (summaries.some((p) => p.error)) for (const e of merged.values()) delete e.enosys;
  return {
    tool: 'confine',
    version: FACTS_VERSION,
    kernel: KERNEL_RELEASE,
    rootfs: opts.rootfs,
    programs: summaries,
    syscalls: [...merged.values()].sort((a, b) => a.nr - b.nr),
    unresolved,
    warnings,
    contributors: contributions([...merged.values()]),
    stats: { objects: seenObjects.size, functions, instructions, cachedObjects: cache.hits + cachedObjects, seconds: (performance.now() - started) / 1000 },
  };
}

/** Per object, the syscalls it has a reachable site of and those only it has (what removing it from the image would remove). */
export function contributions(syscalls: SyscallEntry[]): ObjectContribution[] {
  const by = new Map<string, Set<number>>();
  const only = new Map<string, number[]>();
  for (const s of syscalls) {
    const objects = new Set((s.sites ?? []).map((x) => x.object));
    for (const o of objects) {
      if (!by.has(o)) by.set(o, new Set());
      by.get(o)!.add(s.nr);
    }
    if (objects.size === 1) {
      const [o] = objects;
      (only.get(o) ?? only.set(o, []).get(o)!).push(s.nr);
    }
  }
  return [...by]
    .map(([object, nrs]) => ({ object, syscalls: [...nrs].sort((a, b) => a - b), only: (only.get(object) ?? []).sort((a, b) => a - b) }))
    .sort((a, b) => b.only.length - a.only.length || a.object.localeCompare(b.object));
}

function buildGraph(lp: LoadedProgram, factsByPath: Map<string, ObjectFacts>, whatIf?: WhatIf): ProgramGraph {
  const objects: GraphObject[] = lp.objects.map((o) => {
    const facts = factsByPath.get(o.hostPath);
    if (!facts) throw new InputError(o.rootfsPath, 'internal: facts missing');
    return { path: o.rootfsPath, facts, loaded: o.index };
  });
  // The vDSO is mapped into every process; libc reaches it through pointers it looks up by name.
  objects.push(vdsoObject());
  return new ProgramGraph(lp, objects, whatIf);
}

/** Program roots (design rule 2): entry points, init/fini code, IFUNC resolvers, dlopen'ed exports, the vDSO. */
function roots(g: ProgramGraph, lp: LoadedProgram): Root[] {
  const out: Root[] = [];
  // Rank and indirect start (best-paths.ts): which roots justify a syscall in the path shown; all of them count for the policy.
  const LOADER = { rank: 2, indirect: 8 };
  const add = (obj: number, addr: number, why: string, how: { rank: number; indirect?: number } = { rank: 1 }): void => {
    const n = g.nodeAt(obj, addr);
    if (n !== undefined) out.push({ node: n, why, ...how });
  };
  g.objects.forEach((o, oi) => {
    if (o.loaded < 0) {
      for (const f of o.facts.functions) add(oi, f.entry, `${o.path} is mapped in every process`, { rank: 2, indirect: 1 });
      return;
    }
    const lo = lp.objects[o.loaded];
    const elf = lo.elf;
    const isInterp = lo.interpreter === true;
    if (o.loaded === 0 || isInterp) add(oi, elf.entry, o.loaded === 0 ? 'program entry point' : 'dynamic loader entry point', o.loaded === 0 ? { rank: 0 } : LOADER);
    if (isInterp && lp.libc === 'musl') {
      for (const sym of elf.dynsym) if (sym.shndx !== 0 && MUSL_START_STAGES.includes(sym.name)) add(oi, sym.value, `${sym.name}: a start-up stage musl's dynamic linker finds by name and calls`);
    }
    for (const a of elf.initFunctions) add(oi, a, 'init/fini function');
    if (o.loaded === 0) {
      // After relocation ld.so calls the malloc family it looked up in the program's scope.
      for (const b of rtldMallocBindings(lp)) {
        if (!b.to) continue;
        const t = g.objIndexOfLoaded(b.to.object);
        if (t >= 0) add(t, b.to.symbol.value, `${b.symbol} called by the dynamic loader`, LOADER);
      }
    }
    for (const r of elf.relocations) if (r.type === R_X86_64_IRELATIVE) add(oi, r.addend, 'IFUNC resolver run by the loader', LOADER);
    for (const s of elf.dynsym) {
      if (s.shndx === 0) continue;
      if (s.type === STT_GNU_IFUNC) add(oi, s.value, 'IFUNC resolver run by the loader', LOADER);
      // Only the dlopen'ed library's own exports can come back from dlsym; its dependencies are
      // reached through the bindings it makes.
      else if (lo.dlopenTarget && s.type === STT_FUNC) add(oi, s.value, `export of dlopen'ed ${lo.rootfsPath}`, { rank: 1, indirect: 1 });
    }
  });
  return out;
}

function dedupeUnresolved<T extends { object: string; address: number }>(list: T[]): T[] {
  const seen = new Set<string>();
  return list.filter((u) => {
    const k = `${u.object}:${u.address}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
