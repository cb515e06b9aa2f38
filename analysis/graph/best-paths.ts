// The justification a reviewer can believe: for every reached function, the path from a root that
// crosses the fewest indirect edges without evidence of their own, then the fewest indirect edges,
// then starts at the most real root (the program's entry over init code over what the loader runs
// on its own: IFUNC resolvers, its malloc lookups), then is the shortest. One Dijkstra over the
// reached graph with a lexicographic cost packed into one number.
//
// An indirect edge says why its target can be called. When the target's address is taken by a
// function X whose own code (or what X calls directly) makes an indirect call, the path goes through
// X to that call: `_start` loads `main`'s address and calls `__libc_start_main`, whose
// `__libc_start_call_main` calls it. Otherwise the edge leaves from the cheapest indirect call of
// the program (the "any address-taken function" model), and its evidence names where the address
// was taken. Reachability is not changed here: only which of the proven paths is shown.
import type { EdgeKind, PathStep } from './report.js';

/** Why a function counts as address-taken, and, for a code pointer, which function takes it where. */
export interface Taken {
  why: string;
  /** The node whose code takes the address, and the instruction. */
  taker?: number;
  at?: number;
  /** How the taker gets the address, when not by taking it in its own code: "…'s address is stored at 0x… in T, which F reads". */
  how?: string;
}

/** What BestPaths reads of the program graph. */
export interface PathGraph {
  readonly INDIRECT: number;
  edges(id: number): { to: number; kind: EdgeKind; site: number }[];
  addressTaken(): ReadonlyMap<number, Taken>;
  reached(id: number): boolean;
  step(id: number, edge: EdgeKind, site?: number, takenBy?: string): PathStep;
  label(id: number): string;
}

export interface Root {
  node: number;
  why: string;
  /** 0: the program's entry; 1: other code the program runs by itself (init/fini, dlopen'ed exports); 2: what the loader runs for its own needs (its entry, IFUNC resolvers, its malloc lookups, the vDSO). */
  rank?: number;
  /**
   * Indirect edges a path from this root counts from the start: 1 for functions reached through a
   * pointer the program gets (dlsym's result, the vDSO's entries); many for the loader's own roots,
   * so that they justify a syscall only when no path from the program's entry or init code does.
   */
  indirect?: number;
}

// Cost, most significant first: indirect edges from the "any address-taken function" model (no
// related call), indirect edges, root rank, length.
const LEN = 1;
const RANK = 2 ** 22;
const INDIRECT = 2 ** 26;
const UNRELATED = 2 ** 36;
/** How far from the taker the related indirect call may be (direct edges), and how many functions the search looks at. */
const CHAIN_DEPTH = 6;
const CHAIN_VISITS = 256;

type Hop = { from: number; to: number; kind: EdgeKind; site: number };
type Via =
  | { kind: 'root'; why: string }
  | { kind: 'edge'; from: number; edge: EdgeKind; site: number }
  | { kind: 'indirect'; caller: number; site: number; hops: Hop[]; evidence: string };

/** A binary min-heap of [cost, node]. */
class Heap {
  private readonly items: [number, number][] = [];
  get size(): number {
    return this.items.length;
  }
  push(cost: number, node: number): void {
    const a = this.items;
    a.push([cost, node]);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p][0] <= a[i][0]) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }
  pop(): [number, number] {
    const a = this.items;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l][0] < a[m][0]) m = l;
        if (r < a.length && a[r][0] < a[m][0]) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
}

export class BestPaths {
  private readonly cost = new Map<number, number>();
  private readonly via = new Map<number, Via>();
  /** Per taker: the nearest indirect call reached by direct edges (undefined: none near). */
  private readonly chains = new Map<number, { hops: Hop[]; site: number } | null>();

