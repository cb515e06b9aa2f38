// `confine verify`: run an image under a policy whose default action is SCMP_ACT_LOG, drive a
// workload, and read back the kernel's audit records of the container's processes. Every record is a
// syscall the policy would have denied (design notes section 6).
import { spawn } from 'node:child_process';
import type Docker from 'dockerode';
import { openAuditSource } from '../audit/source.js';
import { AUDIT_ARCH_X86_64, SECCOMP_RET_LOG, type SeccompRecord } from '../audit/records.js';
import { recordContainer } from '../profile/index.js';
import { auditCanary } from '../policy/runtime-base.js';
import { ENOSYS } from '../policy/exports.js';
import { syscallName } from '../x86_64/syscall-table.js';
import { InputError } from '../errors.js';
import type { RunSettings } from '../profile/run-settings.js';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readManifest } from '../harden/manifest.js';
import { compileBpf } from '../policy/bpf-compile.js';
import { readDockerProfile } from '../policy/profile-import.js';
import { deniedBy, filtersOfProcess, programFilters, type FilterOf, type ProgramFilter } from './attribution.js';
import { hardenedPaths } from '../harden/layout.js';

/**
 * The task names the container runtime's own init carries until it execs the entrypoint (runc's
 * `runc:[2:INIT]`, crun's `crun`): its records belong to the runtime base set, not to a program,
 * although the audit record's exe ("/", or the runtime's binary) says nothing useful.
 */
export function runtimeTask(comm: string): string | undefined {
  if (/^runc:\[\d:[A-Z]+\]$/.test(comm)) return `runtime (runc, ${comm})`;
  if (comm === 'crun') return 'runtime (crun)';
  return undefined;
}

/** A Docker seccomp profile as read from JSON (only what verify looks at is typed). */
export interface SeccompProfileJson {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  syscalls?: { names?: string[]; name?: string; action: string; [k: string]: unknown }[];
  [k: string]: unknown;
}

export interface VerifyOptions {
  docker: Docker;
  image: string;
  profile: SeccompProfileJson;
  /** Where the profile came from, for messages. */
  profileFile: string;
  network?: 'none' | 'host';
  /** The container runs at least this long (default 5 s), and until the workload ends. */
  seconds?: number;
  cmd?: string[];
  /** How the container is run: as analysed (the same user, tty, capabilities ...). */
  settings?: RunSettings;
  /** A command run on the host once the container is up. */
  workload?: string[];
  /** Time allowed for the workload (default 600 s). */
  workloadTimeoutSeconds?: number;
  signal?: AbortSignal;
  onProgress?: (what: string) => void;
  /** Where a hardened image's logging filters are written for the run (removed after): in the cache. */
  workDir: string;
}

/** One syscall the policy would have denied, per program. */
export interface WouldBeDenial {
  nr: number;
  name: string;
  program: string;
  count: number;
  /** On a hardened image: the filters that would have denied it (attribution.ts). */
  filters?: string[];
}

export interface VerifyResult {
  denials: WouldBeDenial[];
  /** Seccomp records seen for the container's processes. */
  records: number;
  workload?: { command: string[]; code: number | null; signal: string | null; seconds: number; output: string };
  auditSource: string;
  containerPids: number;
  /** Records may have been lost (kernel log wrapped, audit backlog, rate limit): no denials proves nothing then. */
  inconclusive: boolean;
  warnings: string[];
}

/**
 * The profile with every denial turned into SCMP_ACT_LOG, so nothing is denied but all is recorded.
 * An ENOSYS answer stays: it is the policy's intended outcome (glibc falls back from clone3 to
 * clone), not a denial, and the workload must run the fallback it will run under the real profile.
 */
export function loggingProfile(p: SeccompProfileJson): SeccompProfileJson {
  const out: SeccompProfileJson = { ...p, defaultAction: 'SCMP_ACT_LOG' };
  delete out.defaultErrnoRet;
  const kept = (r: NonNullable<SeccompProfileJson['syscalls']>[number]): boolean => r.action === 'SCMP_ACT_ALLOW' || (r.action === 'SCMP_ACT_ERRNO' && r.errnoRet === ENOSYS);
  if (p.syscalls) out.syscalls = p.syscalls.map((r) => (kept(r) ? r : { ...r, action: 'SCMP_ACT_LOG', errnoRet: undefined }));
  return out;
}

/** Checks that a parsed JSON value looks like a Docker seccomp profile; throws InputError naming the file. */
export function checkProfile(v: unknown, file: string): SeccompProfileJson {
  if (!v || typeof v !== 'object') throw new InputError(file, 'not a seccomp profile: expected a JSON object');
  const p = v as SeccompProfileJson;
  if (typeof p.defaultAction !== 'string') throw new InputError(file, 'not a seccomp profile: defaultAction is missing');
  if (p.syscalls !== undefined && !Array.isArray(p.syscalls)) throw new InputError(file, 'not a seccomp profile: syscalls must be an array');
  return p;
}

