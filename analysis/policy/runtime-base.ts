// Design rule 6: the container runtime (runc, crun) runs code after installing the seccomp filter
// and before exec'ing the entrypoint. Those syscalls belong in every container-wide policy; they are
// measured on the user's engine (a probe container under SCMP_ACT_LOG, its audit records read back),
// and cached per runtime version.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { openAuditSource, type AuditSource } from '../audit/source.js';
import type { SeccompRecord } from '../audit/records.js';
import { InputError } from '../errors.js';
import { ensureProbeImage, PROBE_COMM, PROBE_SYSCALL } from './probe-image.js';

/** The runtime base set of one engine. */
export interface RuntimeBase {
  runtime: string;
  version: string;
  kernel: string;
  syscalls: number[];
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

/** The base set for the engine's runtime: from the cache, or measured now (`runs` probe containers). */
export async function runtimeBase(docker: Docker, cacheDir: string, opts: { runs?: number; refresh?: boolean } = {}): Promise<RuntimeBase & { cached: boolean }> {
  const id = await runtimeIdentity(docker);
  const kernel = release();
  const file = join(cacheDir, 'runtime', `${id.runtime}-${id.version}-${kernel}.json`.replace(/[^\w.+-]/g, '_'));
  if (!opts.refresh) {
    try {
      const cached = JSON.parse(readFileSync(file, 'utf8')) as RuntimeBase;
      if (Array.isArray(cached.syscalls) && cached.syscalls.length > 0) return { ...cached, cached: true };
    } catch {
      // not measured yet
    }
  }
  const base = await measureRuntimeBase(docker, opts.runs ?? 3);
  const result: RuntimeBase = { ...id, kernel, ...base, measuredAt: new Date().toISOString() };
  mkdirSync(join(cacheDir, 'runtime'), { recursive: true });
  writeFileSync(file + '.tmp', JSON.stringify(result, null, 2) + '\n');
  renameSync(file + '.tmp', file);
  return { ...result, cached: false };
}

/** Runs the probe `runs` times under a log-everything profile; the union of what its init did before exec. */
export async function measureRuntimeBase(docker: Docker, runs: number): Promise<{ syscalls: number[]; runs: number; source: 'auditd' | 'kmsg' }> {
  const image = await ensureProbeImage(docker);
  const all = new Set<number>();
  let kind: 'auditd' | 'kmsg' = 'kmsg';
  try {
    for (let i = 0; i < runs; i++) {
      const src = openAuditSource();
      kind = src.kind;
      try {
        for (const nr of await probeOnce(docker, image, src)) all.add(nr);
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
  const image = await ensureProbeImage(docker);
  try {
    await probeOnce(docker, image, src);
  } finally {
    await docker.getImage(image).remove({ force: true }).catch(() => undefined);
  }
}

/** The log-everything profile: an empty allow list over SCMP_ACT_LOG. */
export const LOG_ALL_PROFILE = { defaultAction: 'SCMP_ACT_LOG', architectures: ['SCMP_ARCH_X86_64'], syscalls: [] };

async function probeOnce(docker: Docker, image: string, src: AuditSource): Promise<number[]> {
  const container = await docker.createContainer({
    Image: image,
    name: `confine-runtime-probe-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
    Labels: { confine: 'runtime-probe' },
    NetworkDisabled: true,
    HostConfig: { NetworkMode: 'none', SecurityOpt: [`seccomp=${JSON.stringify(LOG_ALL_PROFILE)}`] },
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
