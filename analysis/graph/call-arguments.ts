// What reachable calls pass: the constant strings at call sites (the names dlopen and dlsym get)
// and the calls whose argument is not known. The dlopen and dlsym models (link/) ask these of an
// explored program graph.
import { readCString } from '../elf/memory.js';
import type { CallSite } from '../program/facts.js';
import { passedAt, TRACKED_REGS } from '../program/facts.js';
import type { ProgramGraph } from './program-graph.js';

const strings = new WeakMap<ProgramGraph, Map<number, Map<number, string | undefined>>>();

/** Constant strings passed in argument registers (rdi, rsi) at reachable call sites. */
export function constantStrings(g: ProgramGraph): { node: number; call: CallSite; from: number; text: string; reg: number }[] {
  const out: { node: number; call: CallSite; from: number; text: string; reg: number }[] = [];
  for (const id of g.parent.keys()) {
    if (id === g.INDIRECT) continue;
    const { obj, fn } = g.nodes[id];
    const o = g.objects[obj];
    if (o.loaded < 0) continue;
    for (const c of fn.calls) {
      for (let i = 1; i <= 2; i++) {
        const v = c.regs?.[i];
        if (!v || !('c' in v)) continue;
        for (const a of v.c) {
          const text = stringAt(g, obj, a);
          if (text !== undefined) out.push({ node: id, call: c, from: o.loaded, text, reg: TRACKED_REGS[i] });
        }
      }
    }
  }
  return out;
}

/** The C string at an address of a loaded object (4 to 512 bytes), memoised: many sites pass the same one. */
export function stringAt(g: ProgramGraph, obj: number, addr: number): string | undefined {
  if (addr < 0x1000) return undefined;
  let byObj = strings.get(g);
  if (!byObj) strings.set(g, (byObj = new Map()));
  let m = byObj.get(obj);
  if (!m) byObj.set(obj, (m = new Map()));
  if (m.has(addr)) return m.get(addr);
  const text = readCString(g.program.objects[g.objects[obj].loaded].elf, addr, 512);
  const r = text && text.length >= 4 ? text : undefined;
  m.set(addr, r);
  return r;
}

/** Reachable calls straight into one of `targets` whose argument in `reg` (rdi by default) is neither a constant nor the caller's own argument. */
export function callsWithUnknownArg(g: ProgramGraph, targets: Set<number>, reg = 7): { node: number; site: number }[] {
  const out: { node: number; site: number }[] = [];
  for (const id of g.parent.keys()) {
    if (id === g.INDIRECT) continue;
    for (const e of g.edges(id)) {
      if (!targets.has(e.to) || e.kind === 'fallthrough') continue;
      // A wrapper passing its own argument on is judged at its callers.
      if (!passedAt(e.call, reg)) out.push({ node: id, site: e.site });
    }
  }
  return out;
}
