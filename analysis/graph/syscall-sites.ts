// What a program's graph makes: every reachable syscall site with its number, through wrapper
// summaries (which entry register a function passes on into a syscall number, so a caller's
// constant is the number), the sites whose number is not known, and the notes the runtime's
// knowledge adds. Each site is kept with the cost of its best path (best-paths.ts).
import type { CallSite } from '../program/facts.js';
import { passedAt } from '../program/facts.js';
import { locationName, type Value } from '../x86_64/values.js';
import type { EdgeKind, PathStep } from './report.js';
import type { ProgramGraph } from './program-graph.js';

/** How a wrapper passes an entry register into a syscall number. */
type Witness = { site: number } | { call: CallSite; to: number; reg: number };

/** One place a syscall is made: a syscall instruction, or a call passing its number to a wrapper. */
export interface FoundSite {
  object: string;
  function: string;
  /** The syscall instruction, or the call into the wrapper. */
  address: number;
  /** Of its best path (best-paths.ts): lower is more believable. */
  cost: number;
  path: () => PathStep[];
}

/** A syscall the program can make, with every place it is made (best first). */
export interface FoundSyscall {
  nr: number;
  /** The best site's path. */
  path: PathStep[];
  sites: FoundSite[];
}

/** A reachable site whose number is unknown. */
export interface FoundUnresolved {
  object: string;
  function: string;
  address: number;
  reason: string;
  path: PathStep[];
}

type Wrappers = Map<number, Map<number, Witness>>;

/** For every function, which entry registers it passes into a syscall number (wrapper summaries). */
function computeWrappers(g: ProgramGraph): Wrappers {
  const w = new Map<number, Map<number, Witness>>();
  const candidates: number[] = [];
  g.nodes.forEach((n, id) => {
    const hasArgFlow = n.fn.syscalls.some((s) => isArg(s.nr)) || n.fn.calls.some((c) => c.regs?.some(isArg) || c.stack?.some(isArg));
    if (hasArgFlow) candidates.push(id);
  });
  let changed = true;
  for (let round = 0; changed && round < 32; round++) {
    changed = false;
    for (const id of candidates) {
      const fn = g.nodes[id].fn;
      let m = w.get(id);
      const add = (reg: number, wit: Witness): void => {
        if (!m) w.set(id, (m = new Map()));
        if (!m.has(reg)) {
          m.set(reg, wit);
          changed = true;
        }
      };
      for (const s of fn.syscalls) if (isArg(s.nr)) add((s.nr as { arg: number }).arg, { site: s.at });
      for (const e of g.edges(id)) {
        const tw = w.get(e.to);
        if (!tw || (!e.call.regs && !e.call.stack)) continue;
        for (const reg of tw.keys()) {
          const v = passedAt(e.call, reg);
          if (isArg(v)) add((v as { arg: number }).arg, { call: e.call, to: e.to, reg });
        }
      }
    }
  }
  return w;
}

/** The steps inside a wrapper chain from node `id` (register `reg`) to the syscall instruction. */
function wrapperPath(g: ProgramGraph, wrappers: Wrappers, id: number, reg: number, edge: EdgeKind): PathStep[] {
  const steps: PathStep[] = [];
  let cur = id;
  let r = reg;
  let kind = edge;
  for (let i = 0; i < 16; i++) {
    const wit = wrappers.get(cur)?.get(r);
    if (!wit) break;
    if ('site' in wit) {
      steps.push(g.step(cur, kind, wit.site));
      break;
    }
    steps.push(g.step(cur, kind, wit.call.at));
    kind = g.edges(cur).find((e) => e.call === wit.call && e.to === wit.to)?.kind ?? 'call';
    cur = wit.to;
    r = wit.reg;
  }
  return steps;
}

