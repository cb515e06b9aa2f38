// Runs a real program under strace and reports which syscalls the program itself made:
// the dynamic ground truth that the static analysis must cover.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { syscallName, syscallNumber } from '../../analysis/x86_64/syscall-table.js';

/** What to run under strace, and how to drive and stop it. */
export interface StraceOptions {
  /** The program whose syscalls are collected (absolute path; symlinks and #! scripts are resolved). */
  program: string;
  /** Arguments passed to the program when `command` is not given. */
  args?: string[];
  /** The argv to start instead of `[program, ...args]`, e.g. a script that later execs the program. */
  command?: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Hard limit for the whole run; everything still alive is then killed and `timedOut` is set. */
  timeoutMs?: number;
  /** Written to the program's standard input, which is then closed. */
  input?: string;
  /** For servers: runs the client workload while the traced process lives; then `stopSignal` is sent. */
  during?: (ctx: DuringContext) => Promise<void>;
  /** Sent to the first traced process once `during` has finished, if it is still running (default SIGTERM). */
  stopSignal?: NodeJS.Signals;
  /** Keep the raw strace log (its path is returned in `logFile`) instead of deleting it. */
  keepLog?: boolean;
}

/** Handed to `during`. */
export interface DuringContext {
  /** Pid of the first traced process (the one strace started). */
  pid: number;
  /** Resolves when the traced process tree has finished (strace has exited). */
  exited: Promise<void>;
}

/** What a traced run observed. */
export interface StraceResult {
  /** Names of the syscalls made by processes while they were running the program. */
  syscalls: Set<string>;
  /** Exit status of the first traced process, if it exited normally. */
  exitCode: number | null;
  /** Signal that killed the first traced process, if any. */
  signal: string | null;
  stdout: string;
  /** The program's standard error, interleaved with strace's own messages. */
  stderr: string;
  timedOut: boolean;
  /** Every pid that ran the program at some point. */
  targetPids: number[];
  /** Pids whose creating clone/fork was never seen returning; they are counted as the program's. */
  orphanPids: number[];
  /** Log lines the parser did not understand (should be empty). */
  unparsed: string[];
  /** Calls strace could not identify ("???(", a thread torn down as it entered the kernel). */
  undecodable: string[];
  logFile?: string;
}

// ---------------------------------------------------------------------------
// Parsing strace -f output

/** One syscall as seen in the log: started, and possibly completed later. */
export interface TracedCall {
  name: string;
  /** For execve/execveat: the path argument, when it could be decoded. */
  execPath?: string | null;
  /** The return value text ("0", "-1", "7287", "?"), once the call completed. */
  result?: string;
}

/** The syscalls of one process or thread between its creation and its exit. */
export interface Incarnation {
  pid: number;
  calls: TracedCall[];
  ended: boolean;
  /** Set when a thread's execve took over this pid: the process it continues. */
  continues?: { from: Incarnation; at: number };
}

/** A parsed strace -f log. */
export interface ParsedTrace {
  /** In order of first appearance; the first is the process strace started. */
  incarnations: Incarnation[];
  /** clone/fork/vfork/clone3 calls that returned a child pid, in log order. */
  spawns: { parent: Incarnation; index: number; child: number }[];
  exitCode: number | null;
  signal: string | null;
  unparsed: string[];
  /** "???(" lines: a call strace could not identify. */
  undecodable: string[];
}

const CLONE_CALLS = new Set(['clone', 'clone3', 'fork', 'vfork']);
const EXEC_CALLS = new Set(['execve', 'execveat']);

/** Decodes a strace-quoted string starting at `text[start]` (the opening quote); null if truncated. */
function readQuoted(text: string, start: number): string | null {
  if (text[start] !== '"') return null;
  let out = '';
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '"') return text.startsWith('...', i + 1) ? null : out;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = text[++i];
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', v: '\v', f: '\f', '"': '"', '\\': '\\' };
    if (n in simple) out += simple[n];
    else if (n === 'x') {
      out += String.fromCharCode(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (/[0-7]/.test(n)) {
      const m = /^[0-7]{1,3}/.exec(text.slice(i))![0];
      out += String.fromCharCode(parseInt(m, 8));
      i += m.length - 1;
    } else out += n;
  }
  return null;
}

/** The program path an execve/execveat line names; null when it cannot be known from the log. */
function execPathOf(name: string, argsText: string): string | null {
  if (name === 'execve') return readQuoted(argsText, 0);
  // execveat(dirfd, "path", ...): only an absolute path or one relative to the cwd is decodable.
  const comma = argsText.indexOf(', ');
  if (comma < 0) return null;
  const path = readQuoted(argsText, comma + 2);
  if (path === null || path === '') return null;
  return isAbsolute(path) || argsText.startsWith('AT_FDCWD') ? path : null;
}

