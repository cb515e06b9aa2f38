// Reviews: the user's allow/deny decisions per syscall of a subject (an image, or the analysed
// programs), kept by the service in the workspace file. Local (optimistic) application, the review
// list with what changed since each review, and carrying a review over from another subject.
import { parseArgumentReviewKey, reviewBasis, reviewChanges, type Report, type ReviewBasis, type ReviewDecision, type ReviewEntry, type Workspace } from '../../electron/api.js';

/** The workspace with one review set (decision null removes it, or keeps the note alone), as the service will store it. */
export function applyReview(ws: Workspace, subject: string, syscall: string, decision: ReviewDecision | null, note: string, now: string, basis?: ReviewBasis): Workspace {
  const current = { ...(ws.reviews[subject] ?? {}) };
  const kept = { updatedAt: now, ...(basis ? { basis } : {}) };
  if (decision === null && note.trim() !== '') current[syscall] = { note, ...kept };
  else if (decision === null) delete current[syscall];
  else current[syscall] = { decision, note, ...kept };
  const reviews = { ...ws.reviews };
  if (Object.keys(current).length === 0) delete reviews[subject];
  else reviews[subject] = current;
  return { ...ws, reviews };
}

/** What differs between a review's basis and the report now open (empty: nothing, or no basis kept). */
export function changedSinceReview(report: Report | undefined, reportId: string | undefined, key: string, review: ReviewEntry | undefined): string[] {
  if (!report || !review?.basis || review.basis.reportId === reportId) return [];
  return reviewChanges(review.basis, reviewBasis(report, reportId ?? '', key), key.startsWith('site:'));
}

export interface ReviewRow {
  name: string;
  /** undefined when the report has no such syscall (a review left over from a renamed/removed entry). */
  nr?: number;
  /** undefined: a note without a decision yet. */
  decision?: ReviewDecision;
  note: string;
  updatedAt: string;
  /** How the evidence changed since the review (empty: unchanged). */
  changed: string[];
}

/** The review of one report as a list, in syscall number order (unknown names last, by name). */
export function reviewRows(report: Report | undefined, reviews: Record<string, ReviewEntry> | undefined, reportId?: string): ReviewRow[] {
  const nrs = new Map(report?.syscalls.map((s) => [s.name, s.nr]) ?? []);
  return Object.entries(reviews ?? {})
    .map(
      ([name, r]): ReviewRow => ({
        name,
        ...(nrs.has(name) ? { nr: nrs.get(name) } : {}),
        ...(r.decision ? { decision: r.decision } : {}),
        note: r.note,
        updatedAt: r.updatedAt,
        changed: changedSinceReview(report, reportId, name, r),
      }),
    )
    .sort((a, b) => (a.nr ?? Infinity) - (b.nr ?? Infinity) || a.name.localeCompare(b.name));
}

export interface CarryOverPlan {
  /** Reviews to copy: the syscall is in the target report and has no review there yet. */
  apply: { name: string; decision: ReviewDecision | null; note: string }[];
  /** Already reviewed in the target (kept as they are). */
  kept: string[];
  /** Not a syscall of the target report. */
  notInReport: string[];
}

/** What copying the review `from` onto a report with `syscalls` (already reviewed as `to`) would do. */
export function carryOverPlan(from: Record<string, ReviewEntry> | undefined, to: Record<string, ReviewEntry> | undefined, syscalls: Iterable<string>): CarryOverPlan {
  const names = new Set(syscalls);
  const plan: CarryOverPlan = { apply: [], kept: [], notInReport: [] };
  for (const [name, r] of Object.entries(from ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    // A removed argument value belongs to its syscall.
    if (!names.has(parseArgumentReviewKey(name)?.syscall ?? name)) plan.notInReport.push(name);
    else if (to?.[name]) plan.kept.push(name);
    else plan.apply.push({ name, decision: r.decision ?? null, note: r.note });
  }
  return plan;
}

export function reviewCounts(reviews: Record<string, ReviewEntry> | undefined): { allow: number; deny: number; values: number } {
  const c = { allow: 0, deny: 0, values: 0 };
  for (const [name, r] of Object.entries(reviews ?? {})) {
    if (!r.decision || name.startsWith('site:')) continue; // a site's review changes no policy
    if (name.startsWith('arg:')) c.values++; // a value removed from an argument rule
    else c[r.decision]++;
  }
  return c;
}
