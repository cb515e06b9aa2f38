// The cross-object call graph of one program: edges resolved through the loader model, and
// reachability from the roots with the address-taken fixpoint. What the reached code makes is
// collected in syscall-sites.ts; the path shown for each site is chosen in best-paths.ts; which data
// holds live code pointers is live-data.ts; what reachable calls pass is call-arguments.ts.
import type { ElfRelocation, ElfSymbol } from '../elf/types.js';
import { STT_FUNC, STT_GNU_IFUNC, R_X86_64_64, R_X86_64_RELATIVE, R_X86_64_IRELATIVE } from '../elf/types.js';
import { isGotSlot, readU64 } from '../elf/memory.js';
import type { LoadedProgram, Binding } from '../link/types.js';
import type { CallSite, FunctionFacts, ObjectFacts } from '../program/facts.js';
import type { EdgeKind, PathStep } from './report.js';
import { BestPaths, type PathGraph, type Root, type Taken } from './best-paths.js';
import { shortObject } from '../policy/path-text.js';
import { LiveData, type LiveRegion } from './live-data.js';
import { collectSyscalls, type FoundSyscall, type FoundUnresolved } from './syscall-sites.js';

export type { FoundSite, FoundSyscall, FoundUnresolved } from './syscall-sites.js';

/** An object of the graph: a loaded ELF file, or a pseudo-object such as the vDSO. */
export interface GraphObject {
  path: string;
  facts: ObjectFacts;
  /** Index into LoadedProgram.objects, or -1 for pseudo-objects. */
  loaded: number;
}

interface Node {
  obj: number;
  fn: FunctionFacts;
}

interface Edge {
  to: number; // node id, or INDIRECT
  kind: EdgeKind;
  site: number;
  call: CallSite;
}

interface Parent {
  from: number; // node id, -1 for roots
  kind: EdgeKind;
  site: number;
  takenBy?: string;
}

const INDIRECT_KIND: EdgeKind = 'indirect';

/** Diagnosis only: what the policy would be without a source of address-taken functions. */
export interface WhatIf {
  /** An object path (or "*"): its relocated data is taken to hold no code pointer. */
  dropDataPointersOf?: string;
}

/** Builds and explores the call graph of one loaded program. */
export class ProgramGraph implements PathGraph {
  readonly nodes: Node[] = [];
  private readonly nodeByEntry: Map<number, number>[] = [];
  private readonly bindingBySlot: Map<number, Binding>[] = [];
  private readonly relocBySlot: Map<number, ElfRelocation>[] = [];
  private readonly edgeCache = new Map<number, Edge[]>();
  readonly INDIRECT: number;
  readonly parent = new Map<number, Parent>();
  private readonly depth = new Map<number, number>();
  private readonly takenWhy = new Map<number, Taken>();
  private roots: Root[] = [];
  private best: BestPaths | undefined;
  private incoming: Map<number, { from: number; edge: Edge }[]> | undefined;
  private indirectReached = false;
  readonly warnings: string[] = [];
  private readonly graphIndexOfLoaded = new Map<number, number>();
  private readonly ifuncCache = new Map<string, number[]>();
  private readonly liveData: LiveData;
  private onRegionLive: (l: LiveRegion) => void = () => {};

  constructor(
    readonly program: LoadedProgram,
    readonly objects: GraphObject[],
    /** Test and benchmark switches that make the result unsound on purpose (never set by the CLI or the UI). */
    private readonly whatIf?: WhatIf,
  ) {
    const bindingsByObject = new Map<number, Binding[]>();
    for (const b of program.bindings) {
      let list = bindingsByObject.get(b.from);
      if (!list) bindingsByObject.set(b.from, (list = []));
      list.push(b);
    }
    objects.forEach((o, oi) => {
      const m = new Map<number, number>();
      for (const fn of o.facts.functions) {
        m.set(fn.entry, this.nodes.length);
        this.nodes.push({ obj: oi, fn });
      }
      this.nodeByEntry.push(m);
      const bm = new Map<number, Binding>();
      const rm = new Map<number, ElfRelocation>();
      if (o.loaded >= 0) {
        this.graphIndexOfLoaded.set(o.loaded, oi);
        for (const b of bindingsByObject.get(o.loaded) ?? []) bm.set(b.reloc.offset, b);
        for (const r of program.objects[o.loaded].elf.relocations) if (r.symIndex === 0) rm.set(r.offset, r);
      }
      this.bindingBySlot.push(bm);
      this.relocBySlot.push(rm);
    });
    this.INDIRECT = this.nodes.length;
    this.liveData = new LiveData(objects, program, (i) => this.objIndexOfLoaded(i), (l) => this.onRegionLive(l));
  }

