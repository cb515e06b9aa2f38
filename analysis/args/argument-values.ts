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

/** Where a value was first seen as a constant: the syscall site itself, or a call passing it on. */
export interface ValueOrigin {
  node: number;
  /** The instruction: the syscall, or the call into a wrapper. */
  at: number;
}

/** Each value an argument can hold with its origin; null when any value is possible. */
export type TracedValues = Map<number, ValueOrigin> | null;

/** More distinct values than this is no useful rule: unrestricted. */
export const MAX_VALUES = 64;

/** One reachable site of a syscall and what each of its six arguments can be there. */
export interface ArgumentSite {
  node: number;
  address: number;
  args: TracedValues[];
}

/** Resolves entry values of functions at their reachable callers; memoised per (function, location). */
export class ArgumentResolver {
  private readonly memo = new Map<string, TracedValues>();
  private readonly pending = new Set<string>();

  constructor(
    private readonly g: ProgramGraph,
    /** Nodes whose entry values nobody we see chooses: roots, and every address-taken function. */
    private readonly opaque: ReadonlySet<number>,
  ) {}

  /** The values `v` can be at instruction `at` of node `id`. */
  resolve(id: number, v: Value): ArgumentValues {
    const t = this.trace(id, v, 0);
    return t === null ? null : [...t.keys()].sort((a, b) => a - b);
  }

  /** The same with each value's origin (a constant at `at` in `id` originates there). */
  trace(id: number, v: Value, at: number): TracedValues {
    if (v === null) return null;
    if ('c' in v) return new Map(v.c.map((x) => [x, { node: id, at }]));
    return this.entryValues(id, v.arg);
  }

  /** What location `loc` can hold when node `id` is entered. */
  private entryValues(id: number, loc: number): TracedValues {
    const key = `${id}:${loc}`;
    const known = this.memo.get(key);
    if (known !== undefined) return known;
    // A cycle of wrappers passing the value round: give up on it (unknown is always sound).
    if (this.pending.has(key) || this.opaque.has(id)) return null;
    this.pending.add(key);
    let out: Map<number, ValueOrigin> | null = new Map();
    for (const { from, edge } of this.g.callersOf(id)) {
      const vals = this.trace(from, passedAt(edge.call, loc), edge.site);
      if (vals === null) {
        out = null;
        break;
      }
      for (const [x, o] of vals) if (!out.has(x)) out.set(x, o);
      if (out.size > MAX_VALUES) {
        out = null;
        break;
      }
    }
    this.pending.delete(key);
    const r = out === null || out.size === 0 ? null : out;
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
        const args = [0, 1, 2, 3, 4, 5].map((k) => resolver.trace(id, s.args?.[k] ?? null, s.at));
        let list = out.get(nr);
        if (!list) out.set(nr, (list = []));
        list.push({ node: id, address: s.at, args });
      }
    }
  }
  return { sites: out, unknownNumber };
}

/** The union of a syscall's sites for one argument, each value with its first origin: null as soon as one site allows anything. */
export function unionOf(sites: readonly ArgumentSite[], index: number): TracedValues {
  const all = new Map<number, ValueOrigin>();
  for (const s of sites) {
    const v = s.args[index];
    if (v === null) return null;
    for (const [x, o] of v) if (!all.has(x)) all.set(x, o);
  }
  return all.size > MAX_VALUES ? null : new Map([...all].sort((a, b) => a[0] - b[0]));
}