/** The result token of a completed call: what follows the last ") = " (strace pads before the "="). */
function resultOf(rest: string): string | undefined {
  let last: RegExpExecArray | null = null;
  const re = /\)\s+= (\S+)/g;
  for (let m = re.exec(rest); m; m = re.exec(rest)) last = m;
  return last?.[1];
}

/** strace prints numbers it has no name for as syscall_0x1c5; the pinned table may know them. */
function canonicalName(raw: string): string {
  const m = /^syscall_(0x[0-9a-f]+|\d+)$/.exec(raw);
  if (!m) return raw;
  return syscallName(Number(m[1])) ?? raw;
}

/** Parses the text of an `strace -f -o FILE` log. */
export function parseStraceLog(text: string): ParsedTrace {
  const incarnations: Incarnation[] = [];
  const live = new Map<number, Incarnation>();
  const pending = new Map<Incarnation, TracedCall>();
  const spawns: ParsedTrace['spawns'] = [];
  const unparsed: string[] = [];
  const undecodable: string[] = [];
  let rootPid: number | undefined;
  let exitCode: number | null = null;
  let signal: string | null = null;
  let rootDone = false;

  const current = (pid: number): Incarnation => {
    let inc = live.get(pid);
    if (!inc) {
      inc = { pid, calls: [], ended: false };
      incarnations.push(inc);
      live.set(pid, inc);
    }
    return inc;
  };
  const complete = (inc: Incarnation, call: TracedCall, result: string | undefined): void => {
    call.result = result;
    if (CLONE_CALLS.has(call.name) && result !== undefined && /^\d+$/.test(result)) {
      spawns.push({ parent: inc, index: inc.calls.indexOf(call), child: Number(result) });
    }
  };

  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const m = /^(\d+) +(.*)$/.exec(line);
    if (!m) {
      unparsed.push(line);
      continue;
    }
    const pid = Number(m[1]);
    const body = m[2];
    rootPid ??= pid;

    if (body.startsWith('+++ ')) {
      const inc = current(pid);
      const superseded = /^\+\+\+ superseded by execve in pid (\d+) \+\+\+$/.exec(body);
      if (superseded) {
        // A non-leader thread exec'd: it now carries this pid, and its pending execve resumes under it.
        const thread = live.get(Number(superseded[1]));
        inc.ended = true;
        live.delete(pid);
        const next = current(pid);
        if (thread) {
          const call = pending.get(thread);
          next.continues = { from: thread, at: call ? thread.calls.indexOf(call) : thread.calls.length };
          thread.ended = true;
          live.delete(thread.pid);
          if (call) {
            pending.delete(thread);
            // The execve belongs to the thread's history; the new incarnation starts after it.
            pending.set(next, call);
          }
        }
        continue;
      }
      const exited = /^\+\+\+ exited with (\d+) \+\+\+$/.exec(body);
      const killed = /^\+\+\+ killed by (SIG\w+)/.exec(body);
      if (!exited && !killed) unparsed.push(line);
      if (pid === rootPid && !rootDone) {
        rootDone = true;
        exitCode = exited ? Number(exited[1]) : null;
        signal = killed ? killed[1] : null;
      }
      inc.ended = true;
      live.delete(pid);
      pending.delete(inc);
      continue;
    }
    if (body.startsWith('--- ')) continue; // signal delivery or stop: not a syscall
    const inc = current(pid);

    const resumed = /^<\.\.\. (\S+) resumed>(.*)$/.exec(body);
    if (resumed && resumed[1] === '???') {
      // The resumption of a call strace could not identify (see "???(" below; seen with cgo).
      pending.delete(inc);
      undecodable.push(line);
      continue;
    }
    if (resumed) {
      const name = canonicalName(resumed[1]);
      let call = pending.get(inc);
      if (!call || call.name !== name) {
        // A resume whose start was never printed (e.g. strace attached mid-call): still a call.
        call = { name };
        inc.calls.push(call);
      }
      pending.delete(inc);
      const result = resultOf(resumed[2]);
      if (result === undefined && !resumed[2].includes('<unfinished ...>')) unparsed.push(line);
      complete(inc, call, result ?? '?');
      continue;
    }

    // "???(": strace could not read which syscall a thread made (it was being torn down as it
    // entered the kernel, as the threads of an exiting Go program are). Nothing to check it against.
    if (body.startsWith('???(')) {
      undecodable.push(line);
      continue;
    }
    // Anything else names no syscall a policy could list: keep it for diagnostics.
    const start = /^([A-Za-z_]\w*)\((.*)$/.exec(body);
    if (!start) {
      unparsed.push(line);
      continue;
    }
    const name = canonicalName(start[1]);
    const call: TracedCall = { name };
    if (EXEC_CALLS.has(name)) call.execPath = execPathOf(name, start[2]);
    const continuation = pending.get(inc);
    if (continuation) {
      // The thread-exec case parks the execve here; it is not one of this incarnation's own calls.
      pending.delete(inc);
      complete(inc, continuation, '0');
    }
    inc.calls.push(call);
    if (/<unfinished \.\.\.>\s*$/.test(start[2])) {
      pending.set(inc, call);
    } else {
      const result = resultOf(body);
      if (result === undefined) unparsed.push(line);
      complete(inc, call, result ?? '?');
    }
  }
  return { incarnations, spawns, exitCode, signal, unparsed, undecodable };
}

