// Every file-system observation the loader model makes goes through this module. While a ProbeLog
// is active, each distinct observation (operation, host path) is made once and recorded with its
// outcome. The log is then the complete list of the loader's inputs by construction: replaying it
// later tells whether any file it looked at (or looked for and did not find) has changed. Within
// one log the file system is taken to be stable, so repeated observations are answered from memory.
import * as fs from 'node:fs';
import { createHash } from 'node:crypto';
import { readRegular, readRegularHead, UnreadableFile } from '../limits/regular-file.js';

/** What was observed: lstat/stat give a file kind, readlink a target, readdir a listing, read/head/elf contents. */
export type ProbeOp = 'lstat' | 'stat' | 'readlink' | 'readdir' | 'read' | 'head' | 'realpath' | 'elf';

/** One observation and its outcome (a short string; file contents are given as their sha256). */
export interface Probe {
  op: ProbeOp;
  path: string;
  outcome: string;
}

/** The observations of one analysis, in the order they were first made. */
export class ProbeLog {
  readonly probes: Probe[] = [];
  private readonly seen = new Map<string, string>();
  /** Values derived from recorded observations only (e.g. ld.so.conf's directories), kept for this log's lifetime. */
  readonly derived = new Map<string, unknown>();

  /** The recorded outcome of (op, path), if it was observed already. */
  known(op: ProbeOp, path: string): string | undefined {
    return this.seen.get(`${op}\0${path}`);
  }

  /** Records an observation (the first outcome of each (op, path) is kept). */
  record(op: ProbeOp, path: string, outcome: string): void {
    const k = `${op}\0${path}`;
    if (this.seen.has(k)) return;
    this.seen.set(k, outcome);
    this.probes.push({ op, path, outcome });
  }
}

let current: ProbeLog | undefined;

/** Runs `fn` (synchronous) with `log` recording every probe made through this module. */
export function recording<T>(log: ProbeLog, fn: () => T): T {
  const outer = current;
  current = log;
  try {
    return fn();
  } finally {
    current = outer;
  }
}

/** The active log, if any (for callers that observe files themselves, like the ELF reader's caller). */
export function activeLog(): ProbeLog | undefined {
  return current;
}

const MISSING = 'missing';

function kindOf(st: fs.Stats): string {
  return st.isSymbolicLink() ? 'link' : st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
}

function hashText(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

// The observations themselves: each returns its outcome string; the payload (link target, text,
// listing, bytes) is returned beside it for the caller.
const observe = {
  lstat: (p: string): string => {
    try {
      return kindOf(fs.lstatSync(p));
    } catch {
      return MISSING;
    }
  },
  stat: (p: string): string => {
    try {
      return kindOf(fs.statSync(p));
    } catch {
      return MISSING;
    }
  },
  realpath: (p: string): string => {
    try {
      return 'at:' + fs.realpathSync(p);
    } catch {
      return MISSING;
    }
  },
  readlink: (p: string): string => {
    try {
      return 'to:' + fs.readlinkSync(p);
    } catch {
      return MISSING;
    }
  },
  readdir: (p: string): string => {
    try {
      return JSON.stringify(fs.readdirSync(p).sort());
    } catch {
      return MISSING;
    }
  },
};

function memo(op: 'lstat' | 'stat' | 'realpath' | 'readlink' | 'readdir', p: string): string {
  const log = current;
  const known = log?.known(op, p);
  if (known !== undefined) return known;
  const outcome = observe[op](p);
  log?.record(op, p, outcome);
  return outcome;
}

/** lstat's file kind: 'link', 'dir', 'file', 'other' or 'missing'. */
export function lstatKind(p: string): string {
  return memo('lstat', p);
}

/** stat's file kind (symlinks followed): 'dir', 'file', 'other' or 'missing'. */
export function statKind(p: string): string {
  return memo('stat', p);
}

/** fs.realpathSync, or undefined when the path does not exist. */
export function realPath(p: string): string | undefined {
  const o = memo('realpath', p);
  return o === MISSING ? undefined : o.slice(3);
}

/** A symlink's target, or undefined when it cannot be read. */
export function readLink(p: string): string | undefined {
  const o = memo('readlink', p);
  return o === MISSING ? undefined : o.slice(3);
}

/** A directory's entry names, sorted; undefined when it cannot be listed. */
export function readDir(p: string): string[] | undefined {
  const o = memo('readdir', p);
  return o === MISSING ? undefined : (JSON.parse(o) as string[]);
}

// Texts read under the active log, so that a repeated read returns the same text the log recorded.
const texts = new WeakMap<ProbeLog, Map<string, string | undefined>>();

/** A text file's contents, or undefined when it cannot be read; recorded as its sha256. */
export function readText(p: string): string | undefined {
  const log = current;
  const cached = log ? texts.get(log)?.get(p) : undefined;
  if (cached !== undefined || log?.known('read', p) === MISSING) return cached;
  const text = textOf(p);
  if (log) {
    log.record('read', p, text === undefined ? MISSING : hashText(text));
    let m = texts.get(log);
    if (!m) texts.set(log, (m = new Map()));
    m.set(p, text);
  }
  return text;
}

/** The first `n` bytes of a file (fewer when it is shorter), or the error code when it cannot be read; recorded with `n`. */
export function readHead(p: string, n: number): Buffer | { error: string } {
  const log = current;
  const known = log?.known('head', p);
  if (known !== undefined && known.startsWith(`${n}:`)) {
    const o = known.slice(`${n}:`.length);
    return o.startsWith('error:') ? { error: o.slice(6) } : Buffer.from(o, 'hex');
  }
  const r = headOf(p, n);
  log?.record('head', p, headOutcome(n, r));
  return r;
}

function headOutcome(n: number, r: Buffer | { error: string }): string {
  return `${n}:${Buffer.isBuffer(r) ? r.toString('hex') : `error:${r.error}`}`;
}

function headOf(p: string, n: number): Buffer | { error: string } {
  try {
    return readRegularHead(p, n);
  } catch (e) {
    return { error: e instanceof UnreadableFile ? (e.code ?? e.reason) : String(e) };
  }
}

/**
 * A configuration file's text (ld.so.conf and its includes, nsswitch.conf, the musl path file), or
 * undefined when it is missing or not a regular file: a FIFO or a device planted there must not
 * block the analysis. Above the text-file limit it is an error naming the file.
 */
function textOf(p: string): string | undefined {
  try {
    return readRegular(p, p, 'textFileBytes').toString('utf8');
  } catch (e) {
    if (e instanceof UnreadableFile) return undefined;
    throw e;
  }
}

/**
 * Whether every observation in `probes` would come out the same now. `hashFile` gives a file's
 * sha256 (for 'elf' probes, whose outcome is the object's hash), or undefined when it is unreadable.
 */
export function probesHold(probes: readonly Probe[], hashFile: (p: string) => string | undefined): boolean {
  for (const pr of probes) {
    let now: string;
    switch (pr.op) {
      case 'lstat':
      case 'stat':
      case 'realpath':
      case 'readlink':
      case 'readdir':
        now = observe[pr.op](pr.path);
        break;
      case 'read': {
        const text = textOf(pr.path);
        now = text === undefined ? MISSING : hashText(text);
        break;
      }
      case 'head': {
        const n = Number(pr.outcome.slice(0, pr.outcome.indexOf(':')));
        now = headOutcome(n, headOf(pr.path, n));
        break;
      }
      case 'elf':
        now = hashFile(pr.path) ?? MISSING;
        break;
      default:
        return false;
    }
    if (now !== pr.outcome) return false;
  }
  return true;
}
