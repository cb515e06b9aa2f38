// The whole engine for programs in a root filesystem: load, per-object facts (cached, in workers),
// cross-object graph, dlopen rounds, and the report.
import type { ElfFile } from './elf/types.js';
import { STT_GNU_IFUNC, STT_FUNC, R_X86_64_IRELATIVE } from './elf/types.js';
import { readElfFile } from './elf/read.js';
import { loadProgram, addLibrary, glibcImplicitLibraries, rtldMallocBindings } from './link/loader.js';
import type { LoadedProgram } from './link/types.js';
import { ProgramGraph, type GraphObject } from './graph/program-graph.js';
import type { Report, SyscallEntry, UnresolvedSite, ProgramSummary } from './graph/report.js';
import type { ObjectFacts } from './program/facts.js';
import { FACTS_VERSION } from './program/facts.js';
import { FactsCache, sha256 } from './cache/facts-cache.js';
import { FactsPool } from './cache/worker-pool.js';
import { analyzeObject } from './program/analyze-object.js';
import { vdsoObject } from './program/vdso.js';
import { syscallName, KERNEL_RELEASE } from './x86_64/syscall-table.js';
import { InputError } from './errors.js';

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
}

export interface Progress {
  phase: 'load' | 'objects' | 'graph' | 'done';
  file?: string;
  done: number;
  total: number;
}

// A dlopen'ed name: a bare or absolute path to a shared object.
const LIBRARY_NAME = /^(\/[\w.+@/-]+\/)?lib[\w.+-]*\.so(\.[0-9]+)*$/;
const MAX_DLOPEN_ROUNDS = 8;

