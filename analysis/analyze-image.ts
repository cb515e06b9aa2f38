// The container pipeline: image -> rootfs -> phase 1 (what runs) -> static analysis of each program
// -> container-wide policy = union of the programs' sets + the runtime base set.
import { cacheLayout } from './cache/layout.js';
import type Docker from 'dockerode';
import { dockerFrom } from './image/engine.js';
import { analyze, type AnalyzeOptions, type Progress } from './analyze.js';
import { openImage } from './image/index.js';
import { recordContainer, type PhaseOneResult } from './profile/index.js';
import { describeSettings, runtimeBase } from './policy/runtime-base.js';
import { resolveUser } from './image/users.js';
import type { RunSettings } from './profile/run-settings.js';
import type { ProgramSummary, Report } from './graph/report.js';
import { syscallName } from './x86_64/syscall-table.js';
import { AnalysisCancelled, InputError } from './errors.js';
import { checkNamedPrograms, programKind, type ProgramKind } from './request.js';

export interface AnalyzeImageOptions {
  /** An engine image reference, a docker-save / OCI tarball, an OCI layout or a rootfs directory. */
  image: string;
  /** Root of the cache: facts/, images/ and runtime/ live under it. */
  cacheDir: string;
  docker?: Docker;
  /** Phase-1 window in seconds (default 30). */
  seconds?: number;
  /** Analyse exactly these programs and skip phase 1. */
  programs?: string[];
  /** Run phase 1 and analyse these programs as well as those it saw (`confine harden --program`). */
  alsoPrograms?: string[];
  network?: 'none' | 'host';
  cmd?: string[];
  /** How the container is run (phase 1, the runtime base set); the image's own USER unless `user` is set. */
  settings?: RunSettings;
  workers?: number;
  signal?: AbortSignal;
  onProgress?: (p: ImageAnalysisProgress) => void;
  /** Passed to analyze(): each program's final call graph. */
  onGraph?: AnalyzeOptions['onGraph'];
}


/** Progress of the whole pipeline: which phase, and the phase's own counters. */
export interface ImageAnalysisProgress {
  phase: 'image' | 'phase1' | 'runtime' | 'analysis' | 'done';
  detail?: string;
  done?: number;
  total?: number;
  analysis?: Progress;
}

