// Policy exports: a report's syscalls with the user's review applied, as a Docker JSON profile, an
// OCI runtime-spec `linux.seccomp` object, or a Kubernetes SeccompProfile for the
// security-profiles-operator. Where the format has comments, each allowed syscall carries why.
import type { Report, SyscallEntry } from '../graph/report.js';
import { syscallNumber } from '../x86_64/syscall-table.js';
import type { DockerProfile } from './docker.js';
import { programSyscalls } from './per-program.js';
import { pathText } from './path-text.js';
import { removedValues, reviewDenials, type ReviewLike } from './review.js';
import type { ArgumentRule } from '../args/restricted-arguments.js';
import { argumentText, enforcedArgument, seccompArgs, type SeccompArg } from './argument-rules.js';
import type { AllowedSyscalls } from './seccomp-condition.js';

export type { ReviewLike };

/** One allowed syscall of the exported policy. */
export interface PolicyEntry {
  name: string;
  nr: number;
  /** Why it is allowed: the justification path, the runtime, or the review. */
  reason: string;
  /** Alternatives of argument conditions (argument-rules.ts); empty or absent: any arguments. */
  args?: SeccompArg[][];
  /** Not allowed but answered with this errno (ENOSYS for a syscall its caller falls back from, SyscallEntry.enosys). */
  errno?: number;
}

/** ENOSYS on x86-64. */
export const ENOSYS = 38;

/** The entries a policy lets run (an answered errno is not a run). */
export function allowedEntries(entries: readonly PolicyEntry[]): PolicyEntry[] {
  return entries.filter((e) => e.errno === undefined);
}

/** The same as a map of seccomp conditions (null: any arguments), what profiles read from a file give too (profile-import.ts). */
export function allowedByEntries(entries: readonly PolicyEntry[]): AllowedSyscalls {
  return new Map(allowedEntries(entries).map((e) => [e.name, e.args && e.args.length > 0 ? e.args : null] as const));
}

export type PolicyFormat = 'docker' | 'oci' | 'kubernetes';

/** What an export produces (the shape of the API's ExportResult). */
export interface RenderedPolicy {
  format: PolicyFormat;
  filename: string;
  mime: string;
  text: string;
}

/** The apiVersion of the security-profiles-operator SeccompProfile (served by every release; v1 only by the newest). */
export const SPO_API_VERSION = 'security-profiles-operator.x-k8s.io/v1beta1';

const ARCHITECTURES = ['SCMP_ARCH_X86_64'];

/** Why the analysis allows a syscall, in one line. */
export function justification(s: SyscallEntry, runtime?: string): string {
  const byRuntime = `made by the container runtime${runtime ? ` (${runtime})` : ''} between installing the filter and exec'ing the entrypoint`;
  if (s.path.length === 0) return s.runtime ? byRuntime : 'found by the analysis (no path recorded)';
  return s.runtime ? `${pathText(s.path)}; also ${byRuntime}` : pathText(s.path);
}

/**
 * Why a report's policy is not a container policy, or undefined when it is one. Without the runtime
 * base set (a host or --rootfs analysis, or an engine that could not be probed) `docker run` under
 * it fails before the entrypoint starts: runc's own syscalls after it installs the filter are denied.
 */
export function scopeNotice(report: Report): string | undefined {
  if (report.runtime) return undefined;
  const what = report.image ? `the image ${report.image.ref}` : `the program(s) ${report.programs.map((p) => p.path).join(', ')} of ${report.rootfs}`;
  return `Not a container policy: this is what ${what} can call, without the container runtime's own syscalls (the runtime base set, not measured for this analysis), so a container started under it fails before its entrypoint runs. For a container, analyse its image with the Docker engine running (confine analyze IMAGE).`;
}