/** Analyses each program inside `rootfs` and returns the merged report. */
export async function analyze(opts: AnalyzeOptions): Promise<Report> {
  const started = performance.now();
  const cache = new FactsCache(opts.cacheDir);
  const pool = opts.workers === 0 ? undefined : new FactsPool(opts.workers);
  const elfByPath = new Map<string, ElfFile>();
  const factsByPath = new Map<string, ObjectFacts>();
  const open = (hostPath: string, rootfsPath: string): ElfFile => {
    let e = elfByPath.get(hostPath);
    if (!e) {
      e = readElfFile(hostPath, rootfsPath);
      elfByPath.set(hostPath, e);
    }
    return e;
  };
  const progress = opts.onProgress ?? (() => undefined);
  const factsFor = async (lp: LoadedProgram, indexes: number[]): Promise<void> => {
    const todo = indexes.map((i) => lp.objects[i]).filter((o) => !factsByPath.has(o.hostPath));
    let done = 0;
    await Promise.all(
      todo.map(async (o) => {
        const hash = sha256(o.elf.bytes);
        let f = cache.get(hash);
        if (!f) {
          f = pool ? await pool.run(o.elf.bytes, hash, o.rootfsPath) : analyzeObject(o.elf, hash);
          cache.put(f);
        }
        factsByPath.set(o.hostPath, f);
        progress({ phase: 'objects', file: o.rootfsPath, done: ++done, total: todo.length });
      }),
    );
  };

  const merged = new Map<number, SyscallEntry>();
  const unresolved: UnresolvedSite[] = [];
  const summaries: ProgramSummary[] = [];
  const warnings: string[] = [];
  let functions = 0;
  let instructions = 0;
  const seenObjects = new Set<string>();
  const analyzeOne = async (program: string): Promise<void> => {
    progress({ phase: 'load', file: program, done: 0, total: opts.programs.length });
    const lp = loadProgram(opts.rootfs, program, open);
    // Libraries its processes were seen mapping: loaded the way dlopen would (already-mapped ones add nothing).
    const mapped: string[] = [];
    for (const lib of opts.libraries?.[program] ?? []) if (addLibrary(lp, lib, 0, open, false).length > 0) mapped.push(lib);
    await factsFor(lp, lp.objects.map((o) => o.index));
    let graph = buildGraph(lp, factsByPath);
    // dlopen calls whose name is computed: the libraries they load are only known from phase 1.
    const dynamicDlopens = new Map<string, string>();
    for (let round = 0; round < MAX_DLOPEN_ROUNDS; round++) {
      progress({ phase: 'graph', file: program, done: round, total: MAX_DLOPEN_ROUNDS });
      graph.explore(roots(graph, lp));
      const added: number[] = [];
      const { names, dynamic } = dlopenNames(graph, lp);
      for (const name of names) added.push(...addLibrary(lp, name.text, name.from, open, name.direct));
      for (const d of dynamic) dynamicDlopens.set(`${graph.objects[graph.nodes[d.node].obj].path}:${d.site.toString(16)}`, graph.functionName(d.node));
      if (added.length === 0) break;
      await factsFor(lp, added);
      graph = buildGraph(lp, factsByPath);
    }
    for (const [at, fn] of dynamicDlopens) lp.warnings.push(`dlopen with a name computed at run time in ${fn} (${at}): libraries it loads are not analysed unless phase 1 saw them mapped`);
    const { syscalls, unresolved: un } = graph.collect();
    opts.onGraph?.(program, graph, roots(graph, lp));
    for (const [nr, s] of syscalls) {
      const name = syscallName(nr);
      if (name === undefined) {
        // Numbers past the pinned table (or x32) are denied, never guessed: say so.
        lp.warnings.push(`syscall number ${nr} is not in the Linux ${KERNEL_RELEASE} table (denied): ${s.path.map((p) => p.function).join(' -> ')}`);
        continue;
      }
      const e = merged.get(nr);
      if (!e) merged.set(nr, { name, nr, programs: [program], path: s.path });
      else {
        e.programs.push(program);
        if (s.path.length < e.path.length) e.path = s.path;
      }
    }
    for (const u of dedupeUnresolved(un)) unresolved.push({ program, object: u.object, function: u.function, address: u.address.toString(16), reason: u.reason, path: u.path });
    for (const o of graph.objects) seenObjects.add(o.path);
    functions += graph.nodes.length;
    instructions += graph.objects.reduce((a, o) => a + o.facts.instructions, 0);
    summaries.push({ path: program, objects: lp.objects.map((o) => o.rootfsPath), syscalls: syscalls.size, unresolved: un.length, warnings: lp.warnings, ...(mapped.length > 0 ? { mapped } : {}), ...opts.annotate?.(program) });
    warnings.push(...lp.warnings.map((w) => `${program}: ${w}`));
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
  }
  progress({ phase: 'done', done: 1, total: 1 });
  return {
    tool: 'confine',
    version: FACTS_VERSION,
    kernel: KERNEL_RELEASE,
    rootfs: opts.rootfs,
    programs: summaries,
    syscalls: [...merged.values()].sort((a, b) => a.nr - b.nr),
    unresolved,
    warnings,
    stats: { objects: seenObjects.size, functions, instructions, cachedObjects: cache.hits, seconds: (performance.now() - started) / 1000 },
  };
}

function buildGraph(lp: LoadedProgram, factsByPath: Map<string, ObjectFacts>): ProgramGraph {
  const objects: GraphObject[] = lp.objects.map((o) => {
    const facts = factsByPath.get(o.hostPath);
    if (!facts) throw new InputError(o.rootfsPath, 'internal: facts missing');
    return { path: o.rootfsPath, facts, loaded: o.index };
  });
  // The vDSO is mapped into every process; libc reaches it through pointers it looks up by name.
  objects.push(vdsoObject());
  return new ProgramGraph(lp, objects);
}