  /** The graph object of LoadedProgram.objects[loaded], or -1. */
  objIndexOfLoaded(loaded: number): number {
    return this.graphIndexOfLoaded.get(loaded) ?? -1;
  }

  /** The node of a function entry in a graph object. */
  nodeAt(obj: number, addr: number): number | undefined {
    return this.nodeByEntry[obj]?.get(addr);
  }

  /** Implementations an IFUNC resolver can return: code pointers it (or what it calls directly) takes. */
  private ifuncCandidates(obj: number, resolver: number): number[] {
    const key = `${obj}:${resolver}`;
    let cached = this.ifuncCache.get(key);
    if (!cached) this.ifuncCache.set(key, (cached = this.resolverPointers(obj, resolver)));
    return cached;
  }

  private resolverPointers(obj: number, resolver: number): number[] {
    const start = this.nodeAt(obj, resolver);
    if (start === undefined) return [];
    const out = new Set<number>();
    const seen = new Set<number>([start]);
    const queue = [start];
    for (let i = 0; i < queue.length && i < 64; i++) {
      const n = this.nodes[queue[i]];
      for (const p of n.fn.pointers ?? []) {
        const t = this.nodeAt(obj, p);
        if (t !== undefined) out.add(t);
      }
      for (const c of n.fn.calls) {
        if (c.target === undefined) continue;
        const t = this.nodeAt(obj, c.target);
        if (t !== undefined && !seen.has(t)) {
          seen.add(t);
          queue.push(t);
        }
      }
    }
    out.delete(start);
    return [...out];
  }

  /** Where a symbol binding leads: the function, or an IFUNC's implementations. */
  private bindingTargets(b: Binding): { nodes: number[]; kind: EdgeKind } {
    if (!b.to) return { nodes: [], kind: 'plt' };
    const obj = this.objIndexOfLoaded(b.to.object);
    if (obj < 0) return { nodes: [], kind: 'plt' };
    const sym: ElfSymbol = b.to.symbol;
    if (sym.type === STT_GNU_IFUNC) return { nodes: this.ifuncCandidates(obj, sym.value), kind: 'ifunc' };
    const n = this.nodeAt(obj, sym.value);
    return { nodes: n === undefined ? [] : [n], kind: 'plt' };
  }

  /** Targets of a call through a memory slot in object `obj`. */
  private slotTargets(obj: number, slot: number): { nodes: number[]; kind: EdgeKind } {
    // Only the loader writes GOT entries (RELRO protects them after relocation). Any other slot is a
    // function-pointer variable the program may reassign: its initial value says nothing about later
    // targets, so the call may reach any address-taken function (the initial one is address-taken too).
    const o = this.objects[obj];
    const elf = o.loaded >= 0 ? this.program.objects[o.loaded].elf : undefined;
    if (!elf || !isGotSlot(elf, slot)) return { nodes: [this.INDIRECT], kind: INDIRECT_KIND };
    const b = this.bindingBySlot[obj].get(slot);
    if (b) return this.bindingTargets(b);
    const r = this.relocBySlot[obj].get(slot);
    if (r && r.type === R_X86_64_RELATIVE) {
      const n = this.nodeAt(obj, r.addend);
      if (n !== undefined) return { nodes: [n], kind: 'got' };
    }
    if (r && r.type === R_X86_64_IRELATIVE) return { nodes: this.ifuncCandidates(obj, r.addend), kind: 'ifunc' };
    const v = readU64(elf, slot);
    if (v !== undefined && v !== 0) {
      const n = this.nodeAt(obj, v);
      if (n !== undefined) return { nodes: [n], kind: 'got' };
    }
    return { nodes: [this.INDIRECT], kind: INDIRECT_KIND };
  }