/** Analyses a container image and returns the container-wide report. */
export async function analyzeImage(opts: AnalyzeImageOptions): Promise<Report> {
  const started = performance.now();
  const progress = opts.onProgress ?? (() => undefined);
  const docker = dockerFrom(opts.docker);
  progress({ phase: 'image', detail: opts.image });
  const opened = await openImage(opts.image, {
    cacheDir: cacheLayout(opts.cacheDir).images,
    docker,
    onProgress: (p) => progress({ phase: 'image', detail: p.file ?? p.phase, done: p.done, total: p.total }),
  });
  const warnings = [...opened.warnings.map((w) => `image: ${w}`)];
  const settings = opts.settings ?? {};
  // The user the runtime switches to, as the engine will resolve it in this image's files.
  const user = resolveUser(opened.rootfs, settings.user ?? opened.config?.user ?? '', settings.groupAdd);

  let phase1: PhaseOneResult | undefined;
  let programs: string[];
  let named: Map<string, Classified> | undefined;
  if (opts.programs && opts.programs.length > 0) {
    // Named programs must be in the image and runnable; phase 1's may be missing (created at run time).
    named = checkNamedPrograms(opened.rootfs, opts.programs);
    programs = opts.programs;
  } else {
    if (opened.source !== 'engine') {
      throw new InputError(opts.image, 'phase 1 runs the image in the Docker engine: load it there first (docker load), or name the programs to analyse (--program on the command line, the Programs field in the app)');
    }
    const seconds = opts.seconds ?? 30;
    phase1 = await recordContainer({
      docker,
      image: opened.imageId,
      seconds,
      network: opts.network,
      cmd: opts.cmd,
      settings,
      signal: opts.signal,
      onProgress: (p) => progress({ phase: 'phase1', detail: `${p.programs} program(s) seen`, done: Math.min(p.seconds, seconds), total: seconds }),
    });
    // Cancelled (Ctrl-C, the UI's cancel): the recorder has cleaned up; nothing more to do.
    if (opts.signal?.aborted) throw new AnalysisCancelled();
    warnings.push(...phase1.warnings.map((w) => `phase 1: ${w}`));
    if (phase1.containerExit) {
      const { code, afterMs } = phase1.containerExit;
      warnings.push(`phase 1: the container exited by itself after ${(afterMs / 1000).toFixed(1)} s with code ${code}: only what ran until then was recorded`);
    }
    if (phase1.programs.length === 0) throw new InputError(opts.image, 'phase 1 saw no program run in the container');
    programs = phase1.programs.map((p) => p.path);
    if (opts.alsoPrograms && opts.alsoPrograms.length > 0) {
      named = checkNamedPrograms(opened.rootfs, opts.alsoPrograms);
      programs = [...programs, ...opts.alsoPrograms.filter((p) => !programs.includes(p))];
    }
  }

  // The runtime's own syscalls need the engine; without one the policy may not let the container start.
  let runtime: Report['runtime'];
  try {
    progress({ phase: 'runtime' });
    const probeSettings = { ...settings, user };
    const rb = await runtimeBase(docker, opts.cacheDir, { settings: probeSettings });
    runtime = { runtime: rb.runtime, version: rb.version, kernel: rb.kernel, settings: describeSettings(probeSettings), syscalls: rb.syscalls.map((nr) => ({ nr, name: syscallName(nr) ?? `nr${nr}` })), runs: rb.runs, source: rb.source, cached: rb.cached };
  } catch (e) {
    if (opened.source === 'engine') throw e;
    warnings.push(`runtime base set not measured (${(e as Error).message.split('\n')[0]}): a profile without it may stop the container from starting`);
  }

  const phase1By = new Map(phase1?.programs.map((p) => [p.path, p]) ?? []);
  // A process still ran it when the window closed: a long-running one (`confine harden`'s default).
  const running = new Set(phase1?.execs.filter((e) => !e.exited).map((e) => e.path) ?? []);
  // What each program is, read once: ELF, script (with its #! interpreter), missing or other.
  const kinds = new Map<string, Classified>();
  for (const p of programs) kinds.set(p, named?.get(p) ?? classify(opened.rootfs, p));
  // A script named with --program runs under its #! interpreter (chains of them too): analyse that.
  const interpretersOf = new Map<string, Set<string>>();
  for (let i = 0; i < programs.length && !phase1; i++) {
    const interp = kinds.get(programs[i])!.interpreter;
    if (!interp) continue;
    if (!interpretersOf.has(interp)) interpretersOf.set(interp, new Set());
    interpretersOf.get(interp)!.add(programs[i]);
    if (!kinds.has(interp)) {
      programs = [...programs, interp];
      kinds.set(interp, classify(opened.rootfs, interp));
    }
  }
  const libraries: Record<string, string[]> = {};
  for (const l of phase1?.libraries ?? []) (libraries[l.program] ??= []).push(l.path);
  // A script's processes run its interpreter: what they mapped belongs to the interpreter's analysis.
  for (const p of phase1?.programs ?? []) {
    for (const script of p.interpreterOf ?? []) for (const lib of libraries[script] ?? []) if (!(libraries[p.path] ??= []).includes(lib)) libraries[p.path].push(lib);
  }
  const elfPrograms = programs.filter((p) => kinds.get(p)!.kind === 'elf');
  const annotate = (p: string): Partial<ProgramSummary> => {
    const seen = phase1By.get(p);
    const of = seen?.interpreterOf ?? (interpretersOf.has(p) ? [...interpretersOf.get(p)!] : undefined);
    return { source: seen ? 'phase1' : 'argument', ...(seen ? { execs: seen.execs } : {}), ...(running.has(p) ? { running: true } : {}), ...(of ? { interpreterOf: of } : {}) };
  };
  const report = await analyze({
    rootfs: opened.rootfs,
    programs: elfPrograms,
    cacheDir: cacheLayout(opts.cacheDir).facts,
    workers: opts.workers,
    libraries,
    keepGoing: true,
    annotate,
    signal: opts.signal,
    onGraph: opts.onGraph,
    onProgress: (p) => progress({ phase: 'analysis', detail: p.file, done: p.done, total: p.total, analysis: p }),
  });

  // Scripts are run by their interpreter (phase 1 lists it too); files that are not in the image were
  // created at run time and cannot be analysed: the policy may miss what they do.
  for (const p of programs) {
    const kind = kinds.get(p)!.kind;
    if (kind === 'elf') continue;
    const error = kind === 'script' ? undefined : kind === 'missing' ? 'not in the image (created at run time?): not analysed, the policy may miss its syscalls' : 'not an ELF program or script: not analysed';
    report.programs.push({ path: p, objects: [], syscalls: 0, unresolved: 0, warnings: [], ...(error ? { error } : {}), ...annotate(p) });
    if (error) report.warnings.push(`${p}: ${error}`);
  }

  if (runtime) {
    const tag = `runtime:${runtime.runtime}`;
    for (const { nr, name } of runtime.syscalls) {
      const e = report.syscalls.find((s) => s.nr === nr);
      if (e) {
        e.programs.push(tag);
        e.runtime = true;
      } else if (syscallName(nr) !== undefined) {
        report.syscalls.push({ name, nr, programs: [tag], path: [], runtime: true });
      } else {
        report.warnings.push(`the runtime makes syscall ${nr}, which is not in the pinned table: a profile cannot allow it by name`);
      }
    }
    report.syscalls.sort((a, b) => a.nr - b.nr);
  }
  report.warnings.unshift(...warnings);
  report.image = { ref: opts.image, id: opened.imageId, source: opened.source };
  if (phase1) {
    report.phase1 = {
      method: phase1.method,
      seconds: opts.seconds ?? 30,
      execs: phase1.execs.length,
      warnings: phase1.warnings,
      ...(phase1.containerExit ? { containerExit: phase1.containerExit } : {}),
    };
  }
  if (runtime) report.runtime = runtime;
  report.stats.seconds = (performance.now() - started) / 1000;
  progress({ phase: 'done' });
  return report;
}

/** What a program path is inside the image; for a script, the interpreter its #! line names. */
type Classified = { kind: 'elf' | 'script' | 'missing' | 'other'; interpreter?: string };

/** request.ts programKind, where what cannot be read counts as missing: phase 1 names files created at run time. */
function classify(rootfs: string, p: string): Classified {
  let k: ProgramKind;
  try {
    k = programKind(rootfs, p);
  } catch {
    return { kind: 'missing' };
  }
  if (k.kind === 'unreadable') return { kind: 'missing' };
  return k.kind === 'script' ? k : { kind: k.kind };
}
