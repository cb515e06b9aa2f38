// Policy diff: references to either side, the rows filter, and a check of pasted Docker JSON.
import type { DiffRow, PolicyDiff, PolicyRef } from '../../electron/api.js';

export type DiffSide = DiffRow['side'];
export type DiffSideFilter = DiffSide | 'all';

/** `report:<id>` / `profile:<id>`, for <select> values. */
export function refKey(ref: PolicyRef): string {
  return `${ref.kind}:${ref.id}`;
}

export function parseRefKey(key: string): PolicyRef | undefined {
  const i = key.indexOf(':');
  if (i < 0) return undefined;
  const kind = key.slice(0, i);
  const id = key.slice(i + 1);
  if (id === '' || (kind !== 'report' && kind !== 'profile')) return undefined;
  return { kind, id };
}

export function sameRef(a: PolicyRef | undefined, b: PolicyRef | undefined): boolean {
  return a !== undefined && b !== undefined && a.kind === b.kind && a.id === b.id;
}

const SIDE_ORDER: Record<DiffSide, number> = { added: 0, removed: 1, common: 2 };

/** Rows of one side (or all), matching the search text in the name or either reason; added, removed, then common, each by name. */
export function filterDiffRows(rows: DiffRow[], side: DiffSideFilter, query: string): DiffRow[] {
  const q = query.trim().toLowerCase();
  return rows
    .filter((r) => side === 'all' || r.side === side)
    .filter((r) => q === '' || r.name.includes(q) || String(r.nr ?? '') === q || (r.leftReason ?? '').toLowerCase().includes(q) || (r.rightReason ?? '').toLowerCase().includes(q))
    .sort((a, b) => SIDE_ORDER[a.side] - SIDE_ORDER[b.side] || a.name.localeCompare(b.name));
}

/** Counts recomputed from the rows (the header shows these; they must agree with the service's). */
export function diffCounts(rows: DiffRow[]): Record<DiffSide, number> {
  const c: Record<DiffSide, number> = { added: 0, removed: 0, common: 0 };
  for (const r of rows) c[r.side]++;
  return c;
}

/** Whether the counts the service sent agree with its rows (a mismatch is worth telling the user). */
export function diffConsistent(d: PolicyDiff): boolean {
  const c = diffCounts(d.rows);
  return c.added === d.added && c.removed === d.removed && c.common === d.common;
}

/** A quick look at pasted/loaded text before sending it: undefined if it looks like a Docker seccomp profile. */
export function checkProfileText(text: string): string | undefined {
  if (text.trim() === '') return 'Paste a Docker seccomp profile (JSON) or choose a file.';
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return `Not valid JSON: ${(e as Error).message}`;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'A Docker seccomp profile is a JSON object.';
  const o = v as Record<string, unknown>;
  if (typeof o.defaultAction !== 'string') return 'Not a Docker seccomp profile: it has no "defaultAction".';
  if (o.syscalls !== undefined && !Array.isArray(o.syscalls)) return 'Not a Docker seccomp profile: "syscalls" is not a list.';
  return undefined;
}

/** A profile name from a file name: `nginx-seccomp.json` -> `nginx-seccomp`. */
export function profileNameFromFile(fileName: string): string {
  return fileName.replace(/^.*[\\/]/, '').replace(/\.json$/i, '') || 'imported';
}
