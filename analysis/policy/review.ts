// Reviews outlive reports. A reviewer's decision is about a syscall of an image's policy, not about
// one analysis run, so it is kept under the report's *subject* (the image's name without tag or
// digest, or the analysed directory, plus the programs when the policy covers only named ones) and
// survives re-analysis. What the reviewer saw is kept with it (the basis): when a later report of
// the same subject shows different evidence (the syscall newly found or gone, other programs making
// it, another justification), the review is marked as changed until the reviewer confirms it.
import type { Report } from '../graph/report.js';
import { pathText } from './path-text.js';

/** A review of one syscall or unresolved site (the shape of the API's ReviewEntry, minus its time stamp). */
export interface ReviewLike {
  /** Absent: a note only, which changes nothing in the policy. */
  decision?: 'allow' | 'deny';
  note: string;
}

/** The evidence a review was made against. */
export interface ReviewBasis {
  /** The report the reviewer looked at. */
  reportId: string;
  /** A syscall: in the analysis's policy (before any review). A site: still unresolved. */
  found: boolean;
  /** Programs that make the syscall (a site: its program). */
  programs: string[];
  /** The justification path as one line ('' when there is none). */
  path: string;
}

/**
 * The review key of an unresolved site (syscalls are keyed by name): `site:<program>:<object>:<address>`.
 * Its decision records the reviewer's verdict on the site; it changes no policy.
 */
export function siteReviewKey(program: string, object: string, address: string): string {
  return `site:${program}:${object}:${address}`;
}

/**
 * The review key of one allowed value of a syscall's restricted argument: `arg:<syscall>:<index>:<value>`.
 * A deny decision removes the value from the exported rule (the reviewer tightens it); a rule left
 * without values denies the syscall.
 */
export function argumentReviewKey(syscall: string, index: number, value: number): string {
  return `arg:${syscall}:${index}:${value}`;
}

/** The parts of an argumentReviewKey, or undefined for any other key. */
export function parseArgumentReviewKey(key: string): { syscall: string; index: number; value: number } | undefined {
  // Canonical only (no leading zeros, 32 bits at most): one value has one key, the UI's.
  const m = /^arg:([a-z0-9_]{1,64}):([0-5]):(0|[1-9]\d{0,9})$/.exec(key);
  if (!m || Number(m[3]) > 0xffffffff) return undefined;
  return { syscall: m[1], index: Number(m[2]), value: Number(m[3]) };
}

/** Values the review removes from each restricted argument of `syscall`, by argument index. */
export function removedValues(review: Record<string, ReviewLike>, syscall: string): Map<number, Set<number>> {
  const out = new Map<number, Set<number>>();
  for (const [key, r] of Object.entries(review)) {
    if (r.decision !== 'deny') continue;
    const a = parseArgumentReviewKey(key);
    if (!a || a.syscall !== syscall) continue;
    let set = out.get(a.index);
    if (!set) out.set(a.index, (set = new Set()));
    set.add(a.value);
  }
  return out;
}

/** An image reference without its tag and digest: `registry:5000/team/app:1.2@sha256:…` -> `registry:5000/team/app`. */
function imageName(ref: string): string {
  if (ref.startsWith('/') || /^sha256:[0-9a-f]+$/.test(ref)) return ref;
  const noDigest = ref.split('@')[0];
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

/**
 * What a report's review belongs to. An image analysis with phase 1 is the container-wide policy of
 * the image; otherwise the policy covers exactly the analysed programs, and they are part of the key.
 */
export function reviewSubject(report: Pick<Report, 'image' | 'rootfs' | 'programs' | 'phase1'>): string {
  const where = report.image ? `image ${imageName(report.image.ref)}` : report.rootfs === '/' ? 'host' : `rootfs ${report.rootfs}`;
  if (report.image && report.phase1) return where;
  const programs = [...new Set(report.programs.map((p) => p.path))].sort();
  return `${where} · ${programs.join(', ')}`;
}

/** What `report` shows for a review key (a syscall name or a site key). */
export function reviewBasis(report: Report, reportId: string, key: string): ReviewBasis {
  if (key.startsWith('site:')) {
    const u = report.unresolved.find((s) => siteReviewKey(s.program, s.object, s.address) === key);
    return { reportId, found: u !== undefined, programs: u ? [u.program] : [], path: u ? pathText(u.path) : '' };
  }
  const a = parseArgumentReviewKey(key);
  if (a) {
    // A value: found while the rule still holds it; its path is where it comes from.
    const s = report.syscalls.find((x) => x.name === a.syscall);
    const rule = s?.args?.find((r) => r.index === a.index);
    const from = rule?.from?.find((f) => f.value === a.value);
    return { reportId, found: rule?.values.includes(a.value) ?? false, programs: [...(s?.programs ?? [])].sort(), path: from ? pathText(from.path) : '' };
  }
  const s = report.syscalls.find((x) => x.name === key);
  return { reportId, found: s !== undefined, programs: [...(s?.programs ?? [])].sort(), path: s ? pathText(s.path) : '' };
}

/** How the evidence differs from what the reviewer saw, one phrase per change (empty: unchanged, or no basis kept). */
export function reviewChanges(basis: ReviewBasis | undefined, now: ReviewBasis, site = false): string[] {
  if (!basis) return [];
  const out: string[] = [];
  if (basis.found !== now.found) {
    if (site) out.push(now.found ? 'the site is unresolved again' : 'the site is no longer unresolved');
    else out.push(now.found ? 'now found by the analysis' : 'no longer found by the analysis');
  }
  if (!site && basis.found && now.found) {
    const was = new Set(basis.programs);
    const is = new Set(now.programs);
    const added = now.programs.filter((p) => !was.has(p));
    const gone = basis.programs.filter((p) => !is.has(p));
    if (added.length > 0) out.push(`now also made by ${added.join(', ')}`);
    if (gone.length > 0) out.push(`no longer made by ${gone.join(', ')}`);
  }
  if (basis.found && now.found && basis.path !== now.path) out.push(`its path changed (it was ${basis.path || 'none'})`);
  return out;
}

/** Syscalls the review denies, with their notes, in number order (what an export says about them). Value removals (argumentReviewKey) are not syscall denials. */
export function reviewDenials(report: Report, review: Record<string, ReviewLike>, syscallNumber: (name: string) => number | undefined): { name: string; nr: number; note: string }[] {
  const out: { name: string; nr: number; note: string }[] = [];
  for (const [name, r] of Object.entries(review)) {
    if (r.decision !== 'deny') continue;
    const nr = report.syscalls.find((s) => s.name === name)?.nr ?? syscallNumber(name);
    if (nr !== undefined) out.push({ name, nr, note: r.note.trim() });
  }
  return out.sort((a, b) => a.nr - b.nr);
}
