// Which programs `confine harden` gives a filter of their own, and the checks that refuse a bad
// choice before anything is built (design: bad input is one line naming the file, exit 2, nothing
// left behind). By default: the image's entrypoint/command program when it is an ELF file, and the
// programs phase 1 saw still running when its window closed (the servers, not the short-lived
// utilities a start-up script runs).
import { posix } from 'node:path';
import { InputError } from '../errors.js';
import type { Report } from '../graph/report.js';
import type { ImageConfig } from '../image/types.js';
import { resolveInRootfs } from '../link/rootfs.js';
import { programKind } from '../request.js';

export interface HardenTarget {
  /** The program as the report names it (what was exec'd, or named). */
  program: string;
  /** Its file in the image, symlinks followed: where the launcher goes. */
  file: string;
}

/** The image's first command word (entrypoint, else cmd), looked up in its PATH like the runtime does. */
export function entrypointProgram(rootfs: string, config: ImageConfig | null, image: string): string {
  const argv0 = config?.entrypoint?.[0] ?? config?.cmd?.[0];
  if (!argv0) throw new InputError(image, 'the image has no entrypoint or command: nothing says which program it runs (give --program PATH)');
  if (argv0.includes('/')) return posix.resolve(config?.workingDir || '/', argv0);
  const pathVar = config?.env.find((e) => e.startsWith('PATH='))?.slice(5) ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
  for (const dir of pathVar.split(':').filter((d) => d.startsWith('/'))) {
    const candidate = posix.join(dir, argv0);
    if (programKind(rootfs, candidate).kind !== 'missing') return candidate;
  }
  throw new InputError(image, `the image's command ${argv0} is not in its PATH (${pathVar})`);
}

/** Checks one program for hardening: an ELF file of the image outside its volumes. */
export function checkTarget(rootfs: string, program: string, volumes: readonly string[]): HardenTarget {
  if (!program.startsWith('/')) throw new InputError(program, 'give the program by its absolute path in the image');
  const k = programKind(rootfs, program);
  if (k.kind === 'script') throw new InputError(program, `a script${k.interpreter ? ` (run by ${k.interpreter})` : ''}: a filter goes on an ELF program; harden the program it runs or execs`);
  if (k.kind !== 'elf') throw new InputError(program, k.why);
  const file = resolveInRootfs(rootfs, program).rootfsPath;
  for (const v of volumes) {
    const dir = v.replace(/\/+$/, '') || '/';
    // A committed container keeps nothing written under a volume: the launcher would not be there.
    if (file === dir || file.startsWith(`${dir}/`)) throw new InputError(program, `lies in the image's volume ${v}, which an image build cannot change`);
  }
  if (/^\/(proc|sys|dev)(\/|$)/.test(file)) throw new InputError(program, 'lies in a filesystem the runtime mounts over the image');
  return { program, file };
}

/** The programs to harden: those named, or the defaults; each checked, one per file. */
export function selectTargets(report: Report, rootfs: string, config: ImageConfig | null, volumes: readonly string[], named: readonly string[]): { targets: HardenTarget[]; skipped: string[] } {
  const skipped: string[] = [];
  let wanted: string[];
  if (named.length > 0) wanted = [...named];
  else {
    wanted = [];
    const entry = entrypointProgram(rootfs, config, report.image?.ref ?? rootfs);
    const entryKind = programKind(rootfs, entry);
    if (entryKind.kind === 'elf') wanted.push(entry);
    else skipped.push(`${entry}: ${entryKind.kind === 'script' ? 'a script (the programs it leaves running are hardened instead)' : 'not an ELF program'}`);
    for (const p of report.programs) if (p.running && !p.error && p.objects.length > 0 && !wanted.includes(p.path)) wanted.push(p.path);
    if (wanted.length === 0) throw new InputError(report.image?.ref ?? rootfs, `no program to harden: ${skipped.join('; ') || 'the entrypoint is not an ELF program'} and phase 1 saw no ELF program still running (give --program PATH)`);
  }
  const targets: HardenTarget[] = [];
  for (const p of wanted) {
    const t = checkTarget(rootfs, p, volumes);
    const analysed = report.programs.find((x) => x.path === p);
    if (!analysed || analysed.error) throw new InputError(p, analysed?.error ?? 'was not analysed');
    if (!targets.some((x) => x.file === t.file)) targets.push(t);
  }
  return { targets, skipped };
}
