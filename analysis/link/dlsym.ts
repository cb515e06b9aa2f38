// dlsym and dlvsym of a constant symbol name (design rule 10): the definition the lookup can
// return becomes reachable, as a JIT runtime finds pkey_alloc with dlsym(RTLD_DEFAULT, ...). The
// name is followed back from dlsym's second argument through wrappers that pass an argument of
// their own on; a name computed at run time is reported. The handle is not followed, so every
// loaded object's exported definition of the name counts (a superset of what the handle's scope
// returns).
import type { Root } from '../graph/best-paths.js';
import type { ProgramGraph } from '../graph/program-graph.js';
import { stringAt } from '../graph/call-arguments.js';
import { passedAt } from '../program/facts.js';
import { RSI } from '../x86_64/registers.js';
import { STT_FUNC, STT_GNU_IFUNC } from '../elf/types.js';
import { callsInto } from './dlopen.js';
import type { LoadedProgram } from './types.js';

const DLSYM_FUNCTIONS = new Set(['dlsym', 'dlvsym']);

/** Constant names passed (through wrappers) to reachable dlsym/dlvsym calls, with the function passing each, and the calls whose name is not constant. */
export function dlsymNames(g: ProgramGraph, lp: LoadedProgram): { names: Map<string, string>; dynamic: { node: number; site: number }[] } {
  const names = new Map<string, string>();
  const dynamic: { node: number; site: number }[] = [];
  const { entries } = callsInto(g, lp, DLSYM_FUNCTIONS);
  if (entries.size === 0) return { names, dynamic };
  // (function, argument register) pairs whose value ends up as dlsym's name.
  const carriers = new Map<number, Set<number>>();
  for (const e of entries) carriers.set(e, new Set([RSI]));
  const judged = new Set<string>();
  for (let changed = true; changed; ) {
    changed = false;
    for (const id of g.parent.keys()) {
      if (id === g.INDIRECT) continue;
      for (const e of g.edges(id)) {
        const regs = carriers.get(e.to);
        if (!regs || e.kind === 'fallthrough') continue;
        for (const reg of regs) {
          const key = `${id}:${e.site}:${reg}`;
          if (judged.has(key)) continue;
          judged.add(key);
          const v = passedAt(e.call, reg);
          if (v !== null && 'arg' in v) {
            let own = carriers.get(id);
            if (!own) carriers.set(id, (own = new Set()));
            if (!own.has(v.arg)) {
              own.add(v.arg);
              changed = true;
            }
            continue;
          }
          const obj = g.nodes[id].obj;
          const texts = v !== null && 'c' in v ? v.c.map((a) => stringAt(g, obj, a)) : [undefined];
          if (texts.some((t) => t === undefined)) dynamic.push({ node: id, site: e.site });
          for (const t of texts) if (t !== undefined && !names.has(t)) names.set(t, `${g.objects[obj].path}:${g.functionName(id)}`);
        }
      }
    }
  }
  return { names, dynamic };
}

/** Roots for the definitions dlsym can return for `names`: every loaded object's exported function (an IFUNC's implementations). */
export function dlsymRoots(g: ProgramGraph, lp: LoadedProgram, names: ReadonlyMap<string, string>): Root[] {
  const out: Root[] = [];
  if (names.size === 0) return out;
  g.objects.forEach((o, oi) => {
    if (o.loaded < 0) return;
    for (const s of lp.objects[o.loaded].elf.dynsym) {
      if (s.shndx === 0 || (s.type !== STT_FUNC && s.type !== STT_GNU_IFUNC) || s.bind === 0) continue;
      const by = names.get(s.name);
      if (by === undefined) continue;
      for (const node of g.definitionTargets(oi, s)) out.push({ node, why: `dlsym of "${s.name}" in ${by} returns ${o.path}'s definition`, rank: 1, indirect: 1 });
    }
  });
  return out;
}
