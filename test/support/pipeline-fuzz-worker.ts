// The worker side of the pipeline fuzz test: runs one request per message on this thread, so the
// test's thread can stop it when an iteration runs past its time (a loop in synchronous analysis
// code cannot be interrupted from inside).
import { parentPort } from 'node:worker_threads';
import { InputError } from '../../analysis/errors.js';
import { LimitError } from '../../analysis/limits/limits.js';
import { checkRequest } from '../../analysis/request.js';
import { runRequest } from '../../analysis/run-request.js';

export type FuzzOutcome = { kind: 'report' } | { kind: 'input'; limit?: string } | { kind: 'other'; message: string };

parentPort!.on('message', (m: { root: string; path: string; cacheDir: string }) => {
  runRequest(checkRequest({ target: { kind: 'rootfs', rootfs: m.root, programs: [m.path] } }), { cacheDir: m.cacheDir, workers: 0 }).then(
    () => parentPort!.postMessage({ outcome: { kind: 'report' }, rss: process.memoryUsage().rss }),
    (e: unknown) => {
      const outcome: FuzzOutcome =
        e instanceof LimitError ? { kind: 'input', limit: e.limit } : e instanceof InputError ? { kind: 'input' } : { kind: 'other', message: (e as Error).stack ?? String(e) };
      parentPort!.postMessage({ outcome, rss: process.memoryUsage().rss });
    },
  );
});