/** The allowed syscalls of a report with a review applied: denials dropped, review allowances added. Sorted by number. */
export function policyEntries(report: Report, review: Record<string, ReviewLike> = {}, program?: string): PolicyEntry[] {
  const out = new Map<string, PolicyEntry>();
  const runtime = report.runtime ? `${report.runtime.runtime} ${report.runtime.version}` : undefined;
  for (const s of program === undefined ? report.syscalls : programSyscalls(report, program)) {
    const r = review[s.name];
    if (r?.decision === 'deny') continue;
    let reason = justification(s, runtime);
    // A note travels with the rule whether or not a decision was made with it.
    if (r && r.note.trim() !== '') reason += ` (review${r.decision ? '' : ' note'}: ${r.note.trim()})`;
    // Its callers fall back when it fails with ENOSYS: answered so, unless the runtime needs it or the review allows it.
    if (s.enosys && !s.runtime && r?.decision !== 'allow') {
      out.set(s.name, { name: s.name, nr: s.nr, reason: `answered with ENOSYS: ${s.enosys}; found at ${reason}`, errno: ENOSYS });
      continue;
    }
    // The runtime's own calls are not analysed: a syscall it makes keeps any argument.
    // Every value of the enforced argument removed by the review: no call of it is wanted (valueDenials says so).
    if (emptiedByReview(s, review)) continue;
    const t = tightened(s.args, removedValues(review, s.name));
    const kept = t === 'none' ? s.args : t.rules;
    const args = s.runtime || r?.decision === 'allow' ? [] : seccompArgs(kept);
    const rule = args.length > 0 ? argumentText(kept!, args) : undefined;
    if (t !== 'none' && t.dropped.length > 0 && args.length > 0) reason += ` (review removed ${t.dropped.map((v) => `0x${v.toString(16)}`).join(', ')})`;
    out.set(s.name, { name: s.name, nr: s.nr, reason: rule ? `${reason}; arguments: ${rule}` : reason, ...(args.length > 0 ? { args } : {}) });
  }
  for (const [name, r] of Object.entries(review)) {
    if (r.decision !== 'allow' || out.has(name)) continue;
    const nr = syscallNumber(name);
    if (nr === undefined) continue;
    const note = r.note.trim();
    out.set(name, { name, nr, reason: note === '' ? 'added by review' : `added by review: ${note}` });
  }
  return [...out.values()].sort((a, b) => a.nr - b.nr);
}

/**
 * A syscall's rules without the values the review removed from the argument the export enforces,
 * and which values went; 'none' when none is left. Only a value rule is tightened: a flags rule
 * allows bits, and taking one value away would leave its bits to the others. (The UI offers
 * removal only there; a key anywhere else changes nothing.)
 */
function tightened(rules: readonly ArgumentRule[] | undefined, removed: Map<number, Set<number>>): { rules: ArgumentRule[] | undefined; dropped: number[] } | 'none' {
  const at = enforcedArgument(rules);
  const target = rules?.find((r) => r.index === at);
  const gone = at === undefined ? undefined : removed.get(at);
  if (!rules || !target || target.kind !== 'value' || !gone) return { rules: rules as ArgumentRule[] | undefined, dropped: [] };
  const values = target.values.filter((v) => !gone.has(v));
  if (values.length === 0) return 'none';
  const narrowed: ArgumentRule = { ...target, values, ...(target.from ? { from: target.from.filter((f) => !gone.has(f.value)) } : {}) };
  return { rules: rules.map((r) => (r === target ? narrowed : r)), dropped: target.values.filter((v) => gone.has(v)) };
}

/** Whether the review removed every value of the argument the export enforces, and so the syscall: not when the runtime makes it or a decision was made on it. */
function emptiedByReview(s: SyscallEntry, review: Record<string, ReviewLike>): boolean {
  return !s.runtime && !review[s.name]?.decision && tightened(s.args, removedValues(review, s.name)) === 'none';
}

/** Syscalls left out because the review removed every allowed value of the argument the export enforces. */
export function valueDenials(report: Pick<Report, 'syscalls'>, review: Record<string, ReviewLike>): Denial[] {
  const out: Denial[] = [];
  for (const s of report.syscalls) {
    if (!emptiedByReview(s, review)) continue;
    const emptied = s.args?.find((r) => r.index === enforcedArgument(s.args));
    out.push({ name: s.name, nr: s.nr, note: `the review removed every allowed value of its ${emptied?.name ?? ''} argument`.replace('  ', ' ') });
  }
  return out;
}

