// `confine harden`: the paper's second policy, enforced. From an analysed image (its report, made
// with phase 1), each chosen program gets a filter of its own, installed by the launcher when the
// program starts (native/launcher.c); the container-wide policy still applies underneath, widened
// by what the launcher itself does before it execs the program.
import { readFileSync } from 'node:fs';
import type Docker from 'dockerode';
import { analyze } from '../analyze.js';
import { cacheLayout } from '../cache/layout.js';
import { InputError } from '../errors.js';
import type { Report } from '../graph/report.js';
import { compileBpf } from '../policy/bpf-compile.js';
import { allowedEntries, justification, policyEntries, type PolicyEntry, type ReviewLike } from '../policy/exports.js';
import { launchedPolicy, type LaunchedPolicy } from '../policy/launched-policy.js';
import { nativeTool } from '../policy/native-tools.js';
import { policyUnion } from '../policy/policy-union.js';
import { buildHardenedImage } from './build-image.js';
import { hardenedPaths } from './layout.js';
import { imageConfigFrom } from '../image/types.js';
import { HARDENED_LABEL, manifestLabel, readManifest, type HardenedManifest } from './manifest.js';
import { selectTargets } from './select-programs.js';
import { resolveInRootfs } from '../link/rootfs.js';

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

function fileOf(rootfs: string, p: string): string | undefined {
  try {
    return resolveInRootfs(rootfs, p).rootfsPath;
  } catch {
    return undefined;
  }
}

/** A Docker reference REPO[:TAG] as `docker tag` accepts it, split. */
export function parseTag(ref: string): { repo: string; tag: string } {
  const m = /^((?:[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::([\w][\w.-]{0,127}))?$/.exec(ref);
  if (!m) throw new InputError(ref, 'not an image reference for --tag (lower-case REPO[:TAG])');
  return { repo: m[1], tag: m[2] ?? 'latest' };
}

/** The launcher's own syscalls, by analysing it like any program (it is static: no rootfs needed). */
async function launcherPolicy(cacheDir: string, signal?: AbortSignal): Promise<PolicyEntry[]> {
  const launcher = nativeTool('confine-launch');
  const r = await analyze({ rootfs: '/', programs: [launcher], cacheDir: cacheLayout(cacheDir).facts, signal });
  if (r.unresolved.length > 0 || r.programs.some((p) => p.error || p.notFullyAnalysed)) throw new Error(`the launcher ${launcher} is not fully analysed: its syscalls cannot be added to the container-wide policy`);
  return policyEntries(r).map((e) => ({ ...e, reason: `made by confine-launch before it execs a hardened program: ${justification(r.syscalls.find((s) => s.name === e.name)!)}` }));
}

export async function harden(opts: HardenOptions): Promise<HardenResult> {
  const { report, docker } = opts;
  if (!report.image || report.image.source !== 'engine') throw new InputError(report.rootfs, 'harden builds on an image of the Docker engine');
  if (!report.phase1 && opts.programs.length === 0) throw new InputError(report.image.ref, 'the analysis ran no phase 1: name the programs (--program)');
  const { repo, tag } = parseTag(opts.tag);
  const info = await docker.getImage(report.image.id).inspect();
  if (readManifest(info.Config?.Labels, report.image.ref)) throw new InputError(report.image.ref, 'is already a hardened image: harden the image it was made from');
  const config = imageConfigFrom(info.Config);
  const volumes = Object.keys(info.Config?.Volumes ?? {});
  const { targets, skipped } = selectTargets(report, report.rootfs, config, volumes, opts.programs);

  const programs: HardenedProgram[] = [];
  const built: { file: string; bpf: Buffer }[] = [];
  const warnings: string[] = [];
  for (const t of targets) {
    // Every name of the same file runs the same code (a symlink, a hard link): its filter covers
    // what phase 1 saw each of them map, too.
    const names = report.programs.filter((p) => !p.error && p.objects.length > 0 && fileOf(report.rootfs, p.path) === t.file);
    const policies = names.map((p) => launchedPolicy(report, p.path, opts.review));
    const policy = policies.find((p) => p.program === t.program)!;
    if (policies.length > 1) policy.entries = policyUnion(...policies.map((p) => p.entries));
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
  const fromLauncher = await launcherPolicy(opts.cacheDir, opts.signal);
  const containerWide = policyUnion(before, fromLauncher);
  const had = new Set(allowedEntries(before).map((e) => e.name));
  const manifest: HardenedManifest = {
    version: 1,
    from: { ref: report.image.ref, id: report.image.id },
    programs: programs.map((p) => ({ program: p.program, file: p.file, filter: hardenedPaths(p.file).filter, entries: p.policy.entries.map(({ reason: _, ...e }) => e) })),
  };
  const imageId = await buildHardenedImage({
    docker,
    from: report.image.id,
    rootfs: report.rootfs,
    launcher: readFileSync(nativeTool('confine-launch')),
    programs: built,
    repo,
    tag,
    labels: { [HARDENED_LABEL]: manifestLabel(manifest) },
    signal: opts.signal,
  });
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
