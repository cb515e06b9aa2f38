// A small worker_threads pool that computes per-object facts off the main thread.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { ObjectFacts } from '../program/facts.js';
import type { DebugSymbols } from '../link/debug-symbols.js';
import { failureError, type WorkerFailure } from './worker-failure.js';
import { LIMITS, LimitError, MiB } from '../limits/limits.js';
import { AnalysisCancelled } from '../errors.js';

const WORKER_HEAP_MB = LIMITS.workerHeapBytes / MiB;

interface Job {
  cacheDir: string | undefined;
  bytes: Uint8Array;
  hash: string;
  displayPath: string;
  symbols?: DebugSymbols;
  resolve: (f: ObjectFacts, cacheError?: string) => void;
  reject: (e: Error) => void;
}

/** Runs analyzeObject in worker threads; one job per object file. */
export class FactsPool {
  private readonly idle: Worker[] = [];
  private readonly all: Worker[] = [];
  private readonly queue: Job[] = [];
  private readonly busy = new Map<Worker, Job>();
  private closed = false;

  constructor(size = Math.max(1, Math.min(4, availableParallelism()))) {
    for (let i = 0; i < size; i++) this.spawn();
  }

  private spawn(): void {
    // The heap cap turns runaway memory on hostile input into this worker's error, not the process's death.
    const w = new Worker(new URL('./facts-worker.js', import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
    w.on('message', (m: { facts?: ObjectFacts; cacheError?: string; failure?: WorkerFailure }) => {
      const job = this.busy.get(w)!;
      this.busy.delete(w);
      if (m.facts) job.resolve(m.facts, m.cacheError);
      else job.reject(failureError(m.failure ?? { kind: 'internal', file: job.displayPath, message: 'the worker failed without saying why' }));
      this.idle.push(w);
      this.pump();
    });
    // A worker that dies (its heap cap hit on hostile input, a crash) fails its job; a fresh one takes its place.
    w.on('error', (e) => {
      const job = this.busy.get(w);
      this.busy.delete(w);
      this.all.splice(this.all.indexOf(w), 1);
      const code = (e as NodeJS.ErrnoException).code;
      if (job) {
        job.reject(
          code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new LimitError(job.displayPath, 'workerHeapBytes', 'the analysis of this object ran out of its memory')
            : failureError({ kind: 'internal', file: job.displayPath, message: e.message }),
        );
      }
      if (!this.closed) {
        this.spawn();
        this.pump();
      }
    });
    this.all.push(w);
    this.idle.push(w);
  }

  /**
   * Computes the facts of one file from its bytes (copied to the worker, not re-read); the worker
   * stores them in `cacheDir`. An abort rejects at once (AnalysisCancelled) and drops the job if it
   * has not started; a started one runs on until close() terminates its worker.
   */
  run(bytes: Uint8Array, hash: string, displayPath: string, cacheDir?: string, signal?: AbortSignal, symbols?: DebugSymbols): Promise<{ facts: ObjectFacts; cacheError?: string }> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new AnalysisCancelled());
      const onAbort = (): void => {
        const i = this.queue.indexOf(job);
        if (i >= 0) this.queue.splice(i, 1);
        reject(new AnalysisCancelled());
      };
      const done = (): void => signal?.removeEventListener('abort', onAbort);
      const job: Job = {
        cacheDir,
        bytes,
        hash,
        displayPath,
        ...(symbols ? { symbols } : {}),
        resolve: (facts, cacheError) => {
          done();
          resolve({ facts, cacheError });
        },
        reject: (e) => {
          done();
          reject(e);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(job);
      this.pump();
    });
  }

  private pump(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const w = this.idle.pop()!;
      const job = this.queue.shift()!;
      this.busy.set(w, job);
      w.postMessage({ cacheDir: job.cacheDir, bytes: job.bytes, hash: job.hash, displayPath: job.displayPath, symbols: job.symbols });
    }
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.all.map((w) => w.terminate()));
  }
}