  constructor(
    private readonly g: PathGraph,
    roots: Root[],
  ) {
    const heap = new Heap();
    const relax = (n: number, c: number, v: Via): void => {
      const old = this.cost.get(n);
      if (old !== undefined && old <= c) return;
      this.cost.set(n, c);
      this.via.set(n, v);
      heap.push(c, n);
    };
    for (const r of roots) relax(r.node, (r.indirect ?? 0) * INDIRECT + (r.rank ?? 1) * RANK, { kind: 'root', why: r.why });
    // Address-taken functions by the function that takes them.
    const takenBy = new Map<number, number[]>();
    for (const [t, why] of g.addressTaken()) {
      if (why.taker === undefined) continue;
      const l = takenBy.get(why.taker);
      if (l) l.push(t);
      else takenBy.set(why.taker, [t]);
    }
    let hubCaller: { node: number; site: number } | undefined;
    const done = new Set<number>();
    while (heap.size > 0) {
      const [c, u] = heap.pop();
      if (done.has(u) || this.cost.get(u) !== c) continue;
      done.add(u);
      if (u === g.INDIRECT) {
        for (const [t, why] of g.addressTaken()) {
          relax(t, c + INDIRECT + UNRELATED + LEN, { kind: 'indirect', caller: hubCaller!.node, site: hubCaller!.site, hops: [], evidence: this.hubEvidence(t, why, hubCaller!.node) });
        }
        continue;
      }
      for (const e of g.edges(u)) {
        if (e.to === g.INDIRECT) {
          if (!this.cost.has(g.INDIRECT) || c + LEN < this.cost.get(g.INDIRECT)!) hubCaller = { node: u, site: e.site };
          relax(g.INDIRECT, c + LEN, { kind: 'root', why: '' });
        } else relax(e.to, c + LEN, { kind: 'edge', from: u, edge: e.kind, site: e.site });
      }
      const mine = takenBy.get(u);
      if (!mine) continue;
      const chain = this.chainFrom(u);
      if (!chain) continue;
      const last = chain.hops.at(-1)?.to ?? u;
      for (const t of mine) {
        const why = g.addressTaken().get(t)!;
        const at = why.at !== undefined ? ` at 0x${why.at.toString(16)}` : '';
        const evidence = `${why.how ?? `${g.label(t)}'s address is taken by ${g.label(u)}${at}`} and reaches the indirect call in ${g.label(last)}`;
        relax(t, c + INDIRECT + (chain.hops.length + 1) * LEN, { kind: 'indirect', caller: u, site: chain.site, hops: chain.hops, evidence });
      }
    }
  }

  private hubEvidence(t: number, why: Taken, caller: number): string {
    const by = why.how ?? (why.taker !== undefined ? `${this.g.label(t)}'s address is taken by ${this.g.label(why.taker)}${why.at !== undefined ? ` at 0x${why.at.toString(16)}` : ''}` : why.why);
    return `${by}; any indirect call may reach it (this one is in ${this.g.label(caller)})`;
  }

  /** The nearest indirect call from `u` over direct edges (breadth first, a few calls deep). */
  private chainFrom(u: number): { hops: Hop[]; site: number } | null {
    const cached = this.chains.get(u);
    if (cached !== undefined) return cached;
    const back = new Map<number, Hop | null>([[u, null]]);
    let frontier = [u];
    let found: { node: number; site: number } | undefined;
    for (let d = 0; d <= CHAIN_DEPTH && frontier.length > 0 && !found; d++) {
      const next: number[] = [];
      for (const n of frontier) {
        for (const e of this.g.edges(n)) {
          if (e.to === this.g.INDIRECT) {
            found = { node: n, site: e.site };
            break;
          }
          if (d < CHAIN_DEPTH && back.size < CHAIN_VISITS && !back.has(e.to) && e.kind !== 'fallthrough') {
            back.set(e.to, { from: n, to: e.to, kind: e.kind, site: e.site });
            next.push(e.to);
          }
        }
        if (found) break;
      }
      frontier = next;
    }
    let out: { hops: Hop[]; site: number } | null = null;
    if (found) {
      const hops: Hop[] = [];
      for (let h = back.get(found.node); h; h = back.get(h.from)) hops.unshift(h);
      out = { hops, site: found.site };
    }
    this.chains.set(u, out);
    return out;
  }

  /** The cost of the best path to `id` (Infinity when unreached): compare sites by it. */
  costOf(id: number): number {
    return this.cost.get(id) ?? Infinity;
  }


  /** The best path from a root to node `id`; the last step's site is `site`. */
  pathTo(id: number, site?: number): PathStep[] {
    const out: PathStep[] = [];
    let cur = id;
    let nextSite = site;
    for (let guard = 0; guard < 100_000; guard++) {
      const v = this.via.get(cur);
      if (!v) break;
      if (v.kind === 'root') {
        out.push(this.g.step(cur, 'root', nextSite, v.why));
        break;
      }
      if (v.kind === 'edge') {
        out.push(this.g.step(cur, v.edge, nextSite));
        nextSite = v.site;
        cur = v.from;
        continue;
      }
      out.push(this.g.step(cur, 'indirect', nextSite, v.evidence));
      nextSite = v.site;
      for (let i = v.hops.length - 1; i >= 0; i--) {
        out.push(this.g.step(v.hops[i].to, v.hops[i].kind, nextSite));
        nextSite = v.hops[i].site;
      }
      cur = v.caller;
    }
    return out.reverse();
  }
}