  /** Outgoing edges of a node. */
  edges(id: number): Edge[] {
    let es = this.edgeCache.get(id);
    if (es) return es;
    es = [];
    const { obj, fn } = this.nodes[id];
    for (const c of fn.calls) {
      if (c.target !== undefined) {
        const t = this.nodeAt(obj, c.target);
        if (t !== undefined) es.push({ to: t, kind: c.fallthrough ? 'fallthrough' : c.tail ? 'tail' : 'call', site: c.at, call: c });
      } else if (c.slot !== undefined) {
        const { nodes, kind } = this.slotTargets(obj, c.slot);
        for (const t of nodes) es.push({ to: t, kind, site: c.at, call: c });
      } else {
        es.push({ to: this.INDIRECT, kind: INDIRECT_KIND, site: c.at, call: c });
      }
    }
    this.edgeCache.set(id, es);
    return es;
  }

  /** Where a relocation stores `target` in graph object `obj`, as evidence: "at 0x1d0a38 (.data.rel.ro) of /lib/…/libc.so.6". */
  private storedAt(obj: number, target: number, slots: Map<number, number>): string {
    const o = this.objects[obj];
    const elf = o.loaded >= 0 ? this.program.objects[o.loaded].elf : undefined;
    const at = slots.get(target);
    if (!elf || at === undefined) return `in the data of ${o.path}`;
    const sec = elf.sections.find((x) => x.name && x.addr <= at && at < x.addr + x.size);
    return `at 0x${at.toString(16)}${sec ? ` (${sec.name})` : ''} of ${o.path}`;
  }

  /** The first slot a relocation of graph object `obj` stores each target in. */
  private relocationSlots(obj: number): Map<number, number> {
    const o = this.objects[obj];
    const out = new Map<number, number>();
    if (o.loaded < 0) return out;
    for (const r of this.program.objects[o.loaded].elf.relocations) {
      if ((r.type === R_X86_64_RELATIVE || r.type === R_X86_64_IRELATIVE) && !out.has(r.addend)) out.set(r.addend, r.offset);
    }
    return out;
  }

  /** Functions whose address sits in relocated data of any loaded object (always address-taken). */
  private initialAddressTaken(): Map<number, Taken> {
    const out = new Map<number, Taken>();
    const drop = this.whatIf?.dropDataPointersOf;
    this.objects.forEach((o, oi) => {
      // What-if only (never the default): as if this object's data held no code pointer.
      const skip = drop !== undefined && (drop === '*' || o.path === drop);
      // Objects cut into data regions (design rule 9) give their stored pointers when a region turns live (live-data.ts).
      const fromRelocations = !skip && !o.facts.data;
      const slots = fromRelocations && o.facts.relocPointers.length > 0 ? this.relocationSlots(oi) : new Map<number, number>();
      for (const p of fromRelocations ? o.facts.relocPointers : []) {
        const n = this.nodeAt(oi, p);
        if (n === undefined || out.has(n)) continue;
        out.set(n, { why: `${this.label(n)}'s address is stored ${this.storedAt(oi, p, slots)} (relocated data)` });
      }
      for (const b of this.bindingBySlot[oi].values()) {
        // R_X86_64_64 bindings live in data (tables, vtables); IRELATIVE-style IFUNC data too.
        if (skip || b.reloc.type !== R_X86_64_64 || this.liveData.gatedBinding(oi, b)) continue;
        for (const n of this.storedFunctions(b)) out.set(n, { why: `${this.label(n)}'s address is stored at 0x${b.reloc.offset.toString(16)} of ${o.path} (R_X86_64_64 ${b.symbol})` });
      }
      for (const r of this.relocBySlot[oi].values()) {
        if (r.type !== R_X86_64_IRELATIVE) continue;
        for (const n of this.ifuncCandidates(oi, r.addend)) out.set(n, { why: `an implementation the IFUNC resolver at 0x${r.addend.toString(16)} of ${o.path} returns (IRELATIVE at 0x${r.offset.toString(16)})` });
      }
      // A personality routine .eh_frame names directly (not through a DW.ref slot, whose region is always live).
      for (const p of o.loaded >= 0 ? this.program.objects[o.loaded].elf.personalities : []) {
        const n = p.indirect ? undefined : this.nodeAt(oi, p.address);
        if (n !== undefined && !out.has(n)) out.set(n, { why: `${this.label(n)} is the personality routine .eh_frame names in ${o.path}: the unwinder calls it` });
      }
      for (const p of o.facts.runtimeTaken ?? []) {
        const n = this.nodeAt(oi, p);
        if (n !== undefined && !out.has(n)) out.set(n, { why: `a ${o.facts.runtime} method in ${o.path}: the runtime calls methods through itabs it builds and through reflection` });
      }
    });
    return out;
  }