/** A syscall the review denies, and why: said in the file so the next reader knows it was a decision. */
export interface Denial {
  name: string;
  nr: number;
  note: string;
}

function denialLine(d: Denial): string {
  return oneLine(`${d.name} (${d.nr}): denied by review${d.note ? `: ${d.note}` : ''}`);
}

function oneLine(s: string): string {
  return s.replace(/[\r\n\t]+/g, ' ').trim();
}

/**
 * Docker JSON: deny by default (EPERM), one allow rule per syscall with its justification as the
 * rule's comment (an ERRNO rule for one answered with an errno). The engine ignores keys it does not know: the scope notice and the review's
 * denials travel with the file as top-level keys, where a reader sees them, and change nothing.
 */
export function dockerExport(entries: PolicyEntry[], notice?: string, denials: Denial[] = []): DockerProfile {
  return {
    ...(notice ? { comment: notice } : {}),
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: 1,
    architectures: [...ARCHITECTURES],
    syscalls: entries.flatMap((e): DockerProfile['syscalls'] => {
      const comment = oneLine(`${e.name}: ${e.reason}`);
      if (e.errno !== undefined) return [{ names: [e.name], action: 'SCMP_ACT_ERRNO', errnoRet: e.errno, comment }];
      if (e.args && e.args.length > 0) return e.args.map((args) => ({ names: [e.name], action: 'SCMP_ACT_ALLOW', args, comment }));
      return [{ names: [e.name], action: 'SCMP_ACT_ALLOW', comment }];
    }),
    ...(denials.length > 0 ? { deniedByReview: denials.map(denialLine) } : {}),
  };
}

/** The OCI runtime-spec `linux.seccomp` object (no comment field exists there). */
export interface OciSeccomp {
  defaultAction: 'SCMP_ACT_ERRNO';
  defaultErrnoRet: number;
  architectures: string[];
  syscalls: { names: string[]; action: 'SCMP_ACT_ALLOW' | 'SCMP_ACT_ERRNO'; args?: SeccompArg[]; errnoRet?: number }[];
}

export function ociExport(entries: PolicyEntry[]): OciSeccomp {
  const allowed = allowedEntries(entries);
  const names = allowed.filter((e) => !e.args?.length).map((e) => e.name).sort();
  const withArgs = allowed.filter((e) => e.args?.length).flatMap((e) => e.args!.map((args) => ({ names: [e.name], action: 'SCMP_ACT_ALLOW' as const, args })));
  const errnos = entries.filter((e) => e.errno !== undefined).map((e) => ({ names: [e.name], action: 'SCMP_ACT_ERRNO' as const, errnoRet: e.errno! }));
  return {
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: 1,
    architectures: [...ARCHITECTURES],
    syscalls: [...(names.length > 0 ? [{ names, action: 'SCMP_ACT_ALLOW' as const }] : []), ...withArgs, ...errnos],
  };
}

/** A Kubernetes object name (RFC 1123 label, 63 characters at most) from free text. */
export function kubernetesName(text: string): string {
  const slug = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `confine-${slug || 'profile'}`.slice(0, 63).replace(/-+$/, '');
}

/**
 * The SeccompProfile custom resource of the security-profiles-operator, as YAML. The CRD has no
 * defaultErrnoRet, archMap or includes/excludes: the default action returns EPERM.
 */
