// Phase 3, part 1 (issue 11): the values each argument of a syscall can hold, over every reachable
// site. A site's argument register is a constant set, what its function received in an entry
// register, or unknown (the register dataflow of program/cfg.ts). A received value is resolved at
// every reachable caller, across the PLT and chains of wrappers (libc's socket() gets its family
// from its callers), the same way syscall() numbers are. Sound first: one unknown value at one
// reachable site, or a function entered from a root or through a pointer, makes the argument
// unrestricted (null).
import { passedAt } from '../program/facts.js';
import type { Value } from '../x86_64/values.js';
import type { ProgramGraph } from '../graph/program-graph.js';

/** The values an argument can hold, sorted; null when any value is possible. */
export type ArgumentValues = number[] | null;

/** More distinct values than this is no useful rule: unrestricted. */
export const MAX_VALUES = 64;

/** One reachable site of a syscall and what each of its six arguments can be there. */
export interface ArgumentSite {
  node: number;
  address: number;
  args: ArgumentValues[];
}

interface Incoming {
  from: number;
  value: (loc: number) => Value;
}

/** Resolves entry values of functions at their reachable callers; memoised per (function, location). */
export class ArgumentResolver {
  private readonly incoming = new Map<number, Incoming[]>();
  private readonly memo = new Map<string, ArgumentValues>();
  private readonly pending = new Set<string>();

  constructor(
    private readonly g: ProgramGraph,
    /** Nodes whose entry values nobody we see chooses: roots, and every address-taken function. */
    private readonly opaque: ReadonlySet<number>,
  ) {
    for (const id of g.parent.keys()) {
      if (id === g.INDIRECT) continue;
      for (const e of g.edges(id)) {
        if (e.to === g.INDIRECT || !g.reached(e.to)) continue;
        let list = this.incoming.get(e.to);
        if (!list) this.incoming.set(e.to, (list = []));
        list.push({ from: id, value: (loc) => passedAt(e.call, loc) });
      }
    }
  }

  /** The values `v` can be at a site in node `id`. */
  resolve(id: number, v: Value): ArgumentValues {
    if (v === null) return null;
    if ('c' in v) return v.c;
    return this.entryValues(id, v.arg);
  }

  /** What location `loc` can hold when node `id` is entered. */
  private entryValues(id: number, loc: number): ArgumentValues {
    const key = `${id}:${loc}`;
    const known = this.memo.get(key);
    if (known !== undefined) return known;
    // A cycle of wrappers passing the value round: give up on it (unknown is always sound).
    if (this.pending.has(key) || this.opaque.has(id)) return null;
    this.pending.add(key);
    let out: Set<number> | null = new Set();
    for (const inc of this.incoming.get(id) ?? []) {
      const vals = this.resolve(inc.from, inc.value(loc));
      if (vals === null) {
        out = null;
        break;
      }
      for (const x of vals) out.add(x);
      if (out.size > MAX_VALUES) {
        out = null;
        break;
      }
    }
    this.pending.delete(key);
    const r = out === null || out.size === 0 ? null : [...out].sort((a, b) => a - b);
    this.memo.set(key, r);
    return r;
  }
}

/**
 * Every reachable site of the syscalls in `numbers` with its argument values, by syscall number;
 * `unknownNumber` when some reachable site's number is not known (it may be any of them, with any
 * arguments).
 */
export function argumentSites(g: ProgramGraph, numbers: ReadonlySet<number>, roots: Iterable<number>): { sites: Map<number, ArgumentSite[]>; unknownNumber: boolean } {
  const opaque = new Set<number>(roots);
  for (const id of g.addressTaken().keys()) opaque.add(id);
  const resolver = new ArgumentResolver(g, opaque);
  const out = new Map<number, ArgumentSite[]>();
  let unknownNumber = false;
  for (const id of g.parent.keys()) {
    if (id === g.INDIRECT) continue;
    for (const s of g.nodes[id].fn.syscalls) {
      // The number itself may come from callers (syscall(), a runtime's wrapper): every number it can be.
      const nrs = resolver.resolve(id, s.nr);
      if (nrs === null) {
        unknownNumber = true;
        continue;
      }
      for (const nr of nrs) {
        if (!numbers.has(nr)) continue;
        const args = [0, 1, 2, 3, 4, 5].map((k) => resolver.resolve(id, s.args?.[k] ?? null));
        let list = out.get(nr);
        if (!list) out.set(nr, (list = []));
        list.push({ node: id, address: s.at, args });
      }
    }
  }
  return { sites: out, unknownNumber };
}

/** The union of a syscall's sites for one argument: null as soon as one site allows anything. */
export function unionOf(sites: readonly ArgumentSite[], index: number): ArgumentValues {
  const all = new Set<number>();
  for (const s of sites) {
    const v = s.args[index];
    if (v === null) return null;
    for (const x of v) all.add(x);
  }
  return all.size > MAX_VALUES ? null : [...all].sort((a, b) => a - b);
}
