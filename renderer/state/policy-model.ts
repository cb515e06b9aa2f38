// The policy table's model: one row per syscall of a report with the review applied, its
// category and status; filtering, sorting, counts, the per-category chart and keyboard selection.
// Pure functions over the contract types (no React, no DOM).
import { pathText, valueDenials, type Report, type ReviewDecision, type ReviewEntry } from '../../electron/api.js';
import type { SyscallEntry } from '../../electron/api.js';
import { CATEGORIES, categoryOf, type Category } from '../syscall-categories.js';

/** allowed: in the policy; denied: removed by the review, or answered with ENOSYS; review: needs a decision (runtime-only, no static path). */
export type PolicyStatus = 'allowed' | 'denied' | 'review';

export const STATUS_LABELS: Record<PolicyStatus, string> = { allowed: 'allowed', denied: 'denied', review: 'needs review' };

export interface PolicyRow {
  name: string;
  nr: number;
  category: Category;
  status: PolicyStatus;
  /** Programs (rootfs paths) that can make it. */
  programs: string[];
  /** The review decision, when there is one. */
  decision?: ReviewDecision;
  note: string;
  /** Made by the container runtime. */
  runtime: boolean;
  /** Has a static justification path. */
  hasPath: boolean;
  /** Why the status is what it is, in a few words. */
  reason: string;
  /** Lower-case function and object names on the paths of its sites, newline-separated: what search matches besides the name. */
  onPaths: string;
}

/** Function names and object file names on every site's path (the best path when sites are absent). */
function pathNames(s: SyscallEntry): string {
  const names = new Set<string>();
  for (const path of s.sites ? s.sites.map((x) => x.path) : [s.path]) {
    for (const st of path) {
      names.add(st.function.toLowerCase());
      names.add(basename(st.object).toLowerCase());
    }
  }
  return [...names].join('\n');
}

export type SortKey = 'nr' | 'name' | 'category' | 'status' | 'programs';
export interface SortSpec {
  key: SortKey;
  dir: 'asc' | 'desc';
}

export interface PolicyFilter {
  query: string;
  category: Category | 'all';
  status: PolicyStatus | 'all';
}

/** The last path component: `/usr/lib/x86_64-linux-gnu/libc.so.6` -> `libc.so.6`. */
export function basename(path: string): string {
  const i = path.lastIndexOf('/');
  return i >= 0 && i < path.length - 1 ? path.slice(i + 1) : path;
}

/** A path as one line (the CLI's and the exports' form). */
export { pathText };

function statusOf(s: SyscallEntry, review: ReviewEntry | undefined, reviews: Record<string, ReviewEntry>): { status: PolicyStatus; reason: string } {
  if (review?.decision === 'deny') return { status: 'denied', reason: review.note ? `denied: ${review.note}` : 'denied by review' };
  if (review?.decision === 'allow') return { status: 'allowed', reason: review.note ? `allowed: ${review.note}` : 'allowed by review' };
  // Its callers fall back when it fails: the export answers ENOSYS (SyscallEntry.enosys), so it does not run.
  if (s.enosys && !s.runtime) return { status: 'denied', reason: `answered with ENOSYS: ${s.enosys}` };
  // The review removed every value of the argument the export enforces: the export denies it (the export's own test).
  const [emptied] = valueDenials({ syscalls: [s] }, reviews);
  if (emptied) return { status: 'denied', reason: emptied.note };
  if (s.path.length === 0) {
    return s.runtime
      ? { status: 'review', reason: 'made only by the container runtime (no static path in the image)' }
      : { status: 'review', reason: 'no justification path' };
  }
  return { status: 'allowed', reason: `found statically in ${s.programs.length} program${s.programs.length === 1 ? '' : 's'}` };
}

/** The rows of a report with `reviews` (syscall name -> review) applied, in syscall number order. */
export function policyRows(report: Report, reviews: Record<string, ReviewEntry> | undefined): PolicyRow[] {
  return report.syscalls
    .map((s): PolicyRow => {
      const review = reviews?.[s.name];
      const { status, reason } = statusOf(s, review, reviews ?? {});
      return {
        name: s.name,
        nr: s.nr,
        category: categoryOf(s.name),
        status,
        programs: s.programs,
        ...(review ? { decision: review.decision } : {}),
        note: review?.note ?? '',
        runtime: s.runtime === true,
        hasPath: s.path.length > 0,
        reason,
        onPaths: pathNames(s),
      };
    })
    .sort((a, b) => a.nr - b.nr);
}

