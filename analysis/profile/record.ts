// Phase 1: run the image in a throwaway container for a window and record which programs it
// executes and which files its processes map executable. Tracing (a private tracefs instance) is
// set up before the container exists, so nothing the container runs can slip by; without tracefs
// the recorder polls /proc and says what that can miss. Whatever happens (error, abort, the
// container exiting), the container and the trace instance are removed before returning.
import type Docker from 'dockerode';
import { InputError } from '../errors.js';
import { checkImage, createPhase1Container, disposeContainer, waitForExit } from './container.js';
import { engineError } from '../image/engine.js';
import { layeredFs, procRootFs, type ContainerFs } from './container-files.js';
import { LibraryCollector } from './maps.js';
import { POLL_INTERVAL_MS, ProcPoller } from './poll.js';
import { listPids } from './proc.js';
import { parseShebang, programsFrom } from './programs.js';
import { TraceSource } from './trace-source.js';
import { findTracefs, removeStaleInstances, TraceInstance } from './tracefs.js';
import type { ExecRecord, PhaseOneResult, RecordOptions } from './types.js';

const READ_INTERVAL_MS = 150;
const MAPS_INTERVAL_MS = 250;
const HEAD_BYTES = 256;
const POLL_WARNING = `polling /proc every ${POLL_INTERVAL_MS} ms; processes living less than that may be missed`;

function nowUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * First bytes of the files the container exec'd, read while a container process is alive (through
 * its /proc/PID/root), so scripts can be told from binaries after the container has stopped; what
 * was not read in time comes from the fallback view (the overlay layers).
 */
class ScriptHeads implements ContainerFs {
  readonly describe = 'the container';
  private readonly heads = new Map<string, Buffer>();
  fallback: ContainerFs | undefined;

  /** Reads the heads of `paths` (and of the interpreters they name) not read yet, through `view`. */
  prefetch(paths: readonly string[], view: ContainerFs): void {
    for (let p of paths) {
      for (let depth = 0; depth < 5 && p.startsWith('/') && !this.heads.has(p); depth++) {
        const head = view.head(p, HEAD_BYTES);
        if (head === undefined) break;
        this.heads.set(p, head);
        const sb = parseShebang(head);
        if (!sb) break;
        p = sb.interpreter;
      }
    }
  }

  head(p: string, max: number): Buffer | undefined {
    return this.heads.get(p)?.subarray(0, max) ?? this.fallback?.head(p, max);
  }
}

/** A view of the container's files once nothing runs in it: its overlay layers (or merged dir) from inspect. */
function layersOf(info: Docker.ContainerInspectInfo | undefined): ContainerFs | undefined {
  const data = (info?.GraphDriver?.Data ?? {}) as Record<string, string | undefined>;
  if (data.UpperDir && data.LowerDir !== undefined) return layeredFs([data.UpperDir, ...data.LowerDir.split(':').filter((d) => d !== '')]);
  if (data.UpperDir) return layeredFs([data.UpperDir]);
  if (data.MergedDir) return layeredFs([data.MergedDir]);
  return undefined;
}

/** Waits `ms`, or less if the signal aborts or `wake` settles. */
function pause(ms: number, signal: AbortSignal | undefined, wake: Promise<unknown>): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    void wake.then(done, done);
  });
}

interface Source {
  readonly method: 'tracefs' | 'poll';
  tick(): void;
  live(): ReadonlyMap<number, string>;
  execPaths(): string[];
}

