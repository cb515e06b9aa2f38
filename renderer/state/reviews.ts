// The review of the current report's subject (allow/deny + note per syscall, kept across re-analyses
// of the same image), applied at once and confirmed by the service; a failed save puts the previous
// decision back.
import { reviewBasis, reviewSubject, type ReviewDecision, type ReviewEntry, type Workspace } from '../../electron/api.js';
import { guard } from './errors.js';
import { applyReview, carryOverPlan, type CarryOverPlan } from './review-model.js';
import type { ConfineState, Slice } from './types.js';

export interface ReviewsSlice {
  workspace?: Workspace;
  /** Syscall names whose review is being saved. */
  savingReviews: Record<string, true>;
  loadWorkspace(): Promise<void>;
  /** Sets (or with null removes) the review of a syscall of the current report. */
  setReview(syscall: string, decision: ReviewDecision | null, note: string): Promise<boolean>;
  /** Copies another subject's review (another image, other programs) onto the current one, never overriding a decision already made. */
  carryOverReview(fromSubject: string): Promise<CarryOverPlan | undefined>;
}

/** What the current report's review belongs to (reviewSubject). */
export function currentSubject(s: Pick<ConfineState, 'report'>): string | undefined {
  return s.report ? reviewSubject(s.report) : undefined;
}

/** The review of the current report's subject. */
export function currentReviews(s: Pick<ConfineState, 'workspace' | 'report'>): Record<string, ReviewEntry> | undefined {
  const subject = currentSubject(s);
  return subject ? s.workspace?.reviews[subject] : undefined;
}

export const createReviewsSlice: Slice<ReviewsSlice> = (set, get, { api, now = Date.now }) => ({
  savingReviews: {},
  async loadWorkspace() {
    const workspace = await guard(get, 'Loading the review workspace', () => api.getWorkspace());
    if (workspace) set({ workspace });
  },
  async setReview(syscall, decision, note) {
    const { currentReportId: reportId, report } = get();
    if (!reportId || !report) {
      get().reportError('Saving the review', new Error('No report is open.'));
      return false;
    }
    const subject = reviewSubject(report);
    const before = get().workspace?.reviews[subject]?.[syscall];
    const ws = get().workspace ?? { path: '', reviews: {} };
    set((s) => ({
      workspace: applyReview(ws, subject, syscall, decision, note, new Date(now()).toISOString(), reviewBasis(report, reportId, syscall)),
      savingReviews: { ...s.savingReviews, [syscall]: true },
    }));
    try {
      const saved = await api.setReview(reportId, syscall, decision, note);
      set({ workspace: saved });
      return true;
    } catch (e) {
      // Put back what was there, leaving any other change made meanwhile.
      const cur = get().workspace ?? ws;
      set({ workspace: applyReview(cur, subject, syscall, before?.decision ?? null, before?.note ?? '', before?.updatedAt ?? '', before?.basis) });
      get().reportError(`Saving the review of ${syscall}`, e);
      return false;
    } finally {
      set((s) => {
        const saving = { ...s.savingReviews };
        delete saving[syscall];
        return { savingReviews: saving };
      });
    }
  },
  async carryOverReview(fromSubject) {
    const s = get();
    if (!s.report || !s.currentReportId) return undefined;
    const plan = carryOverPlan(s.workspace?.reviews[fromSubject], currentReviews(s), s.report.syscalls.map((x) => x.name));
    for (const r of plan.apply) {
      if (!(await get().setReview(r.name, r.decision, r.note))) break;
    }
    return plan;
  },
});
