// Phase-1 recording from a tracefs instance: keeps every fork/exec/exit event of the window, and
// once the container's init is known rebuilds its process tree on each read. Facts that only a
// live process can give (argv[0], the working directory for a relative exec path, the file behind
// an exec through a file descriptor) are read at the first read after the exec, while it may still run.
import * as path from 'node:path';
import { buildTree, findRuncInits, type ContainerTree, type TreeExec } from './process-tree.js';
import { readArgv, readCwd, readExe, readStat } from './proc.js';
import type { TraceEvent } from './trace-events.js';
import type { TraceInstance } from './tracefs.js';
import type { ExecRecord } from './types.js';

interface Enrichment {
  path?: string;
  argv0?: string;
}

const FD_PATH = /^\/(?:dev\/fd|proc\/(?:self|\d+)\/fd)\/\d+$/;

/** The events of one trace instance, seen as the container's execs and live processes. */
export class TraceSource {
  readonly method = 'tracefs' as const;
  private readonly events: TraceEvent[] = [];
  private roots: number[] = [];
  private tree: ContainerTree = { started: false, execs: [], live: new Map(), seen: new Set() };
  private readonly enriched = new Map<string, Enrichment>();
  /** Command lines of runc processes (pid → argv joined), read right after their exec. */
  private readonly runcArgs = new Map<number, string>();

  constructor(
    private readonly tracer: TraceInstance,
    /** CLOCK_MONOTONIC (trace "mono" clock) of the start call, in microseconds: atMs counts from it. */
    private readonly t0Us: number,
  ) {}

  private containerId: string | undefined;

  /** Sets the container's init pid(s): the roots of the tree. */
  setRoots(pids: number[]): void {
    this.roots = pids;
    this.rebuild();
  }

  /** Every process the runtime moves into this container's cgroup (docker exec, HEALTHCHECK) is a root too. */
  setContainerId(id: string): void {
    this.containerId = id;
  }

  /** Roots: the init(s), and the processes attached to the container's cgroup. */
  private allRoots(): number[] {
    const out = new Set(this.roots);
    if (!this.containerId || this.roots.length === 0) return [...out];
    // The runtime's own bootstrap process is attached before the init exec's the entrypoint (the
    // init's tree covers it); a process attached after that was started by `docker exec`/HEALTHCHECK
    // (runc's init for it, attached just before it exec's the command).
    const started = this.events.find((e) => e.kind === 'exec' && this.roots.includes(e.pid))?.ts;
    if (started === undefined) return [...out];
    for (const e of this.events) if (e.kind === 'attach' && e.ts > started && e.path.includes(this.containerId)) out.add(e.pid);
    return [...out];
  }

  /** True once roots are set. */
  hasRoots(): boolean {
    return this.roots.length > 0;
  }

  /**
   * Finds the init in the events when inspect could not name it (the container had already
   * exited). Among several containers started at the same moment, the one whose runc (an
   * ancestor of the init) was given `containerId` on its command line is ours.
   */
  guessRoots(fromUs: number, toUs: number, entrypoint: string | undefined, containerId: string): number[] {
    let found = findRuncInits(this.events, fromUs, toUs, entrypoint);
    if (found.length === 0 && entrypoint !== undefined) found = findRuncInits(this.events, fromUs, toUs);
    const parent = new Map<number, number>();
    for (const e of this.events) if (e.kind === 'fork') parent.set(e.childPid, e.tgid ?? e.pid);
    // Whose init each one is, by the command line of the runc it descends from: ours, another
    // container's (its runc names another id), or unknown (its runc was gone before it was read).
    const owner = (pid: number): 'ours' | 'theirs' | 'unknown' => {
      let seen = false;
      for (let p = parent.get(pid), depth = 0; p !== undefined && depth < 8; p = parent.get(p), depth++) {
        const argv = this.runcArgs.get(p);
        if (argv === undefined) continue;
        if (argv.includes(containerId)) return 'ours';
        seen = true;
      }
      return seen ? 'theirs' : 'unknown';
    };
    const ours = found.filter((pid) => owner(pid) === 'ours');
    if (ours.length > 0) return ours;
    // Never another container's init: a container whose own init never exec'd (its filter denied
    // execve) must not take the processes of one started beside it.
    const unknown = found.filter((pid) => owner(pid) === 'unknown');
    return unknown.length === 1 ? unknown : [];
  }