/** 'allowed' is everything the exported policy allows: a syscall that needs review is allowed too. */
function statusMatches(status: PolicyStatus, filter: PolicyStatus | 'all'): boolean {
  return filter === 'all' || status === filter || (filter === 'allowed' && status === 'review');
}

/** Whether a row matches the search text: name, number, a program's name, the review note, or a function or library on a site's path (`ngx_`, `libcrypto`). */
export function matchesQuery(row: PolicyRow, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (q === '') return true;
  if (/^\d+$/.test(q)) return String(row.nr) === q || row.name.includes(q);
  if (row.name.includes(q)) return true;
  if (row.note.toLowerCase().includes(q)) return true;
  if (row.programs.some((p) => basename(p).toLowerCase().includes(q))) return true;
  return row.onPaths.includes(q);
}

export function filterRows(rows: PolicyRow[], f: PolicyFilter): PolicyRow[] {
  return rows.filter(
    (r) => (f.category === 'all' || r.category === f.category) && statusMatches(r.status, f.status) && matchesQuery(r, f.query),
  );
}

const STATUS_ORDER: Record<PolicyStatus, number> = { review: 0, denied: 1, allowed: 2 };

export function sortRows(rows: PolicyRow[], sort: SortSpec): PolicyRow[] {
  const sign = sort.dir === 'asc' ? 1 : -1;
  const cmp = (a: PolicyRow, b: PolicyRow): number => {
    switch (sort.key) {
      case 'name':
        return a.name.localeCompare(b.name);
      case 'category':
        return CATEGORIES.indexOf(a.category) - CATEGORIES.indexOf(b.category);
      case 'status':
        return STATUS_ORDER[a.status] - STATUS_ORDER[b.status];
      case 'programs':
        return a.programs.length - b.programs.length;
      default:
        return a.nr - b.nr;
    }
  };
  // Ties are broken by syscall number so the order is stable whatever the direction.
  return [...rows].sort((a, b) => sign * cmp(a, b) || a.nr - b.nr);
}

/** Clicking a column: the same key flips the direction, another key starts ascending. */
export function nextSort(current: SortSpec, key: SortKey): SortSpec {
  return current.key === key ? { key, dir: current.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: 'asc' };
}

export interface StatusCounts {
  total: number;
  allowed: number;
  denied: number;
  review: number;
}

export function countStatuses(rows: PolicyRow[]): StatusCounts {
  const c: StatusCounts = { total: rows.length, allowed: 0, denied: 0, review: 0 };
  for (const r of rows) c[r.status]++;
  return c;
}

export interface CategoryBar {
  category: Category;
  allowed: number;
  denied: number;
  review: number;
}

/** One bar per category that has any syscall, in the fixed category order. */
export function categoryChart(rows: PolicyRow[]): CategoryBar[] {
  const by = new Map<Category, CategoryBar>(CATEGORIES.map((c) => [c, { category: c, allowed: 0, denied: 0, review: 0 }]));
  for (const r of rows) by.get(r.category)![r.status]++;
  return CATEGORIES.map((c) => by.get(c)!).filter((b) => b.allowed + b.denied + b.review > 0);
}

export type SelectionMove = number | 'first' | 'last';

/**
 * Moves a selection (a syscall name) through the visible names: by `move` rows, clamped at both ends,
 * or to the first/last. A selection that is not visible (filtered out, or none) starts from the top
 * when moving down and from the bottom when moving up.
 */
export function moveSelection(names: readonly string[], current: string | undefined, move: SelectionMove): string | undefined {
  if (names.length === 0) return undefined;
  if (move === 'first') return names[0];
  if (move === 'last') return names[names.length - 1];
  const i = current === undefined ? -1 : names.indexOf(current);
  if (i < 0) return move >= 0 ? names[0] : names[names.length - 1];
  return names[Math.max(0, Math.min(names.length - 1, i + move))];
}
