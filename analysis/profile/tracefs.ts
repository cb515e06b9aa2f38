// A private tracefs instance with the three scheduler process events, so that recording never
// touches the global trace buffer or anyone else's instance, and a non-blocking reader for it.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { promisify } from 'node:util';
import { LineSplitter, parseTraceLine, type TraceEvent } from './trace-events.js';
import { processAlive } from './proc.js';

const EVENTS = ['sched_process_fork', 'sched_process_exec', 'sched_process_exit'];
const INSTANCE_PREFIX = 'confine-';
const DEFAULT_MOUNT = '/sys/kernel/tracing';

function hasInstances(dir: string): boolean {
  try {
    return fs.statSync(path.join(dir, 'instances')).isDirectory();
  } catch {
    return false;
  }
}

function tracefsMounts(): string[] {
  try {
    return fs
      .readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' '))
      .filter((f) => f[2] === 'tracefs')
      .map((f) => f[1].replace(/\\040/g, ' '));
  } catch {
    return [];
  }
}

/** The tracefs root to use: the usual places, any other tracefs mount, else mount one at /sys/kernel/tracing. */
export async function findTracefs(): Promise<string> {
  const candidates = [DEFAULT_MOUNT, '/sys/kernel/debug/tracing', ...tracefsMounts()];
  for (const dir of candidates) if (hasInstances(dir)) return dir;
  // Node has no mount(2); the mount(8) binary does it (as root). The mount is left in place, where
  // every tracing tool expects it.
  try {
    await promisify(execFile)('mount', ['-t', 'tracefs', 'nodev', DEFAULT_MOUNT], { timeout: 10_000 });
  } catch (e) {
    const err = e as { stderr?: string; message?: string };
    throw new Error(`cannot mount tracefs at ${DEFAULT_MOUNT}: ${(err.stderr || err.message || String(e)).trim()}`, { cause: e });
  }
  if (!hasInstances(DEFAULT_MOUNT)) throw new Error(`tracefs mounted at ${DEFAULT_MOUNT} has no instances directory`);
  return DEFAULT_MOUNT;
}

/** Removes instances left by recorders that died without cleaning up (named confine-<pid>-*, pid gone). */
export function removeStaleInstances(root: string): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(path.join(root, 'instances'));
  } catch {
    return removed;
  }
  for (const name of names) {
    const m = /^confine-(\d+)-[0-9a-f]+$/.exec(name);
    if (!m || processAlive(Number(m[1]))) continue;
    try {
      fs.rmdirSync(path.join(root, 'instances', name));
      removed.push(name);
    } catch {
      // Busy (someone holds its trace_pipe) or already gone: not ours to force.
    }
  }
  return removed;
}

/**
 * Per-CPU ring buffer size: 4 MB per CPU (tens of thousands of events, read every 150 ms) on small
 * machines, but at most 64 MB in all, so that a many-core host does not pin too much kernel memory.
 */
function defaultBufferKb(): number {
  return Math.max(512, Math.min(4096, Math.floor((64 * 1024) / Math.max(1, os.cpus().length))));
}

function write(file: string, value: string): void {
  fs.writeFileSync(file, value);
}

/** A private trace instance recording process fork/exec/exit; read it with `drain`, always `close` it. */
export class TraceInstance {
  readonly dir: string;
  private fd: number | undefined;
  private readonly decoder = new StringDecoder('utf8');
  private readonly splitter = new LineSplitter();
  private readonly buf = Buffer.alloc(64 * 1024);
  /** Events the kernel reported lost in the stream ("[LOST n EVENTS]" lines). */
  lostInStream = 0;
  /** Whether cgroup attach events are recorded (they show processes exec'd into the container). */
  attachEvents = true;

  private constructor(dir: string) {
    this.dir = dir;
  }

