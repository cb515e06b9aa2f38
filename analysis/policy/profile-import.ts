// Reading Docker (moby) seccomp profiles: which x86-64 syscalls a profile lets through for a
// container with Docker's default capabilities. Also the built-in copy of Docker's own default.
import { existsSync, readFileSync } from 'node:fs';
import { release } from 'node:os';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.js';
import { SYSCALL_NAMES, syscallNumber } from '../x86_64/syscall-table.js';
import { SECCOMP_OPS, type AllowedSyscalls, type SeccompCondition } from './seccomp-condition.js';

/** Capabilities Docker grants a container by default (moby oci/caps/defaults.go). */
export const DOCKER_DEFAULT_CAPS: ReadonlySet<string> = new Set([
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
]);

/** Actions under which the syscall runs (SCMP_ACT_LOG allows and logs). */
const ALLOWING = new Set(['SCMP_ACT_ALLOW', 'SCMP_ACT_LOG']);

/** What a profile allows on x86-64. */
export interface ImportedProfile {
  /** Syscalls (names of the x86-64 table) the profile lets through, fully or for some arguments. */
  names: Set<string>;
  /**
   * The same syscalls with the argument conditions they are allowed under (null: any). Under an
   * allow-by-default profile a conditional denial is not modelled: the syscall counts as allowed
   * with any arguments, which never overstates what the profile blocks.
   */
  allowed: AllowedSyscalls;
  /** The profile allows by default and lists denials. */
  defaultAllow: boolean;
  /** Names the profile lists that x86-64 does not have (other architectures' calls): ignored. */
  unknown: string[];
}

interface Filter {
  caps?: unknown;
  arches?: unknown;
  minKernel?: unknown;
}

