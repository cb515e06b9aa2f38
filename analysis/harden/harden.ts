// `confine harden`: the paper's second policy, enforced. From an analysed image (its report, made
// with phase 1), each chosen program gets a filter of its own, installed by the launcher when the
// program starts (native/launcher.c); the container-wide policy still applies underneath, widened
// by what the launcher itself does before it execs the program.
import { lstatSync, readFileSync } from 'node:fs';
import { resolveInRootfs } from '../link/rootfs.js';
import type Docker from 'dockerode';
import { InputError } from '../errors.js';
import type { Report } from '../graph/report.js';
import { compileBpf } from '../policy/bpf-compile.js';
import { allowedEntries, policyEntries, type PolicyEntry, type ReviewLike } from '../policy/exports.js';
import type { LaunchedPolicy } from '../policy/launched-policy.js';
import { nativeTool } from '../policy/native-tools.js';
import { policyUnion } from '../policy/policy-union.js';
import { buildHardenedImage } from './build-image.js';
import { hardenedPaths } from './layout.js';
import { imageConfigFrom } from '../image/types.js';
import { HARDENED_LABEL, manifestLabel, readManifest, type HardenedManifest } from './manifest.js';
import { selectTargets } from './select-programs.js';
import { launcherPolicy, programFilter } from './program-filter.js';

export interface HardenOptions {
  docker: Docker;
  /** The analysed image's report (phase 1 run: analyzeImage) and its extracted rootfs. */
  report: Report;
  /** Programs to harden; empty: the defaults (select-programs.ts). */
  programs: readonly string[];
  /** The new image's reference, REPO[:TAG]. */
  tag: string;
  cacheDir: string;
  review?: Record<string, ReviewLike>;
  signal?: AbortSignal;
}

export interface HardenedProgram {
  program: string;
  file: string;
  policy: LaunchedPolicy;
  /** Allowed syscalls of its filter (ENOSYS answers not counted). */
  allowed: number;
  bpfBytes: number;
}

export interface HardenResult {
  imageId: string;
  tag: string;
  programs: HardenedProgram[];
  /** Defaults left out, with the reason. */
  skipped: string[];
  /** What the filters rest on that the analysis could not prove (unresolved sites, programs not fully analysed). */
  warnings: string[];
  /** The container-wide policy for the hardened image: the analysis's, with the launcher's syscalls. */
  containerWide: PolicyEntry[];
  /** Allowed syscalls of the analysis's container-wide policy, before the launcher's were added. */
  containerWideBefore: number;
  launcherSyscalls: string[];
}

function nlinkOf(rootfs: string, file: string): number {
  try {
    return lstatSync(resolveInRootfs(rootfs, file).hostPath).nlink;
  } catch {
    return 1;
  }
}

/** An existing image of that name: the commit would take its tag (the source image's own, even), so harden writes only new names. */
export async function refuseExistingTag(docker: Docker, ref: string): Promise<void> {
  const exists = await docker
    .getImage(ref)
    .inspect()
    .then(() => true)
    .catch(() => false);
  if (exists) throw new InputError(ref, 'an image of that name exists: harden writes a new image (choose another --tag, or remove that one)');
}

/** A Docker reference REPO[:TAG] as `docker tag` accepts it, split. */
export function parseTag(ref: string): { repo: string; tag: string } {
  const m = /^((?:[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::([\w][\w.-]{0,127}))?$/.exec(ref);
  if (!m) throw new InputError(ref, 'not an image reference for --tag (lower-case REPO[:TAG])');
  return { repo: m[1], tag: m[2] ?? 'latest' };
}

export async function harden(opts: HardenOptions): Promise<HardenResult> {
  const { report, docker } = opts;
  if (!report.image || report.image.source !== 'engine') throw new InputError(report.rootfs, 'harden builds on an image of the Docker engine');
  if (!report.phase1 && opts.programs.length === 0) throw new InputError(report.image.ref, 'the analysis ran no phase 1: name the programs (--program)');
  const { repo, tag } = parseTag(opts.tag);
  await refuseExistingTag(docker, `${repo}:${tag}`);
  const info = await docker.getImage(report.image.id).inspect();
  if (readManifest(info.Config?.Labels, report.image.ref)) throw new InputError(report.image.ref, 'is already a hardened image: harden the image it was made from');
  const config = imageConfigFrom(info.Config);
  const volumes = Object.keys(info.Config?.Volumes ?? {});
  const { targets, skipped } = selectTargets(report, report.rootfs, config, volumes, opts.programs);

  const fromLauncher = await launcherPolicy(opts.cacheDir, opts.signal);
  const programs: HardenedProgram[] = [];
  const built: { file: string; bpf: Buffer }[] = [];
  const warnings: string[] = [];
  for (const t of targets) {
    const { policy, names } = programFilter(report, t.program, t.file, opts.review, fromLauncher);
    // Another hard link to the file keeps naming the program itself, which then runs unfiltered.
    if (nlinkOf(report.rootfs, t.file) > 1) warnings.push(`${t.file}: has other hard links: started by one of those names, the program runs without its own filter`);
    for (const p of names) {
      // Said as the container-wide policy says it: a gap there is a gap in this filter too.
      if (p.unresolved > 0) warnings.push(`${p.path}: ${p.unresolved} unresolved site(s): its own filter, like the container-wide policy, may deny what is made there`);
      if (p.notFullyAnalysed) warnings.push(`${p.path}: not fully analysed (${p.notFullyAnalysed[0]}): its own filter may miss syscalls`);
    }
    const bpf = await compileBpf(policy.entries);
    built.push({ file: t.file, bpf });
    programs.push({ program: t.program, file: t.file, policy, allowed: allowedEntries(policy.entries).length, bpfBytes: bpf.length });
  }
  const before = policyEntries(report, opts.review);
  const containerWide = policyUnion(before, fromLauncher);
  const had = new Set(allowedEntries(before).map((e) => e.name));
  const manifest: HardenedManifest = {
    version: 1,
    from: { ref: report.image.ref, id: report.image.id },
    programs: programs.map((p) => ({ program: p.program, file: p.file, filter: hardenedPaths(p.file).filter, entries: p.policy.entries.map(({ reason: _, ...e }) => e) })),
  };
  const { imageId, originals } = await buildHardenedImage({
    docker,
    from: report.image.id,
    launcher: readFileSync(nativeTool('confine-launch')),
    programs: built,
    repo,
    tag,
    labels: { [HARDENED_LABEL]: manifestLabel(manifest) },
    signal: opts.signal,
  });
  for (const o of originals) {
    // no_new_privs (which an unprivileged filter needs) keeps exec from granting privileges.
    if (o.header.mode !== undefined && (o.header.mode & 0o6000) !== 0) warnings.push(`${o.file}: setuid/setgid: under its filter (no_new_privs) exec grants no privileges, so it runs as its caller`);
    if (o.header.pax && Object.keys(o.header.pax).some((k) => k === 'SCHILY.xattr.security.capability')) warnings.push(`${o.file}: has file capabilities: under its filter (no_new_privs) exec does not grant them`);
  }
  return {
    imageId,
    tag: `${repo}:${tag}`,
    programs,
    skipped,
    warnings,
    containerWide,
    containerWideBefore: had.size,
    launcherSyscalls: allowedEntries(fromLauncher).map((e) => e.name).filter((n) => !had.has(n)),
  };
}
