// What a user asks the engine to analyse, checked in one place for every front end: the CLI builds
// an AnalysisRequest from its flags and the service receives one as JSON from the UI, and both pass
// it through checkRequest (its shape) and checkNamedPrograms (that each named program is something
// that can run). Either way a bad request is one InputError naming the field or file, which the
// CLI prints as its one-line error (exit 2) and the UI shows word for word.
import { InputError } from './errors.js';
import { readRegularHead, UnreadableFile } from './limits/regular-file.js';
import { resolveInRootfs } from './link/rootfs.js';
import { checkRunSettings, type RunSettings } from './profile/run-settings.js';
import { parseShebang } from './profile/programs.js';

/** What to analyse. */
export type AnalysisTarget =
  | { kind: 'engine'; image: string }
  /** A docker-save or OCI tarball, an OCI layout directory or a root filesystem directory. */
  | { kind: 'path'; path: string }
  /** Programs of the machine the service runs on (`--rootfs /`). */
  | { kind: 'host'; programs: string[] }
  /** Programs of a root filesystem directory, analysed as files (no image, no runtime: `--rootfs DIR`). */
  | { kind: 'rootfs'; rootfs: string; programs: string[] };

export interface AnalysisRequest {
  target: AnalysisTarget;
  /** Phase-1 window (default 30). */
  seconds?: number;
  /** Analyse exactly these programs (paths inside the image) and skip phase 1. */
  programs?: string[];
  network?: 'none' | 'host';
  /** Overrides the image's CMD in phase 1. */
  cmd?: string[];
  /** How the container is run (user, tty, capabilities ...). */
  settings?: RunSettings;
}

/** The longest phase-1 window a request may ask for. */
export const MAX_SECONDS = 3600;

function absolute(p: unknown, what: string): string {
  if (typeof p !== 'string' || !p.startsWith('/')) throw new InputError(what, `give the absolute path inside the image (got ${JSON.stringify(p)})`);
  if (p.includes('\0')) throw new InputError(what, 'a path cannot hold a NUL byte');
  return p;
}

function programList(v: unknown, what: string): string[] {
  if (!Array.isArray(v)) throw new InputError(what, 'a list of absolute paths');
  return v.map((p) => absolute(p, `${what} ${String(p)}`));
}

function stringList(v: unknown, what: string): string[] {
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw new InputError(what, 'a list of words');
  return v as string[];
}

