// The Images view's state: engine status and images, the analysis form, and running jobs fed by
// the `progress` / `finished` events.
import type { EngineStatus, ImageInfo, JobFinished, JobProgress } from '../../electron/api.js';
import { guard } from './errors.js';
import { applyFinished, applyProgress, buildRequest, describeTarget, EMPTY_FORM, type AnalysisForm, type JobView } from './jobs-model.js';
import type { Slice } from './types.js';

export interface JobsSlice {
  engine?: EngineStatus;
  engineLoading: boolean;
  images: ImageInfo[];
  form: AnalysisForm;
  /** Why the form cannot be sent (shown next to it, not in the banner). */
  formError?: string;
  jobs: JobView[];
  refreshEngine(): Promise<void>;
  setForm(patch: Partial<AnalysisForm>): void;
  /** Validates the form and starts the job; resolves with the job id. */
  submitAnalysis(): Promise<string | undefined>;
  cancelJob(jobId: string): Promise<void>;
  dismissJob(jobId: string): void;
  onProgress(p: JobProgress): void;
  onFinished(f: JobFinished): void;
}

export const createJobsSlice: Slice<JobsSlice> = (set, get, { api, now = Date.now }) => ({
  engineLoading: false,
  images: [],
  form: EMPTY_FORM,
  jobs: [],
  async refreshEngine() {
    set({ engineLoading: true });
    try {
      // A failed request says nothing about the engine (the service itself may be away): banner it.
      const engine = await guard(get, 'Checking the Docker engine', () => api.engineStatus());
      if (!engine) return;
      set({ engine });
      if (!engine.reachable) {
        set({ images: [] });
        // No engine: paths and host programs are still there.
        if (get().form.kind === 'engine' && get().form.image === '') set((s) => ({ form: { ...s.form, kind: 'path' } }));
        return;
      }
      const images = await guard(get, 'Listing the engine images', () => api.listImages());
      if (images) set({ images: [...images].sort((a, b) => b.created.localeCompare(a.created)) });
    } finally {
      set({ engineLoading: false });
    }
  },
  setForm(patch) {
    set((s) => ({ form: { ...s.form, ...patch }, formError: undefined }));
  },
  async submitAnalysis() {
    const built = buildRequest(get().form);
    if ('error' in built) {
      set({ formError: built.error });
      return undefined;
    }
    set({ formError: undefined });
    let started: { jobId: string };
    try {
      started = await api.startAnalysis(built.request);
    } catch (e) {
      // The service's refusal is the CLI's one-line error (a bad path, a limit): shown at the form.
      set({ formError: e instanceof Error ? e.message : String(e) });
      return undefined;
    }
    const title = describeTarget(built.request.target);
    set((s) => {
      // A progress event may have beaten the answer: keep what it said, with the right title.
      const existing = s.jobs.find((j) => j.jobId === started.jobId);
      if (existing) return { jobs: s.jobs.map((j) => (j.jobId === started.jobId ? { ...j, title } : j)) };
      return { jobs: [{ jobId: started.jobId, title, startedAt: now() }, ...s.jobs] };
    });
    return started.jobId;
  },
  async cancelJob(jobId) {
    set((s) => ({ jobs: s.jobs.map((j) => (j.jobId === jobId ? { ...j, cancelling: true } : j)) }));
    try {
      await api.cancelAnalysis(jobId);
    } catch (e) {
      set((s) => ({ jobs: s.jobs.map((j) => (j.jobId === jobId ? { ...j, cancelling: false } : j)) }));
      get().reportError('Cancelling the analysis', e);
    }
  },
  dismissJob(jobId) {
    set((s) => ({ jobs: s.jobs.filter((j) => j.jobId !== jobId || !j.finished) }));
  },
  onProgress(p) {
    set((s) => ({ jobs: applyProgress(s.jobs, p, now()) }));
  },
  onFinished(f) {
    set((s) => ({ jobs: applyFinished(s.jobs, f, now()) }));
    if (f.reportId) void get().loadReports();
  },
});