/** Runs `image` for `seconds` in a new container and reports the programs it exec'd and the files they mapped. */
export async function recordContainer(opts: RecordOptions): Promise<PhaseOneResult> {
  const { docker, image, signal } = opts;
  if (!(opts.seconds > 0) || !Number.isFinite(opts.seconds)) {
    throw new InputError('seconds', `the recording window must be a positive number of seconds (got ${opts.seconds})`);
  }
  const windowMs = opts.seconds * 1000;
  const network = opts.network ?? 'none';
  const warnings: string[] = [];
  let source: Source | undefined;
  const progress = (phase: string, ms: number): void => opts.onProgress?.({ phase, seconds: Math.round(ms / 100) / 10, programs: new Set(source?.execPaths() ?? []).size });

  await checkImage(docker, image);

  progress('setup', 0);
  let tracer: TraceInstance | undefined;
  if (opts.forcePoll) {
    warnings.push(`tracefs not used (polling was asked for): ${POLL_WARNING}`);
  } else {
    try {
      const root = await findTracefs();
      removeStaleInstances(root);
      tracer = TraceInstance.create(root);
    } catch (e) {
      warnings.push(`tracefs unavailable (${message(e)}): ${POLL_WARNING}`);
    }
  }

  let container: Docker.Container | undefined;
  let poller: ProcPoller | undefined;
  let traceSource: TraceSource | undefined;
  const libs = new LibraryCollector();
  const heads = new ScriptHeads();
  let execs: ExecRecord[] = [];
  let pids: number[] = [];
  let programs: PhaseOneResult['programs'] = [];
  let containerExit: PhaseOneResult['containerExit'];
  let aborted = false;
  let elapsedMs = 0;

  try {
    if (signal?.aborted) {
      aborted = true;
    } else {
      progress('create', 0);
      container = await createPhase1Container(docker, image, network, { cmd: opts.cmd, settings: opts.settings, seccompProfile: opts.seccompProfile, binds: opts.binds });
      const t0 = process.hrtime.bigint();
      const t0Us = Number(t0 / 1000n);
      let src: Source;
      if (tracer) {
        src = traceSource = new TraceSource(tracer, t0Us);
        traceSource.setContainerId(container.id);
      } else {
        src = poller = new ProcPoller(container.id);
        // Scanning starts before the container does, so that its first processes are seen.
        poller.start(t0);
      }
      source = src;
      progress('start', 0);
      // While the engine starts the container, read the trace often: if the container exits at
      // once, runc's short-lived command line (read at its exec) is what tells it from others.
      const fast = traceSource
        ? setInterval(() => {
            try {
              src.tick();
            } catch {
              // A timer must not throw; the recording loop's next read reports the problem.
            }
          }, 10)
        : undefined;
      try {
        await container.start();
      } catch (e) {
        // The engine refuses to start what the image (or cmd) names, e.g. a missing entrypoint.
        const err = e as { statusCode?: number; json?: { message?: string } | null; message?: string };
        if (err.statusCode === 400) throw new InputError(image, `the container did not start: ${(err.json?.message ?? err.message ?? String(e)).trim()}`);
        throw await engineError(docker, e, image);
      } finally {
        clearInterval(fast);
      }
      let selfExit: number | undefined;
      let stopping = false;
      const exited = waitForExit(container).then((code) => {
        if (!stopping) selfExit = code ?? -1;
      });
      const info = await container.inspect();
      const inspectedUs = nowUs();
      heads.fallback = layersOf(info);
      const hostPrefix = (info.GraphDriver?.Data as Record<string, string | undefined> | undefined)?.MergedDir;
      if (traceSource && info.State.Pid > 0) traceSource.setRoots([info.State.Pid]);

      // The caller's own work alongside the container (a workload); the window waits for it.
      let whileRunningDone = !opts.whileRunning;
      let whileRunningError: { error: unknown } | undefined;
      const running = opts.whileRunning
        ? opts.whileRunning().then(
            () => undefined,
            (error: unknown) => {
              whileRunningError = { error };
            },
          )
        : Promise.resolve();
      void running.then(() => (whileRunningDone = true));
      const wake = Promise.race([exited, running]);

      const start = performance.now();
      let lastMaps = -Infinity;
      const observe = (): void => {
        src.tick();
        const live = src.live();
        const first = live.keys().next();
        if (!first.done) heads.prefetch(src.execPaths(), procRootFs(first.value));
        if (performance.now() - lastMaps >= MAPS_INTERVAL_MS) {
          // One snapshot per process: threads share their leader's maps, and /proc lists leaders only.
          const leaders = new Set(listPids());
          libs.snapshot(new Map([...live].filter(([pid]) => leaders.has(pid))), hostPrefix);
          lastMaps = performance.now();
        }
      };
      while (true) {
        elapsedMs = performance.now() - start;
        if (signal?.aborted) aborted = true;
        if (aborted || selfExit !== undefined || (elapsedMs >= windowMs && whileRunningDone)) break;
        observe();
        progress('record', elapsedMs);
        await pause(elapsedMs < windowMs ? Math.min(READ_INTERVAL_MS, windowMs - elapsedMs) : READ_INTERVAL_MS, signal, whileRunningDone ? exited : wake);
      }
      elapsedMs = performance.now() - start;
      // Not after an abort: the caller's work is expected to follow the same signal, but need not.
      if (!aborted) await running;
      if (whileRunningError) throw whileRunningError.error;
      // The last look before stopping: libraries loaded late are still mapped now.
      if (selfExit === undefined) {
        lastMaps = -Infinity;
        observe();
      }
      const windowEndUs = nowUs();
      poller?.stop();
      stopping = true;

      if (selfExit !== undefined) {
        const end = await container.inspect().catch(() => undefined);
        const started = Date.parse(end?.State.StartedAt ?? '');
        const finished = Date.parse(end?.State.FinishedAt ?? '');
        const afterMs = Number.isFinite(started) && Number.isFinite(finished) && finished >= started ? finished - started : elapsedMs;
        containerExit = { code: end?.State.ExitCode ?? selfExit, afterMs: Math.round(afterMs) };
      } else {
        progress('stop', elapsedMs);
        await container.stop({ t: aborted ? 0 : 2 }).catch(() => undefined);
      }

      if (traceSource) {
        // Events up to the stop (a graceful shutdown may still exec something).
        traceSource.tick();
        if (!traceSource.hasRoots()) {
          const roots = traceSource.guessRoots(t0Us, inspectedUs, info.Path, container.id);
          if (roots.length > 1) warnings.push(`${roots.length} containers started at the same moment and this one exited before it could be told apart; the programs of all of them are included`);
          if (roots.length === 0) warnings.push(`the container exited before its init could be identified, and the trace shows no runc init exec'ing ${info.Path}; nothing was recorded`);
          else traceSource.setRoots(roots);
        } else if (!traceSource.started()) {
          warnings.push(`the container's init (pid ${info.State.Pid}) was not seen exec'ing its entrypoint in the trace`);
        }
        execs = traceSource.records(windowEndUs);
        pids = traceSource.pids();
        warnings.push(...traceSource.warnings());
      } else if (poller) {
        execs = poller.execs;
        pids = [...poller.seenPids].sort((a, b) => a - b);
        if (poller.unreadableExe.size > 0) warnings.push(`/proc/PID/exe of ${poller.unreadableExe.size} container processes could not be read (permission denied; run as root): their paths are their argv[0]`);
        if (execs.length === 0 && containerExit) warnings.push('the container exited before the first /proc scan saw any of its processes');
      }
      // Before the container is removed: scripts not read while it ran are read from its layers.
      const found = programsFrom(
        execs.map((e) => e.path),
        heads,
      );
      programs = found.programs;
      warnings.push(...found.warnings);
    }
  } finally {
    poller?.stop();
    if (container) {
      progress('cleanup', elapsedMs);
      const problem = await disposeContainer(container, true);
      if (problem) warnings.push(problem);
    }
    if (tracer) {
      const lost = Math.max(tracer.lostInStream, tracer.lostInBuffer());
      if (lost > 0) warnings.push(`${lost} trace events lost (ring buffer overrun; host and container events share it): programs may be missing`);
      const problem = tracer.close();
      if (problem) warnings.push(problem);
    }
  }

  warnings.push(...libs.warnings());
  if (aborted) warnings.push(`recording aborted after ${(elapsedMs / 1000).toFixed(1)} s of ${opts.seconds} s: the result is partial`);
  progress('done', elapsedMs);
  const result: PhaseOneResult = { method: tracer ? 'tracefs' : 'poll', programs, libraries: libs.libraries(), execs, pids, warnings };
  if (containerExit) result.containerExit = containerExit;
  return result;
}