/** Checks a request's shape (plain JSON from a transport, or what the CLI built); InputError naming the field. */
export function checkRequest(raw: unknown): AnalysisRequest {
  const r = raw as Partial<AnalysisRequest> | null;
  if (!r || typeof r !== 'object' || !r.target || typeof r.target !== 'object') throw new InputError('target', 'an analysis needs a target');
  const t = r.target;
  let target: AnalysisTarget;
  if (t.kind === 'engine') {
    if (typeof t.image !== 'string' || t.image.trim() === '') throw new InputError('image', 'name the image to analyse');
    target = { kind: 'engine', image: t.image.trim() };
  } else if (t.kind === 'path') {
    target = { kind: 'path', path: absolute(t.path, 'the image path') };
  } else if (t.kind === 'host' || t.kind === 'rootfs') {
    const programs = programList(t.programs, '--program');
    if (programs.length === 0) throw new InputError('--program', t.kind === 'host' ? 'name at least one program of this machine to analyse' : 'at least one --program is required with --rootfs');
    target = t.kind === 'host' ? { kind: 'host', programs } : { kind: 'rootfs', rootfs: absolute(t.rootfs, '--rootfs'), programs };
  } else {
    throw new InputError('target', 'the target kind is engine, path, host or rootfs');
  }
  const out: AnalysisRequest = { target };
  if (r.seconds !== undefined) {
    if (typeof r.seconds !== 'number' || !(r.seconds > 0) || r.seconds > MAX_SECONDS) throw new InputError('--seconds', `the phase-1 window is more than 0 and at most ${MAX_SECONDS} seconds`);
    out.seconds = r.seconds;
  }
  if (r.programs !== undefined) {
    const programs = programList(r.programs, '--program');
    if (programs.length > 0) {
      if (target.kind === 'host' || target.kind === 'rootfs') throw new InputError('--program', 'name the programs once, in the target');
      out.programs = programs;
    }
  }
  if (r.network !== undefined) {
    if (r.network !== 'none' && r.network !== 'host') throw new InputError('--network', 'none or host');
    out.network = r.network;
  }
  if (r.cmd !== undefined) {
    const cmd = stringList(r.cmd, '--cmd');
    if (cmd.length > 0) out.cmd = cmd;
  }
  if (r.settings !== undefined) {
    if (!r.settings || typeof r.settings !== 'object') throw new InputError('settings', 'an object of run settings');
    const s = r.settings;
    out.settings = checkRunSettings({
      ...(s.user !== undefined ? { user: String(s.user) } : {}),
      ...(s.groupAdd !== undefined ? { groupAdd: stringList(s.groupAdd, '--group-add') } : {}),
      ...(s.tty !== undefined ? { tty: s.tty === true } : {}),
      ...(s.readOnly !== undefined ? { readOnly: s.readOnly === true } : {}),
      ...(s.noNewPrivileges !== undefined ? { noNewPrivileges: s.noNewPrivileges === true } : {}),
      ...(s.capAdd !== undefined ? { capAdd: stringList(s.capAdd, '--cap-add') } : {}),
      ...(s.capDrop !== undefined ? { capDrop: stringList(s.capDrop, '--cap-drop') } : {}),
    });
  }
  if (target.kind !== 'engine' && target.kind !== 'path' && (out.seconds !== undefined || out.cmd || out.settings)) {
    throw new InputError(out.seconds !== undefined ? '--seconds' : out.cmd ? '--cmd' : 'settings', 'only an image is run (phase 1); programs of a directory are analysed as files');
  }
  return out;
}

/**
 * What a path in a rootfs is as a program, from its first bytes (read once, without blocking): an
 * ELF file, a script with the interpreter its #! line names, missing, unreadable, or something else
 * (a directory, a FIFO, a config file, an empty file), each but the first two with the reason.
 */
export type ProgramKind =
  | { kind: 'elf' }
  | { kind: 'script'; interpreter?: string }
  | { kind: 'missing' | 'unreadable' | 'other'; why: string };

export function programKind(rootfs: string, p: string): ProgramKind {
  let head: Buffer;
  try {
    head = readRegularHead(resolveInRootfs(rootfs, p).hostPath, 256, p);
  } catch (e) {
    if (e instanceof UnreadableFile) return { kind: e.code === 'ENOTREG' ? 'other' : 'unreadable', why: e.reason.replace(/^cannot read file: /, 'not a program: ') };
    if (e instanceof InputError && /no such file/.test(e.problem)) return { kind: 'missing', why: rootfs === '/' ? 'no such file on this machine' : `no such file in ${rootfs}` };
    throw e;
  }
  if (head.length === 0) return { kind: 'other', why: 'not a program: an empty file' };
  if (head.length >= 4 && head.subarray(0, 4).toString('latin1') === '\x7fELF') return { kind: 'elf' };
  if (head.subarray(0, 2).toString('latin1') === '#!') return { kind: 'script', interpreter: parseShebang(head)?.interpreter };
  return { kind: 'other', why: 'not a program: neither an ELF file nor a #! script' };
}

/**
 * Checks that each program the user named exists in the rootfs and can be exec'd: a regular file
 * starting with an ELF header or `#!`. A directory, a config file or a missing path is refused
 * here, with the reason, rather than analysed as "nothing" and reported as a 0-syscall success.
 */
export function checkNamedPrograms(rootfs: string, programs: readonly string[]): Map<string, Extract<ProgramKind, { kind: 'elf' | 'script' }>> {
  const kinds = new Map<string, Extract<ProgramKind, { kind: 'elf' | 'script' }>>();
  for (const p of programs) {
    const k = programKind(rootfs, p);
    if (k.kind !== 'elf' && k.kind !== 'script') throw new InputError(p, k.why);
    kinds.set(p, k);
  }
  return kinds;
}
