// One checked AnalysisRequest in, one report out: the CLI and the service's job worker both run
// their analyses through here, so a request means the same thing in a terminal and in the UI.
import { cacheLayout } from './cache/layout.js';
import type Docker from 'dockerode';
import { analyze, type AnalyzeOptions, type Progress } from './analyze.js';
import { analyzeImage, type ImageAnalysisProgress } from './analyze-image.js';
import { cveRows } from './policy/blocked-cves.js';
import { InputError } from './errors.js';
import { allowedByEntries, policyEntries } from './policy/exports.js';
import { dockerDefaultProfile } from './policy/profile-import.js';
import type { Report } from './graph/report.js';
import { checkNamedPrograms, type AnalysisRequest } from './request.js';

export interface RunContext {
  /** Root of the cache (facts/, images/, runtime/ below it). */
  cacheDir: string;
  /** Analyse without the facts cache (`--no-cache`): directory targets only. */
  noCache?: boolean;
  docker?: Docker;
  workers?: number;
  signal?: AbortSignal;
  /** Image targets report the whole pipeline; directory targets only the analysis. */
  onProgress?: (p: ImageAnalysisProgress) => void;
  onGraph?: AnalyzeOptions['onGraph'];
}

/** Runs the analysis a request asks for. A run that analysed no program at all is a failure, never an empty policy. */
export async function runRequest(req: AnalysisRequest, ctx: RunContext): Promise<Report> {
  const t = req.target;
  let report: Report;
  if (t.kind === 'host' || t.kind === 'rootfs') {
    const rootfs = t.kind === 'host' ? '/' : t.rootfs;
    const named = checkNamedPrograms(rootfs, t.programs);
    const scripts = t.programs.filter((p) => named.get(p)?.kind === 'script');
    if (scripts.length > 0) throw new InputError(scripts[0], 'a script: analyse the interpreter its #! line names (an image analysis does this by itself)');
    const onProgress = (p: Progress): void => ctx.onProgress?.({ phase: p.phase === 'done' ? 'done' : 'analysis', detail: p.file, done: p.done, total: p.total, analysis: p });
    report = await analyze({
      rootfs,
      programs: t.programs,
      cacheDir: ctx.noCache ? undefined : cacheLayout(ctx.cacheDir).facts,
      workers: ctx.workers,
      keepGoing: t.kind === 'host',
      onGraph: ctx.onGraph,
      onProgress,
    });
  } else {
    report = await analyzeImage({
      image: t.kind === 'engine' ? t.image : t.path,
      cacheDir: ctx.cacheDir,
      docker: ctx.docker,
      seconds: req.seconds,
      programs: req.programs,
      network: req.network,
      cmd: req.cmd,
      settings: req.settings,
      workers: ctx.workers,
      signal: ctx.signal,
      onGraph: ctx.onGraph,
      onProgress: ctx.onProgress,
    });
  }
  const analysed = report.programs.filter((p) => !p.error);
  if (analysed.length === 0) {
    const first = report.programs[0];
    throw first ? new InputError(first.path, first.error!.replace(new RegExp(`^${first.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `), '')) : new InputError('--program', 'no program was analysed');
  }
  // What the policy blocks of the kernel CVE table, next to Docker's default on the same table.
  report.cves = cveRows(allowedByEntries(policyEntries(report)), dockerDefaultProfile().allowed);
  return report;
}
