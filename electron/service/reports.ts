// Stored reports: <cacheDir>/reports/<id>/{meta.json, report.json, graphs.json}. Listing reads only
// the small meta files; reports and call graphs are parsed on demand and kept in small LRU caches.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from '../../analysis/graph/report.js';
import { CallGraphIndex } from '../../analysis/graph/graph-data.js';
import type { ReportMeta } from '../api.js';
import { GRAPHS_FILE, META_FILE, REPORT_FILE, type GraphsFile } from './analysis-worker.js';

const REPORT_ID = /^[0-9a-z][0-9a-z-]{0,80}$/;

/** Throws unless `id` looks like a report id (it becomes a directory name). */
export function checkReportId(id: unknown): string {
  if (typeof id !== 'string' || !REPORT_ID.test(id)) throw new Error(`no report ${JSON.stringify(id)}`);
  return id;
}

/** A tiny least-recently-used map. */
export class Lru<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly max: number) {}

  get(k: K): V | undefined {
    const v = this.map.get(k);
    if (v !== undefined) {
      this.map.delete(k);
      this.map.set(k, v);
    }
    return v;
  }

  set(k: K, v: V): void {
    this.map.delete(k);
    this.map.set(k, v);
    while (this.map.size > this.max) this.map.delete(this.map.keys().next().value as K);
  }
}

export class ReportStore {
  private readonly reports = new Lru<string, Report>(4);
  private readonly graphs = new Lru<string, { file: GraphsFile; indexes: Map<string, CallGraphIndex> }>(3);

  constructor(readonly dir: string) {}

  /** Every complete report, newest first. */
  list(): ReportMeta[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return [];
    }
    const out: ReportMeta[] = [];
    for (const n of names) {
      if (!REPORT_ID.test(n)) continue;
      try {
        const m = JSON.parse(readFileSync(join(this.dir, n, META_FILE), 'utf8')) as ReportMeta;
        if (m && m.id === n) out.push(m);
      } catch {
        // Not a finished report (or damaged): not listed.
      }
    }
    return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
  }

  private read(id: string, file: string): string {
    try {
      return readFileSync(join(this.dir, checkReportId(id), file), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`no report ${id}`, { cause: e });
      throw e;
    }
  }

  /** The listing entry of one report. */
  meta(id: string): ReportMeta {
    return JSON.parse(this.read(id, META_FILE)) as ReportMeta;
  }

  get(id: string): Report {
    let r = this.reports.get(id);
    if (!r) {
      r = JSON.parse(this.read(id, REPORT_FILE)) as Report;
      this.reports.set(id, r);
    }
    return r;
  }

  private loadGraphs(id: string): { file: GraphsFile; indexes: Map<string, CallGraphIndex> } {
    let g = this.graphs.get(id);
    if (!g) {
      g = { file: JSON.parse(this.read(id, GRAPHS_FILE)) as GraphsFile, indexes: new Map() };
      this.graphs.set(id, g);
    }
    return g;
  }

  /** Programs that have a call graph in a report. */
  graphPrograms(id: string): string[] {
    return Object.keys(this.loadGraphs(id).file.programs);
  }

  /** The query index of one program's call graph in a report. */
  graph(id: string, program: string): CallGraphIndex {
    const g = this.loadGraphs(id);
    let idx = g.indexes.get(program);
    if (!idx) {
      const data = Object.prototype.hasOwnProperty.call(g.file.programs, program) ? g.file.programs[program] : undefined;
      if (!data) throw new Error(`report ${id} has no call graph for ${program}`);
      idx = new CallGraphIndex(data);
      g.indexes.set(program, idx);
    }
    return idx;
  }
}
