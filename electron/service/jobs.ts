// Analysis jobs: each runs in its own worker thread (analysis-worker.ts). The manager turns the
// worker's messages into `progress` events (with the elapsed time) and exactly one `finished`
// event per job, whatever happens: a report, an error, a cancel, or the worker dying.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type Docker from 'dockerode';
import type { AnalysisRequest, ConfineEvents, JobFinished, JobProgress } from '../api.js';
import type { WorkerInput, WorkerMessage } from './analysis-worker.js';
import { InputError } from '../../analysis/errors.js';
import { LIMITS } from '../../analysis/limits/limits.js';

/** How long a cancelled job may take to stop cleanly (phase 1 removes its container) before its thread is killed. */
export const CANCEL_GRACE_MS = 10_000;

interface Job {
  id: string;
  worker: Worker;
  started: number;
  finished: boolean;
  cancelRequested: boolean;
  killTimer?: NodeJS.Timeout;
}

export type Emit = <E extends keyof ConfineEvents>(event: E, data: ConfineEvents[E]) => void;

export class JobManager {
  private readonly jobs = new Map<string, Job>();

  constructor(
    private readonly opts: { cacheDir: string; reportsDir: string; docker?: Docker.DockerOptions; emit: Emit },
  ) {}

  /** Starts a job; its id is also the id its report will have. */
  start(request: AnalysisRequest): string {
    // Each job is a thread with its own worker pool: a host that takes any number of them can be
    // driven out of memory by one client.
    if (this.jobs.size >= LIMITS.concurrentJobs) {
      throw new InputError('analysis', `${this.jobs.size} analyses are running already, the limit concurrentJobs = ${LIMITS.concurrentJobs}: wait for one to finish or cancel it`);
    }
    const id = `${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-')}-${randomBytes(4).toString('hex')}`.toLowerCase();
    const input: WorkerInput = { jobId: id, reportId: id, request, cacheDir: this.opts.cacheDir, reportsDir: this.opts.reportsDir, ...(this.opts.docker ? { docker: this.opts.docker } : {}) };
    const worker = new Worker(new URL('./analysis-worker.js', import.meta.url), { workerData: input });
    const job: Job = { id, worker, started: performance.now(), finished: false, cancelRequested: false };
    this.jobs.set(id, job);
    worker.on('message', (m: WorkerMessage) => this.onMessage(job, m));
    worker.on('error', (e) => this.finish(job, { jobId: id, error: `the analysis crashed: ${e.message}` }));
    worker.on('exit', (code) => {
      if (job.cancelRequested) this.finish(job, { jobId: id, cancelled: true });
      else this.finish(job, { jobId: id, error: `the analysis stopped unexpectedly (worker exit code ${code})` });
    });
    return id;
  }

  private onMessage(job: Job, m: WorkerMessage): void {
    if (job.finished) return;
    switch (m.type) {
      case 'progress': {
        const p: JobProgress = { jobId: job.id, phase: m.phase, elapsedMs: Math.round(performance.now() - job.started) };
        if (m.file !== undefined) p.file = m.file;
        if (m.done !== undefined) p.done = m.done;
        if (m.total !== undefined) p.total = m.total;
        if (m.round !== undefined) p.round = m.round;
        this.opts.emit('progress', p);
        break;
      }
      case 'done':
        // The user asked to stop before the result arrived: a cancel is a cancel, even when the
        // analysis won the race (a cached one finishes in milliseconds). Its report goes too.
        if (job.cancelRequested) {
          rmSync(join(this.opts.reportsDir, m.reportId), { recursive: true, force: true });
          this.finish(job, { jobId: job.id, cancelled: true });
        } else this.finish(job, { jobId: job.id, reportId: m.reportId });
        break;
      case 'cancelled':
        this.finish(job, { jobId: job.id, cancelled: true });
        break;
      case 'error':
        this.finish(job, job.cancelRequested ? { jobId: job.id, cancelled: true } : { jobId: job.id, error: m.message });
        break;
    }
  }

  private finish(job: Job, f: JobFinished): void {
    if (job.finished) return;
    job.finished = true;
    if (job.killTimer) clearTimeout(job.killTimer);
    this.jobs.delete(job.id);
    // The worker has said its last word (or is gone): its thread may still hold idle sockets.
    void job.worker.terminate().catch(() => undefined);
    this.opts.emit('finished', f);
  }

  /** Asks a job to stop; its thread is killed if it has not ended within CANCEL_GRACE_MS. */
  cancel(jobId: string): void {
    const job = this.jobs.get(jobId);
    if (!job) throw new Error(`no running analysis ${jobId}`);
    if (job.cancelRequested) return;
    job.cancelRequested = true;
    job.worker.postMessage({ type: 'abort' });
    job.killTimer = setTimeout(() => {
      void job.worker.terminate().catch(() => undefined);
    }, CANCEL_GRACE_MS);
    job.killTimer.unref();
  }

  /** Ids of the jobs still running. */
  running(): string[] {
    return [...this.jobs.keys()];
  }

  /** Cancels every job and waits until all have finished (or been killed). */
  async close(): Promise<void> {
    const pending = [...this.jobs.values()];
    for (const j of pending) this.cancel(j.id);
    await Promise.all(pending.map((j) => new Promise<void>((resolve) => (j.finished ? resolve() : j.worker.once('exit', () => resolve())))));
  }
}
