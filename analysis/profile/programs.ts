// From the list of execs to the list of programs: unique exec'd files, plus the interpreters of the
// scripts among them. The exec tracepoint names the script (the kernel loads its interpreter
// internally, without a second exec), so the interpreter comes from the script's "#!" line.
import type { ContainerFs } from './container-files.js';

/** The kernel reads this much of a file to recognise it (BINPRM_BUF_SIZE). */
const BINPRM_BUF_SIZE = 256;
/** Paths under /proc and /dev/fd name kernel objects (an open file, another process's executable), not files of the image. */
const OUTSIDE_IMAGE = /^\/(proc|dev\/fd)\//;
/** Linux follows at most this many nested interpreters (scripts run by scripts). */
const MAX_NESTED = 4;

/** One program that ran in the container. */
export interface ProgramEntry {
  path: string;
  /** Execs of this file, directly or as the interpreter of a script. */
  execs: number;
  /** The scripts this file interpreted, when it ran as an interpreter. */
  interpreterOf?: string[];
}

/** The interpreter named by a "#!" line, as the kernel parses it; undefined if not a script. */
export function parseShebang(head: Buffer): { interpreter: string; arg?: string } | undefined {
  if (head.length < 2 || head[0] !== 0x23 || head[1] !== 0x21) return undefined;
  let text = head.subarray(2, BINPRM_BUF_SIZE).toString('latin1');
  const nl = text.indexOf('\n');
  if (nl >= 0) text = text.slice(0, nl);
  text = text.replace(/^[ \t]+/, '').replace(/[ \t\r]+$/, '');
  const m = /^([^ \t\0]+)[ \t]*(.*)$/.exec(text);
  if (!m) return undefined;
  // Bytes as the kernel sees them; names are ASCII in practice and latin1 keeps any byte intact.
  const interpreter = Buffer.from(m[1], 'latin1').toString('utf8');
  return m[2] ? { interpreter, arg: m[2] } : { interpreter };
}

/** Counts execs per file and adds each script's interpreters (read through `files`); warnings say what could not be read. */
export function programsFrom(execPaths: readonly string[], files: ContainerFs | undefined): { programs: ProgramEntry[]; warnings: string[] } {
  const entries = new Map<string, { execs: number; of: Set<string> }>();
  const warnings: string[] = [];
  const entry = (p: string): { execs: number; of: Set<string> } => {
    let e = entries.get(p);
    if (!e) entries.set(p, (e = { execs: 0, of: new Set() }));
    return e;
  };
  const interpreterCache = new Map<string, string | null>();
  const interpreterOf = (p: string): string | undefined => {
    if (!interpreterCache.has(p) && !p.startsWith('/')) interpreterCache.set(p, null); // unresolved relative path, already warned
    if (!interpreterCache.has(p)) {
      const head = files?.head(p, BINPRM_BUF_SIZE);
      if (head === undefined) {
        warnings.push(`could not read ${p} in the container${files ? ` (${files.describe})` : ''} to see whether it is a script`);
        interpreterCache.set(p, null);
      } else {
        const sb = parseShebang(head);
        if (sb && !sb.interpreter.startsWith('/')) warnings.push(`${p}: relative interpreter ${sb.interpreter} in its #! line is resolved against the working directory; kept as written`);
        interpreterCache.set(p, sb?.interpreter ?? null);
      }
    }
    return interpreterCache.get(p) ?? undefined;
  };

  for (const p of execPaths) {
    if (OUTSIDE_IMAGE.test(p)) {
      warnings.push(`exec of ${p}: a file the kernel provides (not one of the image), whose program is not known; not analysed`);
      continue;
    }
    entry(p).execs++;
    let script = p;
    for (let depth = 0; depth < MAX_NESTED; depth++) {
      const interp = interpreterOf(script);
      if (interp === undefined) break;
      const e = entry(interp);
      e.execs++;
      e.of.add(script);
      script = interp;
    }
  }
  const programs = [...entries.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([path, e]) => (e.of.size > 0 ? { path, execs: e.execs, interpreterOf: [...e.of].sort() } : { path, execs: e.execs }));
  return { programs, warnings: [...new Set(warnings)] };
}