  /** Creates the instance with the events enabled and tracing on; timestamps use CLOCK_MONOTONIC like process.hrtime. */
  static create(root: string, bufferKb = defaultBufferKb()): TraceInstance {
    const name = `${INSTANCE_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}`;
    const dir = path.join(root, 'instances', name);
    fs.mkdirSync(dir);
    const inst = new TraceInstance(dir);
    try {
      write(path.join(dir, 'tracing_on'), '0');
      write(path.join(dir, 'buffer_size_kb'), String(bufferKb));
      write(path.join(dir, 'trace_clock'), 'mono');
      // The thread group of the task that forked gives the parent process, not a thread of it.
      if (fs.existsSync(path.join(dir, 'options/record-tgid'))) write(path.join(dir, 'options/record-tgid'), '1');
      for (const e of EVENTS) write(path.join(dir, 'events/sched', e, 'enable'), '1');
      // Processes that `docker exec` or a HEALTHCHECK starts are not the init's descendants: they
      // are the container's because the runtime moves them into its cgroup.
      const attach = path.join(dir, 'events/cgroup/cgroup_attach_task/enable');
      if (fs.existsSync(attach)) write(attach, '1');
      else inst.attachEvents = false;
      // Opened before tracing starts so no event can be missed between the two.
      inst.fd = fs.openSync(path.join(dir, 'trace_pipe'), fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      write(path.join(dir, 'tracing_on'), '1');
    } catch (e) {
      inst.close();
      throw e;
    }
    return inst;
  }

  /**
   * Reads everything buffered so far (non-blocking: a blocking read of trace_pipe would hold a
   * libuv thread until the next event) and returns the parsed events, at most `maxBytes` per call.
   */
  drain(maxBytes = 16 << 20): TraceEvent[] {
    const out: TraceEvent[] = [];
    if (this.fd === undefined) return out;
    let total = 0;
    while (total < maxBytes) {
      let n: number;
      try {
        n = fs.readSync(this.fd, this.buf, 0, this.buf.length, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN' || code === 'EWOULDBLOCK' || code === 'EINTR') break;
        throw e;
      }
      if (n === 0) break;
      total += n;
      for (const line of this.splitter.push(this.decoder.write(this.buf.subarray(0, n)))) {
        const ev = parseTraceLine(line);
        if (!ev) continue;
        if (ev.kind === 'lost') this.lostInStream += ev.count;
        else out.push(ev);
      }
    }
    return out;
  }

  /** Events the ring buffer overwrote or dropped, summed over CPUs (per_cpu/cpu*\/stats). */
  lostInBuffer(): number {
    let lost = 0;
    let cpus: string[];
    try {
      cpus = fs.readdirSync(path.join(this.dir, 'per_cpu'));
    } catch {
      return 0;
    }
    for (const cpu of cpus) {
      let stats: string;
      try {
        stats = fs.readFileSync(path.join(this.dir, 'per_cpu', cpu, 'stats'), 'utf8');
      } catch {
        continue;
      }
      for (const m of stats.matchAll(/^(overrun|dropped events): (\d+)$/gm)) lost += Number(m[2]);
    }
    return lost;
  }

  /** Stops tracing and removes the instance; safe to call twice, never throws. Returns a problem, if any. */
  close(): string | undefined {
    if (this.fd !== undefined) {
      try {
        fs.closeSync(this.fd);
      } catch {
        // Already closed.
      }
      this.fd = undefined;
    }
    if (!fs.existsSync(this.dir)) return undefined;
    const quiet = (f: () => void): void => {
      try {
        f();
      } catch {
        // Best effort: rmdir below is what matters.
      }
    };
    for (const e of EVENTS) quiet(() => write(path.join(this.dir, 'events/sched', e, 'enable'), '0'));
    quiet(() => write(path.join(this.dir, 'events/cgroup/cgroup_attach_task/enable'), '0'));
    quiet(() => write(path.join(this.dir, 'tracing_on'), '0'));
    try {
      fs.rmdirSync(this.dir);
      return undefined;
    } catch (e) {
      return `could not remove the trace instance ${this.dir}: ${(e as Error).message}`;
    }
  }
}
