// Whether a program's analysis is complete (design rule 8): the reasons a program cannot be
// modelled soundly, each one reported, shown in the UI and failing --strict. Never a silent gap.
import { executableRanges } from '../elf/memory.js';
import type { LoadedProgram } from '../link/types.js';
import { passedAt } from '../program/facts.js';
import { RDX } from '../x86_64/registers.js';
import type { ProgramGraph } from './program-graph.js';

/** Executable bytes no discovered function covers, above this share of an object's code and this many bytes (a few unused PLT stubs are no gap). */
export const UNCOVERED_THRESHOLD = 0.1;
export const UNCOVERED_MIN_BYTES = 4096;
const PROT_EXEC = 4;
/** The libc entry points that make memory executable, with the prot argument in rdx. */
const EXEC_MAPPERS = new Set(['mmap', 'mmap64', 'mprotect', 'pkey_mprotect']);

export interface CompletenessInput {
  graph: ProgramGraph;
  lp: LoadedProgram;
  /** dlopen and dlsym calls whose name is computed ("object:site" -> function). */
  dynamicDlopens: ReadonlyMap<string, string>;
  dynamicDlsyms: ReadonlyMap<string, string>;
  /** Whether phase 1 watched the program run (then libraries it mapped are in the analysis). */
  observed: boolean;
}

/** The reasons the program is not fully analysed; empty when it is. */
export function incompleteness(x: CompletenessInput): string[] {
  const { graph, lp } = x;
  const reasons: string[] = [];
  // Code the analysis could not find its way into.
  graph.objects.forEach((o) => {
    if (o.loaded < 0) return;
    const elf = lp.objects[o.loaded].elf;
    const size = executableRanges(elf).reduce((a, r) => a + r.end - r.start, 0);
    if (size > 0 && o.facts.uncoveredBytes > size * UNCOVERED_THRESHOLD && o.facts.uncoveredBytes > UNCOVERED_MIN_BYTES) {
      reasons.push(`${o.path}: ${o.facts.uncoveredBytes} of its ${size} executable bytes (${((100 * o.facts.uncoveredBytes) / size).toFixed(1)}%) are code no discovered function covers`);
    }
  });
  // A program whose main object shows no runtime the analysis knows and nothing to find functions by.
  const main = graph.objects.find((o) => o.loaded === 0);
  if (main && main.facts.runtime === 'c') {
    const elf = lp.objects[0].elf;
    if (elf.fdes.length === 0 && elf.symtab.length === 0 && elf.dynsym.length <= 1) reasons.push(`${main.path}: built on a runtime the analysis does not recognise (no libc or Go marks, no unwind information, no symbols)`);
  }
  // Code generated at run time: calls that make memory executable from outside the libc.
  for (const id of graph.parent.keys()) {
    if (id === graph.INDIRECT) continue;
    for (const e of graph.edges(id)) {
      if (e.to === graph.INDIRECT) continue;
      // Calls into the libc's mapper, directly or through the caller's own PLT stub (libc's own calls stay inside it).
      const target = graph.functionName(e.to);
      const stub = target.endsWith('@plt');
      const name = stub ? target.slice(0, -4) : target;
      if (!EXEC_MAPPERS.has(name) || (!stub && graph.nodes[e.to].obj === graph.nodes[id].obj)) continue;
      const prot = passedAt(e.call, RDX);
      if (prot !== null && 'c' in prot && prot.c.some((v) => (v & PROT_EXEC) !== 0)) {
        reasons.push(`${graph.objects[graph.nodes[id].obj].path}:${graph.functionName(id)} makes memory executable (${name} with PROT_EXEC at 0x${e.site.toString(16)}): syscalls made by code it generates at run time are not known`);
      }
    }
  }
  if (!x.observed) {
    for (const [at, fn] of x.dynamicDlopens) reasons.push(`dlopen with a name computed at run time in ${fn} (${at}), and no phase 1 run saw what it loads`);
    for (const [at, fn] of x.dynamicDlsyms) reasons.push(`dlsym with a name computed at run time in ${fn} (${at}): the function it returns is not known`);
  }
  return [...new Set(reasons)];
}