  /** The functions a symbol-bound pointer in data (R_X86_64_64) stands for: none when it names data. */
  private storedFunctions(b: Binding): number[] {
    if (!b.to || (b.to.symbol.type !== STT_FUNC && b.to.symbol.type !== STT_GNU_IFUNC)) return [];
    return this.bindingTargets(b).nodes.filter((n) => n !== this.INDIRECT);
  }

  /** Code pointers a data region holds become address-taken when it turns live. */
  private regionLive(l: LiveRegion, addTaken: (n: number, why: Taken) => void): void {
    const o = this.objects[l.obj];
    const drop = this.whatIf?.dropDataPointersOf;
    if (drop !== undefined && (drop === '*' || o.path === drop)) return;
    const region = o.facts.data!.regions[l.region];
    const where = (slot: number): string => `stored at 0x${slot.toString(16)} in ${region.name} of ${o.path}`;
    const by = l.taker !== undefined ? `, which ${this.label(l.taker)} reads` : ` (live: ${l.because})`;
    for (let k = 0; k < region.code.length; k += 2) {
      const n = this.nodeAt(l.obj, region.code[k + 1]);
      if (n === undefined) continue;
      const how = `${this.label(n)}'s address is ${where(region.code[k])}${by}`;
      addTaken(n, { why: `${how}${l.taker !== undefined ? ` (live: ${l.because})` : ''}`, ...(l.taker !== undefined ? { taker: l.taker, how } : {}) });
    }
    for (const b of this.liveData.bindings(l.obj, l.region)) {
      for (const n of this.storedFunctions(b)) {
        const how = `${this.label(n)}'s address is ${where(b.reloc.offset)} (R_X86_64_64 ${b.symbol})${by}`;
        addTaken(n, { why: how, ...(l.taker !== undefined ? { taker: l.taker, how } : {}) });
      }
    }
  }

  /** Reachability from the roots, with the address-taken fixpoint; `dlsyms` are names dlsym looks up (their data stays live). */
  explore(roots: Root[], dlsyms: ReadonlySet<string> = new Set()): void {
    this.roots = roots;
    this.best = undefined;
    this.incoming = undefined;
    const queue: number[] = [];
    const visit = (n: number, p: Parent, d: number): void => {
      if (this.parent.has(n)) return;
      this.parent.set(n, p);
      this.depth.set(n, d);
      queue.push(n);
    };
    for (const r of roots) visit(r.node, { from: -1, kind: 'root', site: 0, takenBy: r.why }, 0);
    const taken = this.initialAddressTaken();
    for (const [n, why] of taken) this.takenWhy.set(n, why);
    const addTaken = (n: number, why: Taken): void => {
      if (this.takenWhy.has(n)) return;
      this.takenWhy.set(n, why);
      if (this.indirectReached) visit(n, { from: this.INDIRECT, kind: 'indirect', site: 0, takenBy: why.why }, this.depth.get(this.INDIRECT)! + 1);
    };
    this.onRegionLive = (l) => this.regionLive(l, addTaken);
    this.liveData.start(dlsyms);
    for (let i = 0; i < queue.length; i++) {
      const id = queue[i];
      const d = this.depth.get(id)!;
      if (id === this.INDIRECT) {
        this.indirectReached = true;
        for (const [n, why] of this.takenWhy) visit(n, { from: id, kind: 'indirect', site: 0, takenBy: why.why }, d + 1);
        continue;
      }
      const { obj, fn } = this.nodes[id];
      const label = this.label(id);
      (fn.pointers ?? []).forEach((p, k) => {
        const t = this.nodeAt(obj, p);
        if (t !== undefined) addTaken(t, { why: `address taken in ${label}`, taker: id, ...(fn.pointerAt ? { at: fn.pointerAt[k] } : {}) });
      });
      for (const r of fn.dataUses ?? []) this.liveData.use(obj, r, `${label} refers to it`, id);
      for (const s of fn.slotReads ?? []) {
        const b = this.bindingBySlot[obj].get(s);
        if (!b) continue;
        for (const t of this.bindingTargets(b).nodes) if (t !== this.INDIRECT) addTaken(t, { why: `the GOT slot of ${b.symbol} is read as data in ${label}`, taker: id });
      }
      for (const e of this.edges(id)) visit(e.to, { from: id, kind: e.kind, site: e.site }, d + 1);
    }
  }

