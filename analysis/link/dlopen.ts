// dlopen of constant library names (design rule 5): constant strings passed at reachable calls
// that lead to dlopen, glibc's own dlopens of NSS modules, and the calls whose name is computed.
import type { ProgramGraph } from '../graph/program-graph.js';
import { callsWithUnknownArg, constantStrings } from '../graph/call-arguments.js';
import { glibcImplicitLibraries } from './loader.js';
import type { LoadedProgram } from './types.js';

// A dlopen'ed name: a bare or absolute path to a shared object.
const LIBRARY_NAME = /^(\/[\w.+@/-]+\/)?lib[\w.+-]*\.so(\.[0-9]+)*$/;

/**
 * The reached functions that are one of `names` (as defined in any loaded object) or a PLT stub
 * jumping to one, and every reached function that can reach them.
 */
export function callsInto(g: ProgramGraph, lp: LoadedProgram, names: ReadonlySet<string>): { entries: Set<number>; callers: Set<number> } {
  const entries: number[] = [];
  g.objects.forEach((o, oi) => {
    if (o.loaded < 0) return;
    for (const s of lp.objects[o.loaded].elf.dynsym) {
      if (s.shndx === 0 || !names.has(s.name)) continue;
      const n = g.nodeAt(oi, s.value);
      if (n !== undefined) entries.push(n);
    }
  });
  const callers = g.reachingAny(entries);
  // A PLT stub of dlopen is dlopen for its callers.
  const entrySet = new Set(entries);
  for (const n of callers) {
    if (n !== g.INDIRECT && g.nodes[n].fn.name?.endsWith('@plt') && g.edges(n).some((e) => entrySet.has(e.to))) entrySet.add(n);
  }
  return { entries: entrySet, callers };
}

// Entry points that map a library by name; callers anywhere (e.g. libcrypto's DSO methods) reach one of these.
const DLOPEN_FUNCTIONS = new Set(['dlopen', 'dlmopen', '__libc_dlopen_mode']);

/** Library names to dlopen: constant strings at reachable calls that lead to dlopen, plus glibc's own fixed cases. */
export function dlopenNames(g: ProgramGraph, lp: LoadedProgram): { names: { from: number; text: string; direct: boolean }[]; dynamic: { node: number; site: number }[] } {
  const { entries: entrySet, callers } = callsInto(g, lp, DLOPEN_FUNCTIONS);
  const names: { from: number; text: string; direct: boolean }[] = [];
  let nss = false;
  for (const s of constantStrings(g)) {
    if (s.text.startsWith('libnss_')) nss = true;
    if (!LIBRARY_NAME.test(s.text)) continue;
    const targets = g.edges(s.node).filter((e) => e.call === s.call).map((e) => e.to);
    if (!targets.some((t) => callers.has(t))) continue;
    names.push({ from: s.from, text: s.text, direct: targets.some((t) => entrySet.has(t)) });
  }
  // glibc builds NSS module names at run time ("libnss_" + service): take the image's nsswitch.conf.
  if (nss) for (const p of glibcImplicitLibraries(lp).nss) names.push({ from: 0, text: p, direct: true });
  return { names, dynamic: callsWithUnknownArg(g, entrySet) };
}