/** Every syscall reachable in a program, the unresolved sites, and notes on sites the runtime's knowledge covers. */
export function collectSyscalls(g: ProgramGraph): { syscalls: Map<number, FoundSyscall>; unresolved: FoundUnresolved[]; notes: string[] } {
  const wrappers = computeWrappers(g);
  const syscalls = new Map<number, FoundSyscall>();
  const notes = new Map<number, string>();
  // A site whose function only repeats the syscalls of another (runtimes/: mirroredSyscalls) adds no number of its own.
  const mirrorOf = new Map<number, { repeats: number; why: string }>();
  g.objects.forEach((o, oi) => {
    for (const m of o.facts.mirrors ?? []) {
      const f = g.nodeAt(oi, m.function);
      const r = g.nodeAt(oi, m.repeats);
      if (f !== undefined && r !== undefined) mirrorOf.set(f, { repeats: r, why: m.why });
    }
  });
  const unresolved: FoundUnresolved[] = [];
  const covered = (id: number): boolean => {
    const m = mirrorOf.get(id);
    if (!m) return false;
    notes.set(id, `${g.functionName(id)}: its syscall numbers are those of ${g.functionName(m.repeats)} (${g.reached(m.repeats) ? 'reachable, its numbers are in the set' : 'not reachable, so neither is this'}): ${m.why}`);
    return true;
  };
  // Every site of a number, each with its best path (built only when asked for: most are never shown).
  const sitesOf = new Map<number, Map<string, FoundSite>>();
  const note = (nr: number, id: number, address: number, extra: number, path: () => PathStep[]): void => {
    let m = sitesOf.get(nr);
    if (!m) sitesOf.set(nr, (m = new Map()));
    const object = g.objects[g.nodes[id].obj].path;
    const key = `${object}:${address}`;
    const cost = g.pathCost(id) + extra;
    const old = m.get(key);
    if (old && old.cost <= cost) return;
    m.set(key, { object, function: g.functionName(id), address, cost, path });
  };
  const taken = g.addressTaken();
  for (const [id, p] of g.parent) {
    if (id === g.INDIRECT) continue;
    const { obj, fn } = g.nodes[id];
    // Entered from a root or through a pointer (on its best path or any other): some caller we do
    // not see chooses what its entry registers hold.
    const opaque = p.kind === 'root' || p.kind === 'indirect' ? p.kind : taken.has(id) ? 'indirect' : undefined;
    for (const s of fn.syscalls) {
      if (s.nr === null) {
        if (!covered(id)) unresolved.push({ object: g.objects[obj].path, function: g.functionName(id), address: s.at, reason: 'syscall number not known (computed or loaded from memory)', path: g.pathTo(id, s.at) });
        continue;
      }
      if ('c' in s.nr) {
        for (const nr of s.nr.c) note(nr, id, s.at, 0, () => g.pathTo(id, s.at));
      } else if (opaque) {
        // A wrapper entered from a root or through a pointer: nobody tells us its number.
        if (!covered(id)) unresolved.push({ object: g.objects[obj].path, function: g.functionName(id), address: s.at, reason: `syscall number comes from ${locationName(s.nr.arg)} of a caller reached through ${opaque === 'root' ? 'a root' : 'a function pointer'}`, path: g.pathTo(id, s.at) });
      }
    }
    // The same for a wrapper that hands its entry register on to another wrapper (libcap's
    // syscall(2) shims, stored in a struct and called through it).
    for (const [reg, wit] of opaque ? (wrappers.get(id) ?? new Map<number, Witness>()) : []) {
      if ('site' in wit || covered(id)) continue;
      const e = g.edges(id).find((x) => x.call === wit.call && x.to === wit.to);
      unresolved.push({
        object: g.objects[obj].path,
        function: g.functionName(id),
        address: e?.site ?? wit.call.at,
        reason: `passes ${locationName(reg)} as the syscall number to ${g.functionName(wit.to)}, and is reached through ${opaque === 'root' ? 'a root' : 'a function pointer'} whose callers are not known`,
        path: [...g.pathTo(id, e?.site ?? wit.call.at), ...wrapperPath(g, wrappers, wit.to, wit.reg, e?.kind ?? 'call')],
      });
    }
    // Calls into wrappers: the number is whatever the caller puts in the wrapper's register.
    for (const e of g.edges(id)) {
      const tw = wrappers.get(e.to);
      if (!tw) continue;
      for (const reg of tw.keys()) {
        const v = passedAt(e.call, reg);
        if (isArg(v)) continue;
        if (v === null || !('c' in v)) {
          if (!covered(id)) {
            unresolved.push({
              object: g.objects[obj].path,
              function: g.functionName(id),
              address: e.site,
              reason: `calls syscall wrapper ${g.functionName(e.to)} with an unknown number in ${locationName(reg)}`,
              path: g.pathTo(id, e.site),
            });
          }
          continue;
        }
        for (const nr of v.c) {
          note(nr, id, e.site, 1, () => [...g.pathTo(id, e.site), ...wrapperPath(g, wrappers, e.to, reg, e.kind)]);
        }
      }
    }
  }
  for (const [nr, m] of sitesOf) {
    const sites = [...m.values()].sort((a, b) => a.cost - b.cost || a.object.localeCompare(b.object) || a.address - b.address);
    syscalls.set(nr, { nr, path: sites[0].path(), sites });
  }
  return { syscalls, unresolved, notes: [...notes.values()] };
}

function isArg(v: Value | undefined): boolean {
  return v !== null && v !== undefined && 'arg' in v;
}
