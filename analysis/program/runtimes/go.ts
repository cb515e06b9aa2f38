// Go (amd64): a binary whose code the Go toolchain built, told by its build-id note, its build
// info or its pclntab. Functions, their bounds and names come from the pclntab (stripped binaries
// keep it); the runtime's panics and throws never return; methods are reachable through pointers
// the runtime makes itself (itabs built by getitab, reflect's Method), which no data holds.
import type { ElfFile } from '../../elf/types.js';
import { readPclntab, type GoFunction } from './go-pclntab.js';
import { glibcRuntime } from './glibc.js';
import type { DeclaredFunction, Runtime } from './types.js';

const NT_GO_BUILD_ID = 4;

// The calls the Go compiler itself treats as never returning (a panic unwinds to a deferred
// recover, never to the call site; a throw kills the process). Bounds-check panics are named
// panicIndex, goPanicIndex, panicSliceAlen, ... in every release since the register ABI.
const NORETURN = /^runtime\.(throw|fatal|fatalthrow|fatalpanic|gopanic|Goexit|panicwrap|panicshift|panicdivide|panicmem|panicmemAddr|panicnildottype|panicdottype[EI]|panicunsafe\w+|panicrangestate|(go)?[pP]anic(Index|Slice|Extend)\w*)$/;

const cache = new WeakMap<ElfFile, GoFunction[]>();

/** The pclntab's functions (parsed once per object). */
export function goFunctions(elf: ElfFile): GoFunction[] {
  let f = cache.get(elf);
  if (!f) cache.set(elf, (f = readPclntab(elf)?.functions ?? []));
  return f;
}

/** Whether a Go symbol name is a method (pkg.T.M, pkg.(*T).M, generic receivers too), not a closure or a plain function. */
export function isGoMethod(name: string): boolean {
  if (name.startsWith('type.') || name.startsWith('type:') || name.startsWith('go.') || name.startsWith('go:')) return false;
  const slash = name.lastIndexOf('/', name.indexOf('[') >= 0 ? name.indexOf('[') : name.length);
  const dot = name.indexOf('.', slash + 1);
  if (dot < 0) return false;
  const parts = splitOutsideBrackets(name.slice(dot + 1));
  if (parts.length < 2) return false;
  const last = parts[parts.length - 1];
  // Closures (F.func1, F.gowrap2, F.deferwrap1), numbered inits (init.0), package-level closures (glob..func1).
  if (/^(func|gowrap|deferwrap)\d+$/.test(last) || /^\d+$/.test(last) || parts.includes('')) return false;
  return true;
}

function splitOutsideBrackets(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '[' || ch === '(') depth++;
    else if (ch === ']' || ch === ')') depth--;
    if (ch === '.' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

export const goRuntime: Runtime = {
  name: 'go',
  detect: (elf: ElfFile) =>
    elf.notes.some((n) => n.name === 'Go' && n.type === NT_GO_BUILD_ID) || elf.sections.some((s) => s.name === '.go.buildinfo' || s.name === '.gopclntab') || goFunctions(elf).length > 0,
  // cgo binaries call libc through their PLT like any C program.
  noreturnImport: (symbol) => glibcRuntime.noreturnImport(symbol),
  noreturnFunction: (name) => NORETURN.test(name),
  memorySafe: true,
  mirroredSyscalls: [
    {
      function: 'runtime.runPerThreadSyscall',
      repeats: 'syscall.runtime_doAllThreadsSyscall',
      why: 'each thread repeats the syscall that syscall.AllThreadsSyscall made on its own thread first (runtime/os_linux.go), with the number it left in runtime.perThreadSyscall',
    },
  ],
  functions: (elf): DeclaredFunction[] => goFunctions(elf).map((f) => ({ start: f.entry, end: f.end, name: f.name, argFrame: f.args >= 0 ? f.args : undefined, runtimeCalls: isGoMethod(f.name) })),
};
