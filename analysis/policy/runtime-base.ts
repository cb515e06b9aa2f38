// Design rule 6: the container runtime (runc, crun) runs code after installing the seccomp filter
// and before exec'ing the entrypoint. Those syscalls belong in every container-wide policy; they are
// measured on the user's engine (a probe container under SCMP_ACT_LOG, its audit records read back)
// with the analysed image's run settings (user, groups, capabilities, no-new-privileges, read-only
// rootfs, tty: each changes runc's path, see profile/run-settings.ts), and cached per runtime
// version, kernel and settings.
import { cacheLayout } from '../cache/layout.js';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { openAuditSource, type AuditSource } from '../audit/source.js';
import type { SeccompRecord } from '../audit/records.js';
import { InputError } from '../errors.js';
import { importProbeImage, PROBE_COMM, PROBE_SYSCALL } from './probe-image.js';
import { containerSettings, securityOpts, type RunSettings } from '../profile/run-settings.js';
import type { ResolvedUser } from '../image/users.js';

/** What the base set is measured under: the image's user resolved to numbers, and the other run settings. */
export interface ProbeSettings extends Omit<RunSettings, 'user' | 'groupAdd'> {
  user: ResolvedUser;
}

/** The default: root, no tty, Docker's default capabilities, privileges can be gained. */
export const ROOT_SETTINGS: ProbeSettings = { user: { uid: 0, gid: 0, groups: [] } };

/** The settings in a canonical form: equal settings give equal keys (the cache's file name). */
function settingsKey(s: ProbeSettings): string {
  const canon = {
    uid: s.user.uid,
    gid: s.user.gid,
    groups: [...s.user.groups].sort((a, b) => a - b),
    tty: s.tty === true,
    readOnly: s.readOnly === true,
    noNewPrivileges: s.noNewPrivileges === true,
    capAdd: [...(s.capAdd ?? [])].map((c) => c.toUpperCase().replace(/^CAP_/, '')).sort(),
    capDrop: [...(s.capDrop ?? [])].map((c) => c.toUpperCase().replace(/^CAP_/, '')).sort(),
  };
  return JSON.stringify(canon);
}

/** The settings as a short phrase for reports ("uid 999 gid 999 groups 106, no-new-privileges"). */
export function describeSettings(s: ProbeSettings): string {
  const parts = [`uid ${s.user.uid} gid ${s.user.gid}${s.user.groups.length ? ` groups ${s.user.groups.join(',')}` : ''}`];
  if (s.tty) parts.push('tty');
  if (s.readOnly) parts.push('read-only rootfs');
  if (s.noNewPrivileges) parts.push('no-new-privileges');
  if (s.capAdd?.length) parts.push(`cap-add ${s.capAdd.join(',')}`);
  if (s.capDrop?.length) parts.push(`cap-drop ${s.capDrop.join(',')}`);
  return parts.join(', ');
}

/** The runtime base set of one engine. */
export interface RuntimeBase {
  runtime: string;
  version: string;
  kernel: string;
  syscalls: number[];
  /** describeSettings() of what it was measured under. */
  settings: string;
  measuredAt: string;
  runs: number;
  source: 'auditd' | 'kmsg';
}

/** The name and version of the engine's default OCI runtime, as the engine reports them. */
export async function runtimeIdentity(docker: Docker): Promise<{ runtime: string; version: string }> {
  const info = (await docker.info()) as { DefaultRuntime?: string; RuncCommit?: { ID?: string } };
  const ver = (await docker.version()) as { Components?: { Name: string; Version: string; Details?: { GitCommit?: string } }[] };
  const runtime = info.DefaultRuntime ?? 'runc';
  const comp = ver.Components?.find((c) => c.Name.toLowerCase() === runtime.toLowerCase());
  return { runtime, version: comp?.Version ?? info.RuncCommit?.ID ?? 'unknown' };
}

