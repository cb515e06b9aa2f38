// Per-program policies of a report, as the Policy page compares them: how many syscalls each
// program's code needs, how many its own filter (`confine harden`) allows, how much narrower that
// is than the container-wide policy, and which syscalls it needs that no other program does.
import { allowedEntries, launchedPolicy, policyEntries, type Report, type ReviewEntry } from '../../electron/api.js';

export interface ProgramRow {
  path: string;
  /** Syscalls its own code needs. */
  own: number;
  /** What its own filter allows (its code, the launcher's calls, and everything analysed when it can exec). */
  filter: number;
  execs: boolean;
  /** Programs its filter covers (more than itself when it can exec). */
  covers: number;
  /** Its filter against the container-wide policy, in percent fewer syscalls. */
  reduction: number;
  /** Syscalls only this program needs (no other analysed program, not the runtime). */
  only: string[];
  /** Phase 1 saw it still running when its window closed (`confine harden` hardens those by default). */
  running: boolean;
}

/** One row per analysed ELF program of the report, the review applied as in every export. */
export function programRows(report: Report | undefined, reviews: Record<string, ReviewEntry> = {}): ProgramRow[] {
  if (!report) return [];
  const programs = report.programs.filter((p) => !p.error && p.objects.length > 0);
  // Counted as every export and `confine harden` count it: allowed entries, the review applied.
  const containerWide = allowedEntries(policyEntries(report, reviews)).length;
  return programs.map((p) => {
    const lp = launchedPolicy(report, p.path, reviews);
    const filter = allowedEntries(lp.entries).length;
    const only = report.syscalls.filter((s) => s.programs.length === 1 && s.programs[0] === p.path && !s.runtime).map((s) => s.name);
    return {
      path: p.path,
      own: lp.own,
      filter,
      execs: lp.execs,
      covers: lp.covers.length,
      reduction: containerWide > 0 ? Math.round(100 * (1 - filter / containerWide)) : 0,
      only,
      running: p.running === true,
    };
  });
}

/**
 * The programs ticked for a hardened image until the user chooses: those phase 1 saw still running
 * (the servers). The app names its choice explicitly, so nothing else is added on the engine side;
 * with none running, none is ticked.
 */
export function defaultHardened(rows: readonly ProgramRow[]): string[] {
  return rows.filter((r) => r.running).map((r) => r.path);
}