/** Program roots (design rule 2): entry points, init/fini code, IFUNC resolvers, dlopen'ed exports, the vDSO. */
function roots(g: ProgramGraph, lp: LoadedProgram): { node: number; why: string }[] {
  const out: { node: number; why: string }[] = [];
  const add = (obj: number, addr: number, why: string): void => {
    const n = g.nodeAt(obj, addr);
    if (n !== undefined) out.push({ node: n, why });
  };
  g.objects.forEach((o, oi) => {
    if (o.loaded < 0) {
      for (const f of o.facts.functions) add(oi, f.entry, `${o.path} is mapped in every process`);
      return;
    }
    const lo = lp.objects[o.loaded];
    const elf = lo.elf;
    const isInterp = o.loaded > 0 && lp.objects[0].elf.interp !== undefined && lo.elf.soname !== undefined && lp.objects[0].elf.interp.endsWith(lo.elf.soname);
    if (o.loaded === 0 || isInterp) add(oi, elf.entry, o.loaded === 0 ? 'program entry point' : 'dynamic loader entry point');
    for (const a of elf.initFunctions) add(oi, a, 'init/fini function');
    if (o.loaded === 0) {
      // After relocation ld.so calls the malloc family it looked up in the program's scope.
      for (const b of rtldMallocBindings(lp)) {
        if (!b.to) continue;
        const t = g.objIndexOfLoaded(b.to.object);
        if (t >= 0) add(t, b.to.symbol.value, `${b.symbol} called by the dynamic loader`);
      }
    }
    for (const r of elf.relocations) if (r.type === R_X86_64_IRELATIVE) add(oi, r.addend, 'IFUNC resolver run by the loader');
    for (const s of elf.dynsym) {
      if (s.shndx === 0) continue;
      if (s.type === STT_GNU_IFUNC) add(oi, s.value, 'IFUNC resolver run by the loader');
      // Only the dlopen'ed library's own exports can come back from dlsym; its dependencies are
      // reached through the bindings it makes.
      else if (lo.dlopenTarget && s.type === STT_FUNC) add(oi, s.value, `export of dlopen'ed ${lo.rootfsPath}`);
    }
  });
  return out;
}

// Entry points that map a library by name; callers anywhere (e.g. libcrypto's DSO methods) reach one of these.
const DLOPEN_FUNCTIONS = new Set(['dlopen', 'dlmopen', '__libc_dlopen_mode']);

/** Library names to dlopen: constant strings at reachable calls that lead to dlopen, plus glibc's own fixed cases. */
function dlopenNames(g: ProgramGraph, lp: LoadedProgram): { names: { from: number; text: string; direct: boolean }[]; dynamic: { node: number; site: number }[] } {
  const entries: number[] = [];
  g.objects.forEach((o, oi) => {
    if (o.loaded < 0) return;
    for (const s of lp.objects[o.loaded].elf.dynsym) {
      if (s.shndx === 0 || !DLOPEN_FUNCTIONS.has(s.name)) continue;
      const n = g.nodeAt(oi, s.value);
      if (n !== undefined) entries.push(n);
    }
  });
  const names: { from: number; text: string; direct: boolean }[] = [];
  const callers = g.reachingAny(entries);
  // A PLT stub of dlopen is dlopen for its callers.
  const entrySet = new Set(entries);
  for (const n of callers) {
    if (n !== g.INDIRECT && g.nodes[n].fn.name?.endsWith('@plt') && g.edges(n).some((e) => entrySet.has(e.to))) entrySet.add(n);
  }
  let nss = false;
  for (const s of g.constantStrings()) {
    if (s.text.startsWith('libnss_')) nss = true;
    if (!LIBRARY_NAME.test(s.text)) continue;
    const targets = g.edges(s.node).filter((e) => e.call === s.call).map((e) => e.to);
    if (!targets.some((t) => callers.has(t))) continue;
    names.push({ from: s.from, text: s.text, direct: targets.some((t) => entrySet.has(t)) });
  }
  // glibc builds NSS module names at run time ("libnss_" + service): take the image's nsswitch.conf.
  if (nss) for (const p of glibcImplicitLibraries(lp).nss) names.push({ from: 0, text: p, direct: true });
  return { names, dynamic: g.callsWithUnknownFirstArg(entrySet) };
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