interface Rule {
  names?: unknown;
  name?: unknown;
  action?: unknown;
  args?: unknown;
  includes?: Filter | null;
  excludes?: Filter | null;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function kernelAtLeast(min: string, running: string): boolean {
  const parse = (s: string): [number, number] => {
    const m = /^(\d+)\.(\d+)/.exec(s);
    return m ? [Number(m[1]), Number(m[2])] : [0, 0];
  };
  const [a, b] = parse(running);
  const [c, d] = parse(min);
  return a > c || (a === c && b >= d);
}

/** Whether a rule applies on amd64 with the default capabilities (moby's includes/excludes semantics). */
function applies(rule: Rule, kernel: string): boolean {
  const inc = rule.includes ?? {};
  const exc = rule.excludes ?? {};
  // Excluded when any excluded cap is held or the architecture is excluded.
  if (strings(exc.caps).some((c) => DOCKER_DEFAULT_CAPS.has(c))) return false;
  if (strings(exc.arches).includes('amd64')) return false;
  if (typeof exc.minKernel === 'string' && exc.minKernel !== '' && kernelAtLeast(exc.minKernel, kernel)) return false;
  // Included only when every included cap is held and the architecture is listed.
  if (strings(inc.caps).some((c) => !DOCKER_DEFAULT_CAPS.has(c))) return false;
  const arches = strings(inc.arches);
  if (arches.length > 0 && !arches.includes('amd64')) return false;
  if (typeof inc.minKernel === 'string' && inc.minKernel !== '' && !kernelAtLeast(inc.minKernel, kernel)) return false;
  return true;
}

/**
 * The x86-64 syscalls a Docker JSON profile allows for a container with the default capabilities.
 * A rule with argument conditions counts as allowing its syscalls (they are allowed for some
 * arguments); under an allow-by-default profile only unconditional denials remove a syscall.
 */
export function readDockerProfile(json: string | unknown, label = 'profile', kernel = release()): ImportedProfile {
  let doc: unknown = json;
  if (typeof json === 'string') {
    try {
      doc = JSON.parse(json);
    } catch (e) {
      throw new InputError(label, `not valid JSON (${(e as Error).message})`);
    }
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new InputError(label, 'not a seccomp profile (expected a JSON object)');
  const p = doc as { defaultAction?: unknown; syscalls?: unknown };
  if (typeof p.defaultAction !== 'string' || !/^SCMP_ACT_[A-Z_]+$/.test(p.defaultAction)) throw new InputError(label, 'not a seccomp profile (defaultAction is missing or not an SCMP_ACT_ action)');
  if (p.syscalls !== undefined && p.syscalls !== null && !Array.isArray(p.syscalls)) throw new InputError(label, 'not a seccomp profile (syscalls is not a list)');
  const rules = (p.syscalls ?? []) as unknown[];
  const defaultAllow = ALLOWING.has(p.defaultAction);
  const unknown = new Set<string>();
  const listed = (r: Rule): string[] => {
    const out: string[] = [];
    for (const n of [...strings(r.names), ...(typeof r.name === 'string' ? [r.name] : [])]) {
      if (syscallNumber(n) === undefined) unknown.add(n);
      else out.push(n);
    }
    return out;
  };
  const allowed = new Map<string, SeccompCondition[][] | null>();
  const allow = (n: string, alt: SeccompCondition[] | null): void => {
    const had = allowed.get(n);
    if (alt === null || had === null) allowed.set(n, null);
    else allowed.set(n, [...(had ?? []), alt]);
  };
  if (defaultAllow) for (const n of SYSCALL_NAMES) if (n !== undefined) allow(n, null);
  rules.forEach((raw, i) => {
    if (typeof raw !== 'object' || raw === null) throw new InputError(label, `syscalls[${i}] is not an object`);
    const r = raw as Rule;
    if (typeof r.action !== 'string') throw new InputError(label, `syscalls[${i}] has no action`);
    const ns = listed(r);
    if (!applies(r, kernel)) return;
    const conditional = Array.isArray(r.args) && r.args.length > 0;
    if (ALLOWING.has(r.action)) {
      const alt = conditional ? conditions(r.args as unknown[], `${label}: syscalls[${i}]`) : null;
      for (const n of ns) allow(n, alt);
    } else if (defaultAllow && !conditional) {
      for (const n of ns) allowed.delete(n);
    }
  });
  // Under allow-by-default, an allow rule for a syscall also denied unconditionally still lets some calls through.
  if (defaultAllow) {
    rules.forEach((raw) => {
      const r = raw as Rule;
      if (typeof r.action === 'string' && ALLOWING.has(r.action) && applies(r, kernel)) for (const n of listed(r)) allow(n, null);
    });
  }
  return { names: new Set(allowed.keys()), allowed, defaultAllow, unknown: [...unknown].sort() };
}

/** The comparisons of one rule's `args`, checked: a malformed one is an error naming the rule. */
function conditions(args: unknown[], where: string): SeccompCondition[] {
  return args.map((raw, k) => {
    const a = raw as { index?: unknown; value?: unknown; valueTwo?: unknown; op?: unknown };
    const ok = typeof a === 'object' && a !== null && Number.isInteger(a.index) && (a.index as number) >= 0 && (a.index as number) < 6 && typeof a.value === 'number' && (a.valueTwo === undefined || typeof a.valueTwo === 'number') && SECCOMP_OPS.includes(a.op as SeccompCondition['op']);
    if (!ok) throw new InputError(where, `args[${k}] is not a comparison (index 0-5, a numeric value, and op one of ${SECCOMP_OPS.join(' ')})`);
    return { index: a.index as number, value: a.value as number, ...(a.valueTwo !== undefined ? { valueTwo: a.valueTwo as number } : {}), op: a.op as SeccompCondition['op'] };
  });
}

let dockerDefault: ImportedProfile | undefined;

/** The bundled Docker default profile as read for this machine's kernel, read once. */
export function dockerDefaultProfile(): ImportedProfile {
  return (dockerDefault ??= readDockerProfile(dockerDefaultProfileText(), 'docker-default.json'));
}

/** The text of the bundled Docker default profile (moby profiles/seccomp/default.json, Apache-2.0, see docker-default.NOTICE). */
export function dockerDefaultProfileText(): string {
  // tsc does not copy JSON into dist/: look beside the compiled module, then in the source tree.
  const candidates = [new URL('./docker-default.json', import.meta.url), new URL('../../../analysis/policy/docker-default.json', import.meta.url)];
  for (const u of candidates) {
    const p = fileURLToPath(u);
    if (existsSync(p)) return readFileSync(p, 'utf8');
  }
  throw new Error('the built-in Docker default profile (analysis/policy/docker-default.json) is missing from this installation');
}
