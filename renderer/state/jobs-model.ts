// Analysis jobs: the form that builds an AnalysisRequest, and what the progress panel shows.
import type { AnalysisRequest, AnalysisTarget, JobFinished, JobProgress } from '../../electron/api.js';

export type TargetKind = AnalysisTarget['kind'];

/** The analysis form as typed (strings; checked by buildRequest). */
export interface AnalysisForm {
  kind: TargetKind;
  image: string;
  path: string;
  /** Host programs, one path per line (or separated by spaces/commas). */
  hostPrograms: string;
  /** Phase-1 window in seconds ('' = default). */
  seconds: string;
  /** Explicit programs inside the image (skips phase 1), one per line. */
  programs: string;
  network: 'none' | 'host';
}

export const EMPTY_FORM: AnalysisForm = { kind: 'engine', image: '', path: '', hostPrograms: '', seconds: '', programs: '', network: 'none' };

/** Splits a list typed one per line, or separated by commas or whitespace. */
export function splitList(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).map((s) => s.trim()).filter((s) => s !== ''))];
}

/** The request the form describes, or the reason it cannot be sent. */
export function buildRequest(form: AnalysisForm): { request: AnalysisRequest } | { error: string } {
  let target: AnalysisTarget;
  if (form.kind === 'engine') {
    const image = form.image.trim();
    if (image === '') return { error: 'Choose an image of the engine (or type a reference).' };
    target = { kind: 'engine', image };
  } else if (form.kind === 'path') {
    const path = form.path.trim();
    if (path === '') return { error: 'Type the path of a docker-save/OCI tarball, an OCI layout or a root filesystem directory.' };
    if (!path.startsWith('/')) return { error: `The path must be absolute (on the machine the service runs on): ${path}` };
    target = { kind: 'path', path };
  } else {
    const programs = splitList(form.hostPrograms);
    if (programs.length === 0) return { error: 'List at least one host program, e.g. /usr/sbin/nginx.' };
    const relative = programs.find((p) => !p.startsWith('/'));
    if (relative) return { error: `Host programs must be absolute paths: ${relative}` };
    target = { kind: 'host', programs };
  }
  const request: AnalysisRequest = { target };
  if (form.kind !== 'host') {
    const secondsText = form.seconds.trim();
    if (secondsText !== '') {
      const seconds = Number(secondsText);
      if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) return { error: `Phase-1 seconds must be a number between 1 and 3600 (got ${secondsText}).` };
      request.seconds = seconds;
    }
    const programs = splitList(form.programs);
    const relative = programs.find((p) => !p.startsWith('/'));
    if (relative) return { error: `Programs are absolute paths inside the image: ${relative}` };
    if (programs.length > 0) request.programs = programs;
    request.network = form.network;
  }
  return { request };
}

/** A short title for a job (what the report will be called). */
export function describeTarget(t: AnalysisTarget): string {
  if (t.kind === 'engine') return t.image;
  if (t.kind === 'path') return t.path;
  return t.programs.length <= 2 ? `host: ${t.programs.join(', ')}` : `host: ${t.programs.slice(0, 2).join(', ')} +${t.programs.length - 2}`;
}

/** A job as the progress panel shows it. */
export interface JobView {
  jobId: string;
  title: string;
  progress?: JobProgress;
  /** When the last progress event arrived (ms, client clock): the panel counts on from there. */
  progressAt?: number;
  /** When the client started it (ms). */
  startedAt: number;
  finished?: JobFinished;
  /** When the finished event arrived (ms, client clock). */
  finishedAt?: number;
  cancelling?: boolean;
}

export type JobOutcome = 'running' | 'done' | 'failed' | 'cancelled';

export function jobOutcome(j: JobView): JobOutcome {
  if (!j.finished) return 'running';
  if (j.finished.cancelled) return 'cancelled';
  if (j.finished.error) return 'failed';
  return 'done';
}

/** 0..1, or undefined when the phase gives no count. */
export function jobFraction(j: JobView): number | undefined {
  if (j.finished) return 1;
  const p = j.progress;
  if (!p || p.total === undefined || p.total <= 0 || p.done === undefined) return undefined;
  return Math.max(0, Math.min(1, p.done / p.total));
}

/**
 * A progress count with its unit: objects of the current batch (each dlopen round brings a new
 * batch, so the count starts again), dlopen rounds of the call graph, seconds of phase 1, bytes
 * exported from the engine, layers unpacked.
 */
export function progressCount(p: JobProgress | undefined): string | undefined {
  if (!p || p.done === undefined || p.total === undefined) return undefined;
  switch (p.phase) {
    case 'objects':
      return `${p.done} of ${p.total} objects ${p.round ? `loaded by dlopen (round ${p.round})` : 'linked at start'}`;
    case 'graph':
      return `dlopen round ${p.done} (at most ${p.total})`;
    case 'phase1':
      return `${Math.round(p.done)} of ${Math.round(p.total)} s`;
    case 'load':
      return `program ${p.done + 1} of ${p.total}`;
    case 'image':
      // The engine's export counts bytes; layers are counted one by one.
      return p.total > 4096 ? `${formatBytes(p.done)} of ${formatBytes(p.total)}` : `layer ${Math.min(p.done + 1, p.total)} of ${p.total}`;
    default:
      return `${p.done} / ${p.total}`;
  }
}

/** Elapsed time at `now`: the service's figure, counted on locally since the last event; frozen when it finished. */
export function jobElapsedMs(j: JobView, now: number): number {
  const end = j.finished ? (j.finishedAt ?? now) : now;
  if (j.progress && j.progressAt !== undefined) return j.progress.elapsedMs + Math.max(0, end - j.progressAt);
  if (j.progress) return j.progress.elapsedMs;
  return Math.max(0, end - j.startedAt);
}

export function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  // Powers of 1024 are KiB, MiB ...: an "MB" that is a MiB misleads by 5%.
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** Applies a progress event to the job list (a job started elsewhere, e.g. another window, is added). */
export function applyProgress(jobs: JobView[], p: JobProgress, now: number): JobView[] {
  const i = jobs.findIndex((j) => j.jobId === p.jobId);
  if (i < 0) return [{ jobId: p.jobId, title: `job ${p.jobId}`, startedAt: now - p.elapsedMs, progress: p, progressAt: now }, ...jobs];
  if (jobs[i].finished) return jobs;
  const next = [...jobs];
  next[i] = { ...jobs[i], progress: p, progressAt: now };
  return next;
}

export function applyFinished(jobs: JobView[], f: JobFinished, now: number): JobView[] {
  const i = jobs.findIndex((j) => j.jobId === f.jobId);
  if (i < 0) return [{ jobId: f.jobId, title: `job ${f.jobId}`, startedAt: now, finished: f, finishedAt: now }, ...jobs];
  if (jobs[i].finished) return jobs;
  const next = [...jobs];
  next[i] = { ...jobs[i], finished: f, finishedAt: now, cancelling: false };
  return next;
}