// ---------------------------------------------------------------------------
// Attributing calls to the program

function fileHead(path: string): string | null {
  try {
    const fd = openSync(path, 'r');
    try {
      const buf = Buffer.alloc(256);
      return buf.subarray(0, readSync(fd, buf, 0, 256, 0)).toString('latin1');
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
}

/** Follows symlinks and #! interpreters to the file the kernel ends up running. */
export function resolveExecutable(path: string, cwd: string = process.cwd()): string | null {
  let current = isAbsolute(path) ? path : resolve(cwd, path);
  for (let depth = 0; depth < 5; depth++) {
    let real: string;
    try {
      real = realpathSync(current);
    } catch {
      return null;
    }
    const head = fileHead(real);
    if (head === null) return real;
    if (!head.startsWith('#!')) return real;
    const interpreter = head.slice(2).split('\n')[0].trim().split(/\s+/)[0];
    if (!interpreter) return real;
    current = interpreter;
  }
  return null;
}

/** The syscalls made while running `program`, from a parsed log (see StraceOptions for the rules). */
export function attributeCalls(
  trace: ParsedTrace,
  program: string,
  cwd: string = process.cwd(),
): { syscalls: Set<string>; targetPids: number[]; orphanPids: number[] } {
  const target = resolveExecutable(program, cwd);
  if (target === null) throw new Error(`cannot resolve ${program}`);
  const cache = new Map<string, boolean>();
  const isTarget = (path: string | null | undefined, before: boolean): boolean => {
    if (path === null || path === undefined) return false;
    // Re-executing oneself through /proc keeps running the same program.
    if (path === '/proc/self/exe') return before;
    let hit = cache.get(path);
    if (hit === undefined) {
      hit = resolveExecutable(path, cwd) === target;
      cache.set(path, hit);
    }
    return hit;
  };

  // Each child's first state is its parent's state at the clone; the k-th spawn of pid X is
  // X's k-th incarnation that did not begin as the log's first process or a thread-exec continuation.
  const queue = new Map<number, Incarnation[]>();
  for (const inc of trace.incarnations.slice(1)) {
    if (inc.continues) continue;
    const list = queue.get(inc.pid) ?? [];
    list.push(inc);
    queue.set(inc.pid, list);
  }
  const origin = new Map<Incarnation, { parent: Incarnation; index: number }>();
  for (const s of trace.spawns) {
    const child = queue.get(s.child)?.shift();
    if (child) origin.set(child, { parent: s.parent, index: s.index });
  }

  const initial = new Map<Incarnation, boolean>();
  const stateAt = (inc: Incarnation, index: number): boolean => {
    let state = initialState(inc);
    for (let i = 0; i < index && i < inc.calls.length; i++) state = after(inc.calls[i], state);
    return state;
  };
  const orphans: number[] = [];
  const initialState = (inc: Incarnation): boolean => {
    const known = initial.get(inc);
    if (known !== undefined) return known;
    let state: boolean;
    if (inc === trace.incarnations[0]) state = false; // the launcher, until it execs the program
    else if (inc.continues) {
      // Resume after the thread's execve: its outcome decides what this pid runs now.
      const before = stateAt(inc.continues.from, inc.continues.at);
      const call = inc.continues.from.calls[inc.continues.at];
      state = call ? after(call, before) : before;
    } else {
      const o = origin.get(inc);
      if (o) state = stateAt(o.parent, o.index);
      else {
        // Unknown parent: count it rather than risk hiding a call from the comparison.
        orphans.push(inc.pid);
        state = true;
      }
    }
    initial.set(inc, state);
    return state;
  };
  const after = (call: TracedCall, before: boolean): boolean => {
    if (!EXEC_CALLS.has(call.name) || call.result !== '0') return before;
    return isTarget(call.execPath, before);
  };

  const syscalls = new Set<string>();
  const targetPids = new Set<number>();
  for (const inc of trace.incarnations) {
    let state = initialState(inc);
    for (const call of inc.calls) {
      if (state) {
        syscalls.add(call.name);
        targetPids.add(inc.pid);
      }
      state = after(call, state);
      if (state) targetPids.add(inc.pid);
    }
  }
  return { syscalls, targetPids: [...targetPids].sort((a, b) => a - b), orphanPids: orphans };
}

// ---------------------------------------------------------------------------
// Running

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function exeOf(pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return null;
  }
}

/** Every live process traced by `tracer`. */
function traceesOf(tracer: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      if (new RegExp(`^TracerPid:\\s+${tracer}$`, 'm').test(status)) out.push(Number(entry));
    } catch {
      // Gone between the listing and the read.
    }
  }
  return out;
}

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs `program` under `strace -f` and returns the syscalls it made (see StraceOptions). */
export async function straceProgram(opts: StraceOptions): Promise<StraceResult> {
  const dir = mkdtempSync(join(tmpdir(), 'confine-strace-'));
  const logFile = join(dir, 'strace.log');
  const command = opts.command ?? [opts.program, ...(opts.args ?? [])];
  const cwd = opts.cwd ?? process.cwd();
  const timeoutMs = opts.timeoutMs ?? 60_000;
  // -s: long enough that execve paths are never truncated.
  const child = spawn('strace', ['-f', '-s', '4096', '-o', logFile, '--', ...command], {
    cwd,
    env: opts.env ?? process.env,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  const tracer = child.pid;
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    if (stdout.length < 1 << 20) stdout += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    if (stderr.length < 1 << 20) stderr += d;
  });
  child.stdin.on('error', () => {}); // the program may exit without reading its input
  child.stdin.end(opts.input ?? '');

  let spawnError: Error | undefined;
  const exited = new Promise<void>((resolveExit) => {
    child.on('exit', () => resolveExit());
    child.on('error', (e) => {
      spawnError = e;
      resolveExit();
    });
  });
  let finished = false;
  void exited.then(() => {
    finished = true;
  });

  let timedOut = false;
  const killAll = (): void => {
    if (tracer === undefined) return;
    for (const pid of traceesOf(tracer)) kill(pid, 'SIGKILL');
    kill(-tracer, 'SIGKILL');
    kill(tracer, 'SIGKILL');
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killAll();
  }, timeoutMs);

  try {
    if (opts.during && tracer !== undefined) {
      // Until strace's child has exec'd it still runs strace's code, whose signal handlers would
      // swallow the stop signal; so wait for the exec before handing the pid over.
      const straceExe = exeOf(tracer);
      let root: number | undefined;
      while (!finished && root === undefined) {
        const first = childrenOf(tracer)[0];
        const exe = first === undefined ? null : exeOf(first);
        if (exe !== null && exe !== straceExe) root = first;
        else await sleep(10);
      }
      if (root !== undefined) {
        await opts.during({ pid: root, exited });
        if (!finished) kill(root, opts.stopSignal ?? 'SIGTERM');
      }
    }
    await exited;
  } finally {
    clearTimeout(timer);
    if (!finished) {
      killAll();
      await exited;
    }
  }
  // Output still buffered in the pipes; a leftover process holding them open must not stall us.
  if (!child.stdout.closed) await Promise.race([new Promise((r) => child.stdout.once('close', r)), sleep(500)]);
  if (spawnError) throw new Error(`cannot run strace (is it installed?): ${spawnError.message}`);

  try {
    const trace = parseStraceLog(readFileSync(logFile, 'utf8'));
    const attributed = attributeCalls(trace, opts.program, cwd);
    return {
      ...attributed,
      exitCode: trace.exitCode,
      signal: trace.signal,
      stdout,
      stderr,
      timedOut,
      unparsed: trace.unparsed,
      undecodable: trace.undecodable,
      logFile: opts.keepLog ? logFile : undefined,
    };
  } finally {
    if (!opts.keepLog) rmSync(dir, { recursive: true, force: true });
  }
}

/** Maps syscall names to numbers with the pinned table; names it lacks are listed in `unknown`. */
export function syscallNumbers(names: Iterable<string>): { numbers: Map<string, number>; unknown: string[] } {
  const numbers = new Map<string, number>();
  const unknown: string[] = [];
  for (const name of names) {
    const nr = syscallNumber(name);
    if (nr === undefined) unknown.push(name);
    else numbers.set(name, nr);
  }
  return { numbers, unknown: unknown.sort() };
}
