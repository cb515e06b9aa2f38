// One analysis job in a worker thread: runs the engine (analyzeImage for an image or a path,
// analyze for host programs), streams progress, and writes the report, its call graphs and its
// listing entry under reports/<id>/ (into a temporary directory renamed at the end, so a listed
// report is always complete). An { type: 'abort' } message stops the job at the next step; phase 1
// stops through its AbortSignal and removes its container itself.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import Docker from 'dockerode';
import { runRequest } from '../../analysis/run-request.js';
import { AnalysisCancelled, InputError } from '../../analysis/errors.js';
import { callGraphData, type CallGraphData } from '../../analysis/graph/graph-data.js';
import type { Report } from '../../analysis/graph/report.js';
import type { AnalysisRequest, ReportMeta } from '../api.js';

export interface WorkerInput {
  jobId: string;
  reportId: string;
  request: AnalysisRequest;
  cacheDir: string;
  reportsDir: string;
  docker?: Docker.DockerOptions;
}

export type WorkerMessage =
  | { type: 'progress'; phase: string; file?: string; done?: number; total?: number; round?: number }
  | { type: 'done'; reportId: string }
  | { type: 'error'; kind: 'input' | 'internal'; message: string }
  | { type: 'cancelled' };

/** The file every report directory holds for the listing (written last). */
export const META_FILE = 'meta.json';
export const REPORT_FILE = 'report.json';
export const GRAPHS_FILE = 'graphs.json';

/** graphs.json: each analysed program's reached call graph. */
export interface GraphsFile {
  version: 1;
  programs: Record<string, CallGraphData>;
}

class Cancelled extends Error {}

/** What a request is about, for the report list. */
export function titleOf(req: AnalysisRequest): string {
  const t = req.target;
  if (t.kind === 'engine') return t.image;
  if (t.kind === 'path') return t.path;
  return t.programs.join(' ');
}

const PROGRESS_INTERVAL_MS = 100;

async function run(input: WorkerInput, port: NonNullable<typeof parentPort>): Promise<void> {
  const abort = new AbortController();
  port.on('message', (m: { type?: string }) => {
    if (m?.type === 'abort') abort.abort();
  });
  let last = { phase: '', at: 0 };
  const send = (m: WorkerMessage): void => port.postMessage(m);
  const progress = (phase: string, file?: string, done?: number, total?: number, round?: number): void => {
    // Phase 1 stops on the signal and cleans up by itself: never interrupt it from its own callback.
    if (abort.signal.aborted && phase !== 'phase1') throw new Cancelled('cancelled');
    const now = performance.now();
    const final = done !== undefined && total !== undefined && done >= total;
    if (phase === last.phase && !final && now - last.at < PROGRESS_INTERVAL_MS) return;
    last = { phase, at: now };
    send({ type: 'progress', phase, ...(file !== undefined ? { file } : {}), ...(done !== undefined ? { done } : {}), ...(total !== undefined ? { total } : {}), ...(round ? { round } : {}) });
  };
  const graphs: GraphsFile = { version: 1, programs: {} };
  const onGraph = (program: string, graph: Parameters<typeof callGraphData>[0], roots: Parameters<typeof callGraphData>[1]): void => {
    graphs.programs[program] = callGraphData(graph, roots);
  };
  const req = input.request;
  let report: Report;
  try {
    report = await runRequest(req, {
      cacheDir: input.cacheDir,
      docker: input.docker ? new Docker(input.docker) : undefined,
      signal: abort.signal,
      onGraph,
      onProgress: (p) => {
        if (p.phase === 'analysis' && p.analysis) {
          if (p.analysis.phase !== 'done') progress(p.analysis.phase, p.analysis.file, p.analysis.done, p.analysis.total, p.analysis.round);
        } else if (p.phase !== 'done') progress(p.phase, p.detail, p.done, p.total);
      },
    });
    if (abort.signal.aborted) throw new Cancelled('cancelled');
  } catch (e) {
    if (e instanceof Cancelled || e instanceof AnalysisCancelled || abort.signal.aborted) {
      send({ type: 'cancelled' });
      return;
    }
    // Bad input is shown as the CLI shows it (one line); a defect of ours says so.
    if (e instanceof InputError) send({ type: 'error', kind: 'input', message: e.message.split('\n')[0] });
    else send({ type: 'error', kind: 'internal', message: `internal error: ${(e as Error).message ?? String(e)}` });
    return;
  }
  const meta: ReportMeta = {
    id: input.reportId,
    title: titleOf(req),
    createdAt: new Date().toISOString(),
    syscalls: report.syscalls.length,
    programs: report.programs.length,
    unresolved: report.unresolved.length,
  };
  const tmp = join(input.reportsDir, `.tmp-${input.reportId}`);
  try {
    mkdirSync(tmp, { recursive: true });
    writeFileSync(join(tmp, REPORT_FILE), JSON.stringify(report));
    writeFileSync(join(tmp, GRAPHS_FILE), JSON.stringify(graphs));
    writeFileSync(join(tmp, META_FILE), JSON.stringify(meta, null, 2) + '\n');
    renameSync(tmp, join(input.reportsDir, input.reportId));
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    send({ type: 'error', kind: 'internal', message: `cannot store the report: ${(e as Error).message}` });
    return;
  }
  send({ type: 'progress', phase: 'done', done: 1, total: 1 });
  send({ type: 'done', reportId: input.reportId });
}

if (parentPort && workerData && (workerData as { reportId?: unknown }).reportId) {
  const port = parentPort;
  run(workerData as WorkerInput, port).then(
    () => port.close(),
    (e: unknown) => {
      port.postMessage({ type: 'error', kind: 'internal', message: `internal error: ${(e as Error)?.message ?? String(e)}` } satisfies WorkerMessage);
      port.close();
    },
  );
}