  /** Reads new events and updates the tree; call every ~150 ms (more often while the container starts). */
  tick(): void {
    const fresh = this.tracer.drain();
    for (const e of fresh) {
      // runc's command line names the container; it lives for a fraction of a second, so it is
      // read as soon as its exec is seen (for guessRoots).
      if (e.kind === 'exec' && /(^|\/)runc$/.test(e.filename)) {
        const argv = readArgv(e.pid);
        if (argv.length > 0) this.runcArgs.set(e.pid, argv.join(' '));
      }
    }
    if (fresh.length > 0) {
      const lastTs = this.events.at(-1)?.ts ?? -Infinity;
      this.events.push(...fresh);
      // trace_pipe merges the CPUs' buffers in time order, but an event committed late on one CPU
      // can follow a newer one already read from another: keep the list sorted (the sort is stable).
      if (fresh[0].ts < lastTs || fresh.some((e, i) => i > 0 && e.ts < fresh[i - 1].ts)) this.events.sort((a, b) => a.ts - b.ts);
    }
    if (this.roots.length > 0) this.rebuild();
  }

  private rebuild(): void {
    if (this.roots.length === 0) return;
    const trees = this.allRoots().map((r) => buildTree(this.events, r));
    const execs = trees.flatMap((t) => t.execs).sort((a, b) => a.ts - b.ts);
    const live = new Map<number, string>();
    for (const t of trees) for (const [pid, prog] of t.live) live.set(pid, prog);
    const seen = new Set(trees.flatMap((t) => [...t.seen]));
    this.tree = { started: trees.some((t) => t.started), execs, live, seen };
    for (const x of execs) if (x.current) this.enrich(x);
  }

  private enrich(x: TreeExec): void {
    const key = `${x.pid}@${x.ts}`;
    if (this.enriched.has(key)) return;
    const e: Enrichment = {};
    if (FD_PATH.test(x.filename)) e.path = readExe(x.pid);
    else {
      // The working directory survives exec, so it holds even if the pid has exec'd again since.
      if (!x.filename.startsWith('/')) {
        const cwd = readCwd(x.pid);
        if (cwd !== undefined) e.path = path.posix.resolve(cwd, x.filename);
      }
      // argv does not: the kernel names the task after the exec'd file, so a different name means
      // /proc already shows a later exec than this one.
      if (readStat(x.pid)?.comm !== path.posix.basename(x.filename).slice(0, 15)) {
        this.enriched.set(key, e);
        return;
      }
    }
    const argv = readArgv(x.pid);
    if (argv.length > 0) e.argv0 = argv[0];
    this.enriched.set(key, e);
  }

  /** True once init's exec of the entrypoint has been seen. */
  started(): boolean {
    return this.tree.started;
  }

  /** Live container tasks (threads included) and the program each runs. */
  live(): ReadonlyMap<number, string> {
    return this.tree.live;
  }

  /** Host pids (tids) of every container task seen, sorted. */
  pids(): number[] {
    return [...this.tree.seen].sort((a, b) => a - b);
  }

  /** Exec paths so far (resolved where possible), in order. */
  execPaths(): string[] {
    return this.tree.execs.map((x) => this.pathOf(x));
  }

  private pathOf(x: TreeExec): string {
    return this.enriched.get(`${x.pid}@${x.ts}`)?.path ?? x.filename;
  }

  /** The exec records; a process counts as exited if it ended before `windowEndUs`. */
  records(windowEndUs: number): ExecRecord[] {
    return this.tree.execs.map((x) => {
      const e = this.enriched.get(`${x.pid}@${x.ts}`);
      const rec: ExecRecord = { path: e?.path ?? x.filename, pid: x.pid, ppid: x.ppid, atMs: Math.round(x.ts - this.t0Us) / 1000 };
      if (x.comm !== undefined) rec.comm = x.comm;
      if (e?.argv0 !== undefined) rec.argv0 = e.argv0;
      if (x.endTs !== undefined && x.endTs <= windowEndUs) rec.exited = true;
      return rec;
    });
  }

  /** Warnings about execs whose path could not be completed. */
  warnings(): string[] {
    const out: string[] = [];
    for (const x of this.tree.execs) {
      const resolved = this.enriched.get(`${x.pid}@${x.ts}`)?.path;
      if (resolved !== undefined) continue;
      if (FD_PATH.test(x.filename)) out.push(`pid ${x.pid} exec'd ${x.filename} (a file descriptor) and exited before the file could be named`);
      else if (!x.filename.startsWith('/')) out.push(`pid ${x.pid} exec'd the relative path ${x.filename} and exited before its working directory could be read; kept as is`);
    }
    return out;
  }
}
