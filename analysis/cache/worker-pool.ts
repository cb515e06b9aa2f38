// A small worker_threads pool that computes per-object facts off the main thread.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { ObjectFacts } from '../program/facts.js';

interface Job {
  cacheDir: string | undefined;
  bytes: Uint8Array;
  hash: string;
  displayPath: string;
  resolve: (f: ObjectFacts) => void;
  reject: (e: Error) => void;
}

/** Runs analyzeObject in worker threads; one job per object file. */
export class FactsPool {
  private readonly idle: Worker[] = [];
  private readonly all: Worker[] = [];
  private readonly queue: Job[] = [];
  private readonly busy = new Map<Worker, Job>();

  constructor(size = Math.max(1, Math.min(4, availableParallelism()))) {
    const url = new URL('./facts-worker.js', import.meta.url);
    for (let i = 0; i < size; i++) {
      const w = new Worker(url);
      w.on('message', (m: { facts?: ObjectFacts; error?: string; problem?: string; file?: string }) => {
        const job = this.busy.get(w)!;
        this.busy.delete(w);
        if (m.facts) job.resolve(m.facts);
        else job.reject(Object.assign(new Error(m.error ?? 'worker failed'), { file: m.file, problem: m.problem }));
        this.idle.push(w);
        this.pump();
      });
      w.on('error', (e) => {
        const job = this.busy.get(w);
        this.busy.delete(w);
        job?.reject(e);
      });
      this.all.push(w);
      this.idle.push(w);
    }
  }

  /** Computes the facts of one file from its bytes (copied to the worker, not re-read); the worker stores them in `cacheDir`. */
  run(bytes: Uint8Array, hash: string, displayPath: string, cacheDir?: string): Promise<ObjectFacts> {
    return new Promise((resolve, reject) => {
      this.queue.push({ cacheDir, bytes, hash, displayPath, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const w = this.idle.pop()!;
      const job = this.queue.shift()!;
      this.busy.set(w, job);
      w.postMessage({ cacheDir: job.cacheDir, bytes: job.bytes, hash: job.hash, displayPath: job.displayPath });
    }
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    await Promise.all(this.all.map((w) => w.terminate()));
  }
}
