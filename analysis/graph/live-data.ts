// Which data regions (program/data-objects.ts) of a program's objects are live: those the loader or
// readers the analysis does not model keep, exports something binds to or dlsym may return, and
// what reached code refers to, closed over the pointers from one region to another. A region's code
// pointers become address-taken when it turns live (program-graph.ts does the taking).
import type { Binding, LoadedProgram } from '../link/types.js';
import { R_X86_64_64 } from '../elf/types.js';
import { containing, regionsNear, type DataLayout } from '../program/data-objects.js';
import type { GraphObject } from './program-graph.js';

/** A region that turned live, why, and the function whose reference made it (or its chain) live. */
export interface LiveRegion {
  obj: number;
  region: number;
  because: string;
  taker?: number;
}

export class LiveData {
  private readonly live: Set<number>[];
  /** R_X86_64_64 bindings (symbol-bound pointers in data) by the region that holds their slot. */
  private readonly bindingsIn: Map<number, Binding[]>[];

  constructor(
    private readonly objects: GraphObject[],
    private readonly program: LoadedProgram,
    private readonly graphIndexOfLoaded: (loaded: number) => number,
    private readonly onLive: (l: LiveRegion) => void,
  ) {
    this.live = objects.map(() => new Set());
    this.bindingsIn = objects.map(() => new Map());
    for (const b of program.bindings) {
      if (b.reloc.type !== R_X86_64_64) continue;
      const oi = graphIndexOfLoaded(b.from);
      const layout = oi >= 0 ? this.objects[oi].facts.data : undefined;
      const r = layout ? containing(layout, b.reloc.offset) : -1;
      if (r < 0) continue;
      const list = this.bindingsIn[oi].get(r) ?? [];
      list.push(b);
      this.bindingsIn[oi].set(r, list);
    }
  }

  /** The layout of graph object `oi`, when its pointers are gated by regions (absent: all live). */
  layout(oi: number): DataLayout | undefined {
    return this.objects[oi].facts.data;
  }

  /** Whether an R_X86_64_64 binding's slot lies in a region (it is then taken when that region turns live). */
  gatedBinding(oi: number, b: Binding): boolean {
    const layout = this.layout(oi);
    return layout !== undefined && containing(layout, b.reloc.offset) >= 0;
  }

  /** The R_X86_64_64 bindings whose slots region `r` of `oi` holds. */
  bindings(oi: number, r: number): readonly Binding[] {
    return this.bindingsIn[oi].get(r) ?? [];
  }

  /** Regions live whatever code runs: loader-read ones, unreferenced ones, and exports that are looked up. */
  start(dlsyms: ReadonlySet<string>): void {
    this.objects.forEach((o, oi) => {
      o.facts.data?.regions.forEach((r, i) => {
        if (r.always) this.use(oi, i, r.always);
      });
    });
    for (const b of this.program.bindings) {
      if (!b.to) continue;
      const oi = this.graphIndexOfLoaded(b.to.object);
      const layout = oi >= 0 ? this.layout(oi) : undefined;
      const r = layout ? containing(layout, b.to.symbol.value) : -1;
      if (r >= 0) this.use(oi, r, `${b.symbol} is bound by ${this.program.objects[b.from].rootfsPath}`);
    }
    this.objects.forEach((o, oi) => {
      const lo = o.loaded >= 0 ? this.program.objects[o.loaded] : undefined;
      o.facts.data?.regions.forEach((r, i) => {
        const named = r.exports?.find((e) => dlsyms.has(e));
        if (named) this.use(oi, i, `dlsym may return ${named}`);
        else if (lo?.dlopenTarget && r.exports) this.use(oi, i, `an export of dlopen'ed ${lo.rootfsPath} (dlsym may return it)`);
      });
    });
  }

  /** Marks region `r` of `oi` live, and every region its pointers reach. */
  use(oi: number, r: number, because: string, taker?: number): void {
    const layout = this.layout(oi);
    if (!layout || this.live[oi].has(r)) return;
    const work: LiveRegion[] = [{ obj: oi, region: r, because, ...(taker !== undefined ? { taker } : {}) }];
    this.live[oi].add(r);
    while (work.length > 0) {
      const l = work.pop()!;
      this.onLive(l);
      const region = layout.regions[l.region];
      for (let k = 0; k < region.data.length; k += 2) {
        for (const next of regionsNear(layout, region.data[k + 1])) {
          if (this.live[oi].has(next)) continue;
          this.live[oi].add(next);
          work.push({ obj: oi, region: next, because: `${region.name} points to it (at 0x${region.data[k].toString(16)})`, ...(l.taker !== undefined ? { taker: l.taker } : {}) });
        }
      }
    }
  }
}