/** The base set for the engine's runtime under `settings`: from the cache, or measured now (`runs` probe containers). */
export async function runtimeBase(docker: Docker, cacheDir: string, opts: { runs?: number; refresh?: boolean; settings?: ProbeSettings } = {}): Promise<RuntimeBase & { cached: boolean }> {
  const id = await runtimeIdentity(docker);
  const kernel = release();
  const settings = opts.settings ?? ROOT_SETTINGS;
  const key = createHash('sha256').update(settingsKey(settings)).digest('hex').slice(0, 16);
  const file = join(cacheLayout(cacheDir).runtime, `${id.runtime}-${id.version}-${kernel}-${key}.json`.replace(/[^\w.+-]/g, '_'));
  if (!opts.refresh) {
    try {
      const cached = JSON.parse(readFileSync(file, 'utf8')) as RuntimeBase;
      if (Array.isArray(cached.syscalls) && cached.syscalls.length > 0) return { ...cached, cached: true };
    } catch {
      // not measured yet
    }
  }
  const base = await measureRuntimeBase(docker, opts.runs ?? 3, settings);
  const result: RuntimeBase = { ...id, kernel, ...base, settings: describeSettings(settings), measuredAt: new Date().toISOString() };
  mkdirSync(cacheLayout(cacheDir).runtime, { recursive: true });
  writeFileSync(file + '.tmp', JSON.stringify(result, null, 2) + '\n');
  renameSync(file + '.tmp', file);
  return { ...result, cached: false };
}

/** Runs the probe `runs` times under a log-everything profile; the union of what its init did before exec. */
export async function measureRuntimeBase(docker: Docker, runs: number, settings: ProbeSettings = ROOT_SETTINGS): Promise<{ syscalls: number[]; runs: number; source: 'auditd' | 'kmsg' }> {
  const image = await importProbeImage(docker);
  const all = new Set<number>();
  let kind: 'auditd' | 'kmsg' = 'kmsg';
  try {
    for (let i = 0; i < runs; i++) {
      const src = openAuditSource();
      kind = src.kind;
      try {
        for (const nr of await probeOnce(docker, image, src, settings)) all.add(nr);
      } finally {
        src.close();
      }
    }
  } finally {
    await docker.getImage(image).remove({ force: true }).catch(() => undefined);
  }
  return { syscalls: [...all].sort((a, b) => a - b), runs, source: kind };
}

/** Proves that seccomp audit records reach `src` on this machine: a probe run must show up in it. */
export async function auditCanary(docker: Docker, src: AuditSource): Promise<void> {
  const image = await importProbeImage(docker);
  try {
    await probeOnce(docker, image, src, ROOT_SETTINGS);
  } finally {
    await docker.getImage(image).remove({ force: true }).catch(() => undefined);
  }
}

/** The log-everything profile: an empty allow list over SCMP_ACT_LOG. */
export const LOG_ALL_PROFILE = { defaultAction: 'SCMP_ACT_LOG', architectures: ['SCMP_ARCH_X86_64'], syscalls: [] };

async function probeOnce(docker: Docker, image: string, src: AuditSource, settings: ProbeSettings): Promise<number[]> {
  // Numbers, not names: the probe image has no /etc/passwd, and the engine then takes them as given
  // (the supplementary groups the image's /etc/group adds were resolved into `groups`).
  const { top, host } = containerSettings({ ...settings, user: `${settings.user.uid}:${settings.user.gid}`, groupAdd: settings.user.groups.map(String) });
  const container = await docker.createContainer({
    ...top,
    Image: image,
    name: `confine-runtime-probe-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
    Labels: { confine: 'runtime-probe' },
    NetworkDisabled: true,
    HostConfig: { ...host, NetworkMode: 'none', SecurityOpt: securityOpts({ noNewPrivileges: settings.noNewPrivileges }, LOG_ALL_PROFILE) },
  });
  const records: SeccompRecord[] = [];
  try {
    await container.start();
    const pid = ((await container.inspect()) as { State: { Pid: number } }).State.Pid;
    const deadline = Date.now() + 10_000;
    // The probe's own pause() marks the end of the runtime's part.
    while (Date.now() < deadline) {
      records.push(...src.read());
      if (records.some((r) => r.pid === pid && r.comm === PROBE_COMM && r.syscall === PROBE_SYSCALL)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const mine = records.filter((r) => r.pid === pid).sort((a, b) => a.serial - b.serial);
    const execd = mine.findIndex((r) => r.comm === PROBE_COMM);
    if (execd < 0) {
      const why = src.warnings.length > 0 ? src.warnings.join('; ') : `no seccomp audit records for the probe (pid ${pid}) within 10 s via ${src.kind}`;
      throw new InputError('runtime base set', `cannot measure what the container runtime does before exec: ${why}`);
    }
    return mine.slice(0, execd).map((r) => r.syscall);
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}