  /** The address-taken functions (what the INDIRECT node may reach), with why each counts. */
  addressTaken(): ReadonlyMap<number, Taken> {
    return this.takenWhy;
  }

  /** Whether a node was reached. */
  reached(id: number): boolean {
    return this.parent.has(id);
  }

  /** Display name of a function. */
  functionName(id: number): string {
    const n = this.nodes[id];
    return n.fn.name ?? `sub_${n.fn.entry.toString(16)}`;
  }

  /** `libc:__libc_start_main`, as paths print a function. */
  label(id: number): string {
    return `${shortObject(this.objects[this.nodes[id].obj].path)}:${this.functionName(id)}`;
  }

  step(id: number, edge: EdgeKind, site?: number, takenBy?: string): PathStep {
    const n = this.nodes[id];
    const s: PathStep = { object: this.objects[n.obj].path, function: this.functionName(id), address: n.fn.entry.toString(16), edge };
    if (site !== undefined) s.site = site.toString(16);
    if (takenBy) s.takenBy = takenBy;
    return s;
  }

  /** The believable paths (best-paths.ts), computed once the graph is explored. */
  private paths(): BestPaths {
    return (this.best ??= new BestPaths(this, this.roots));
  }

  /** The best path from a root to node `id`; the last step's site is `site`. */
  pathTo(id: number, site?: number): PathStep[] {
    return this.paths().pathTo(id, site);
  }

  /** Every syscall reachable in this program, the unresolved sites, and notes on sites the runtime's knowledge covers (syscall-sites.ts). */
  collect(): { syscalls: Map<number, FoundSyscall>; unresolved: FoundUnresolved[]; notes: string[] } {
    return collectSyscalls(this);
  }

  /** The cost of the best path to a node (best-paths.ts): lower is more believable. */
  pathCost(id: number): number {
    return this.paths().costOf(id);
  }

  /**
   * The edges of reached functions into `id` (INDIRECT's: the reached calls through pointers), with
   * their callers; built once per exploration. Edges through a pointer into a function are not
   * edges: addressTaken() says which functions those may reach.
   */
  callersOf(id: number): readonly { from: number; edge: Edge }[] {
    if (!this.incoming) {
      const m = new Map<number, { from: number; edge: Edge }[]>();
      for (const from of this.parent.keys()) {
        if (from === this.INDIRECT) continue;
        for (const edge of this.edges(from)) {
          const l = m.get(edge.to);
          if (l) l.push({ from, edge });
          else m.set(edge.to, [{ from, edge }]);
        }
      }
      this.incoming = m;
    }
    return this.incoming.get(id) ?? [];
  }

  /** Reached nodes from which one of `targets` is reachable; INDIRECT is in the set when an address-taken function is. */
  reachingAny(targets: number[]): Set<number> {
    const callers = (id: number): number[] => [...this.callersOf(id).map((c) => c.from), ...(this.takenWhy.has(id) ? [this.INDIRECT] : [])];
    const out = new Set(targets.filter((t) => this.parent.has(t)));
    const queue = [...out];
    for (let i = 0; i < queue.length; i++) {
      for (const c of callers(queue[i])) {
        if (out.has(c)) continue;
        out.add(c);
        queue.push(c);
      }
    }
    return out;
  }

  /** The functions a definition of `symbol` in graph object `obj` stands for: itself, or an IFUNC's implementations. */
  definitionTargets(obj: number, symbol: ElfSymbol): number[] {
    if (symbol.type === STT_GNU_IFUNC) return this.ifuncCandidates(obj, symbol.value);
    const n = this.nodeAt(obj, symbol.value);
    return n === undefined ? [] : [n];
  }
}