export function kubernetesExport(entries: PolicyEntry[], name: string, header: string[] = []): string {
  const lines: string[] = [];
  for (const h of header) lines.push(`# ${oneLine(h)}`);
  lines.push(`apiVersion: ${SPO_API_VERSION}`);
  lines.push('kind: SeccompProfile');
  lines.push('metadata:');
  lines.push(`  name: ${kubernetesName(name)}`);
  lines.push('spec:');
  lines.push('  defaultAction: SCMP_ACT_ERRNO');
  lines.push('  architectures:');
  for (const a of ARCHITECTURES) lines.push(`    - ${a}`);
  if (entries.length === 0) {
    lines.push('  syscalls: []');
  } else {
    lines.push('  syscalls:');
    const plain = allowedEntries(entries).filter((e) => !e.args?.length);
    if (plain.length > 0) {
      lines.push('    - action: SCMP_ACT_ALLOW');
      lines.push('      names:');
      for (const e of plain) {
        lines.push(`        # ${oneLine(`${e.name}: ${e.reason}`)}`);
        lines.push(`        - ${e.name}`);
      }
    }
    for (const e of entries.filter((x) => x.errno !== undefined)) {
      lines.push(`    # ${oneLine(`${e.name}: ${e.reason}`)}`);
      lines.push('    - action: SCMP_ACT_ERRNO');
      lines.push(`      errnoRet: ${e.errno}`);
      lines.push('      names:');
      lines.push(`        - ${e.name}`);
    }
    for (const e of allowedEntries(entries).filter((x) => x.args?.length)) {
      lines.push(`    # ${oneLine(`${e.name}: ${e.reason}`)}`);
      for (const alt of e.args!) {
        lines.push('    - action: SCMP_ACT_ALLOW');
        lines.push('      names:');
        lines.push(`        - ${e.name}`);
        lines.push('      args:');
        for (const a of alt) {
          lines.push(`        - index: ${a.index}`);
          lines.push(`          value: ${a.value}`);
          lines.push(`          valueTwo: ${a.valueTwo}`);
          lines.push(`          op: ${a.op}`);
        }
      }
    }
  }
  return lines.join('\n') + '\n';
}

/** A file name stem for an export of `title` (shared by every format, the raw BPF too). */
export function fileStem(title: string): string {
  return kubernetesName(title).replace(/^confine-/, '') || 'profile';
}

export interface RenderOptions {
  /** Comment lines at the top, where the format has comments. */
  header?: string[];
  /** scopeNotice(): why this is not a container policy. */
  notice?: string;
  denials?: Denial[];
}

/** Renders entries in a format, with a suggested file name. `title` names the analysed image or programs. */
export function renderPolicy(format: PolicyFormat, entries: PolicyEntry[], title: string, opts: RenderOptions = {}): RenderedPolicy {
  const stem = fileStem(title);
  const denials = opts.denials ?? [];
  switch (format) {
    case 'docker':
      return { format, filename: `${stem}.seccomp.json`, mime: 'application/json', text: JSON.stringify(dockerExport(entries, opts.notice, denials), null, 2) + '\n' };
    case 'oci':
      // The runtime spec has no comment field: the file is the policy alone.
      return { format, filename: `${stem}.oci-seccomp.json`, mime: 'application/json', text: JSON.stringify(ociExport(entries), null, 2) + '\n' };
    case 'kubernetes':
      return {
        format,
        filename: `${stem}.seccompprofile.yaml`,
        mime: 'application/yaml',
        text: kubernetesExport(entries, title, [...(opts.header ?? []), ...(opts.notice ? [opts.notice] : []), ...denials.map(denialLine)]),
      };
    default:
      throw new Error(`unknown export format ${String(format)}`);
  }
}

/** A report's policy as a file: the one exporter behind the CLI's --profile and --profiles-dir and the UI's export. */
export function exportReport(report: Report, opts: { format: PolicyFormat; title: string; review?: Record<string, ReviewLike>; program?: string; source?: string }): RenderedPolicy {
  const entries = policyEntries(report, opts.review, opts.program);
  const allowed = allowedEntries(entries).length;
  const of = opts.program ? `${opts.program} in ${opts.title}` : opts.title;
  const header = [
    `Seccomp profile generated by Confine${opts.source ? ` from ${opts.source}` : ''} (${of}).`,
    `${allowed} syscalls allowed on x86-64${entries.length > allowed ? `, ${entries.length - allowed} answered with ENOSYS` : ''}; everything else fails with EPERM. Each syscall is preceded by why it is allowed.`,
  ];
  const denials = [...reviewDenials(report, opts.review ?? {}, syscallNumber), ...valueDenials(report, opts.review ?? {})].sort((a, b) => a.nr - b.nr);
  return renderPolicy(opts.format, entries, opts.program ? `${opts.title} ${opts.program}` : opts.title, { header, notice: scopeNotice(report), denials });
}
