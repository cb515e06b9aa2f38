// The review of the current report (allow/deny + note per syscall), applied at once and confirmed by
// the service; a failed save puts the previous decision back.
import type { ReviewDecision, ReviewEntry, Workspace } from '../../electron/api.js';
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
  /** Copies another report's review onto the current one, never overriding a decision already made. */
  carryOverReview(fromReportId: string): Promise<CarryOverPlan | undefined>;
}

/** The review of the current report. */
export function currentReviews(s: Pick<ConfineState, 'workspace' | 'currentReportId'>): Record<string, ReviewEntry> | undefined {
  return s.currentReportId ? s.workspace?.reviews[s.currentReportId] : undefined;
}

export const createReviewsSlice: Slice<ReviewsSlice> = (set, get, { api, now = Date.now }) => ({
  savingReviews: {},
  async loadWorkspace() {
    const workspace = await guard(get, 'Loading the review workspace', () => api.getWorkspace());
    if (workspace) set({ workspace });
  },
  async setReview(syscall, decision, note) {
    const reportId = get().currentReportId;
    if (!reportId) {
      get().reportError('Saving the review', new Error('No report is open.'));
      return false;
    }
    const before = get().workspace?.reviews[reportId]?.[syscall];
    const ws = get().workspace ?? { path: '', reviews: {} };
    set((s) => ({
      workspace: applyReview(ws, reportId, syscall, decision, note, new Date(now()).toISOString()),
      savingReviews: { ...s.savingReviews, [syscall]: true },
    }));
    try {
      const saved = await api.setReview(reportId, syscall, decision, note);
      set({ workspace: saved });
      return true;
    } catch (e) {
      // Put back what was there, leaving any other change made meanwhile.
      const cur = get().workspace ?? ws;
      set({ workspace: applyReview(cur, reportId, syscall, before?.decision ?? null, before?.note ?? '', before?.updatedAt ?? '') });
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
  async carryOverReview(fromReportId) {
    const s = get();
    if (!s.report || !s.currentReportId) return undefined;
    const plan = carryOverPlan(s.workspace?.reviews[fromReportId], currentReviews(s), s.report.syscalls.map((x) => x.name));
    for (const r of plan.apply) {
      if (!(await get().setReview(r.name, r.decision, r.note))) break;
    }
    return plan;
  },
});