/** Runs the image under the profile in log mode with the workload and reports would-be denials. */
export async function verify(opts: VerifyOptions): Promise<VerifyResult> {
  const progress = opts.onProgress ?? (() => undefined);
  const warnings: string[] = [];
  const src = openAuditSource();
  let scratch: string | undefined;
  try {
    // A hardened image: each program's filter is laid over by its logging twin, so that nothing is
    // denied and what its own filter would deny is logged too.
    const info = await opts.docker.getImage(opts.image).inspect();
    const manifest = readManifest(info.Config?.Labels, opts.image);
    const binds: string[] = [];
    let filters: ProgramFilter[] = [];
    if (manifest) {
      mkdirSync(opts.workDir, { recursive: true });
      scratch = mkdtempSync(join(opts.workDir, 'verify-filters-'));
      filters = programFilters(manifest);
      for (const [i, p] of manifest.programs.entries()) {
        const file = join(scratch, `${i}.bpf`);
        writeFileSync(file, await compileBpf(p.entries.map((e) => ({ ...e, reason: '' })), { log: true }));
        binds.push(`${file}:${p.filter}:ro`);
      }
    }
    const imported = manifest ? readDockerProfile(opts.profile, opts.profileFile) : undefined;
    const containerWide: FilterOf | undefined = imported && { filter: 'container-wide', allowed: imported.allowed, defaultAllow: imported.defaultAllow };
    const programOf = new Map(manifest?.programs.map((p) => [hardenedPaths(p.file).moved, p.file]) ?? []);
    // A log-everything probe first: proves audit records reach us here, so "no denials" means something.
    progress('checking that seccomp audit records can be read');
    await auditCanary(opts.docker, src);
    src.read();
    let workload: VerifyResult['workload'];
    // Read while the container runs: the kernel log is a ring buffer a busy container can wrap.
    const records: SeccompRecord[] = [];
    const poll = setInterval(() => records.push(...src.read()), 100);
    let phase;
    try {
      progress('starting the container');
      phase = await recordContainer({
        docker: opts.docker,
        image: opts.image,
        seconds: opts.seconds ?? 5,
        network: opts.network,
        cmd: opts.cmd,
        settings: opts.settings,
        signal: opts.signal,
        seccompProfile: loggingProfile(opts.profile),
        binds,
        whileRunning: opts.workload
          ? async () => {
              progress(`running the workload: ${opts.workload!.join(' ')}`);
              workload = await runWorkload(opts.workload!, (opts.workloadTimeoutSeconds ?? 600) * 1000, opts.signal);
            }
          : undefined,
      });
    } finally {
      clearInterval(poll);
    }
    warnings.push(...phase.warnings);
    if (phase.containerExit) warnings.push(`the container exited by itself after ${phase.containerExit.afterMs} ms with code ${phase.containerExit.code}`);
    // Records trail the syscalls that caused them (the kernel's audit thread, auditd): read until
    // the stream has been quiet for a while.
    for (let quiet = 0, waited = 0; quiet < 3 && waited < 50; waited++) {
      await new Promise((r) => setTimeout(r, 100));
      const more = src.read();
      records.push(...more);
      quiet = more.length === 0 ? quiet + 1 : 0;
    }
    const pids = new Set(phase.pids);
    const execOf = new Map<number, string>();
    for (const e of phase.execs) execOf.set(e.pid, e.path);
    // Only what our log-mode filter logged: another filter's records (pid reuse) are not ours.
    const mine = records.filter((r) => pids.has(r.pid) && r.code === SECCOMP_RET_LOG);
    warnings.push(...src.warnings);
    const byKey = new Map<string, WouldBeDenial>();
    for (const r of mine) {
      if (r.arch !== AUDIT_ARCH_X86_64) warnings.push(`a ${r.arch} syscall ${r.syscall} by ${r.comm} (foreign architecture)`);
      // The audit record names the executable as the process sees it; exec events fill in when it does not.
      const exe = r.exe && r.exe !== '/' ? r.exe : undefined;
      const program = runtimeTask(r.comm) ?? (exe ? (programOf.get(exe) ?? exe) : (execOf.get(r.pid) ?? r.comm));
      const by = containerWide ? deniedBy(r.syscall, [containerWide, ...filtersOfProcess(r.pid, exe ?? '', phase.execs, filters)]) : undefined;
      const key = `${r.syscall} ${program} ${by?.join(',') ?? ''}`;
      const d = byKey.get(key);
      if (d) d.count++;
      else byKey.set(key, { nr: r.syscall, name: syscallName(r.syscall) ?? `nr${r.syscall}`, program, count: 1, ...(by ? { filters: by } : {}) });
    }
    return {
      denials: [...byKey.values()].sort((a, b) => a.nr - b.nr || a.program.localeCompare(b.program)),
      records: mine.length,
      ...(workload ? { workload } : {}),
      auditSource: src.kind,
      containerPids: pids.size,
      inconclusive: src.lost,
      warnings,
    };
  } finally {
    src.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

/** Runs the workload on the host; its output is kept (the tail) for the report. */
function runWorkload(command: string[], timeoutMs: number, signal?: AbortSignal): Promise<NonNullable<VerifyResult['workload']>> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(command[0], command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], signal, timeout: timeoutMs });
    let output = '';
    const keep = (b: Buffer): void => {
      output = (output + b.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (e) => {
      output += `\n${e.message}`;
    });
    child.on('close', (code, sig) => resolve({ command, code, signal: sig, seconds: (performance.now() - started) / 1000, output }));
  });
}
