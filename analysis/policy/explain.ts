// `confine explain REPORT SYSCALL`: why a report allows a syscall, for a CI log. Every reachable
// site (object, function, address, the programs it is reached in) with its most believable path,
// and what each indirect edge rests on. Plain text, one fact per line.
import type { Report } from '../graph/report.js';
import { syscallName, syscallNumber } from '../x86_64/syscall-table.js';
import { pathText, shortObject } from './path-text.js';

/** The syscall a name or number stands for, or undefined when it is none (the x86-64 table). */
export function syscallOf(text: string): { name: string; nr: number } | undefined {
  const nr = /^\d+$/.test(text) ? Number(text) : syscallNumber(text);
  const name = nr === undefined ? undefined : syscallName(nr);
  return name === undefined || nr === undefined ? undefined : { name, nr };
}

/** The explanation of `nr` in `report`; `found` is false when the report's policy does not allow it. */
export function explain(report: Report, nr: number): { found: boolean; lines: string[] } {
  const s = report.syscalls.find((x) => x.nr === nr);
  const name = syscallName(nr) ?? `nr ${nr}`;
  if (!s) return { found: false, lines: [`${name} (${nr}) is not allowed: no reachable site in ${report.programs.map((p) => p.path).join(', ')}`] };
  const lines = [`${name} (${nr}) is allowed for ${s.programs.length > 0 ? s.programs.join(', ') : 'the container runtime only'}`];
  if (s.runtime) lines.push(`  made by the container runtime (${report.runtime ? `${report.runtime.runtime} ${report.runtime.version}` : 'runtime'}) between installing the filter and exec'ing the entrypoint`);
  const sites = s.sites ?? (s.path.length > 0 ? [{ programs: s.programs, object: s.path.at(-1)!.object, function: s.path.at(-1)!.function, address: s.path.at(-1)!.site ?? s.path.at(-1)!.address, path: s.path }] : []);
  if (sites.length > 0) lines.push(`  ${sites.length} reachable site${sites.length === 1 ? '' : 's'}:`);
  sites.forEach((site, i) => {
    lines.push(`  ${i + 1}. ${shortObject(site.object)}:${site.function} at 0x${site.address} (${site.object}; in ${site.programs.join(', ')})`);
    lines.push(`     ${pathText(site.path)}`);
    for (const step of site.path) if (step.edge === 'indirect' && step.takenBy) lines.push(`     indirect edge to ${step.function}: ${step.takenBy}`);
  });
  const only = (report.contributors ?? []).filter((c) => c.only.includes(nr)).map((c) => c.object);
  if (only.length > 0) lines.push(`  only ${only.join(', ')} brings it`);
  return { found: true, lines };
}
