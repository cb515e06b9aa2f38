// musl: the libc that is its own dynamic linker, told by its symbols (__libc_start_main next to
// the loader's entry _dlstart, or to __init_libc in a static program that kept its symbols). Its set*id functions hand the syscall number to __setxid, which
// stores it in a struct that every thread's do_setxid reads back through __synccall
// (src/unistd/setxid.c): no register dataflow can carry it, so the number each one makes is
// declared here from musl's sources (src/unistd/setuid.c and siblings).
import type { ElfFile } from '../../elf/types.js';
import { STANDARD_NORETURN } from './c-standard.js';
import type { Runtime } from './types.js';

const noreturn = new Set(STANDARD_NORETURN);

const VIA_SYNCCALL = 'musl passes it through __setxid and __synccall to every thread, out of the dataflow\'s sight';
const SETXID: Record<string, { numbers: number[]; why: string }> = {
  setuid: { numbers: [105], why: VIA_SYNCCALL },
  setgid: { numbers: [106], why: VIA_SYNCCALL },
  setreuid: { numbers: [113], why: VIA_SYNCCALL },
  setregid: { numbers: [114], why: VIA_SYNCCALL },
  setresuid: { numbers: [117], why: VIA_SYNCCALL },
  setresgid: { numbers: [119], why: VIA_SYNCCALL },
};

function defines(elf: ElfFile, name: string): boolean {
  return elf.dynsym.some((s) => s.shndx !== 0 && s.name === name) || elf.symtab.some((s) => s.shndx !== 0 && s.name === name);
}

export const muslRuntime: Runtime = {
  name: 'musl',
  // The shared libc (with its loader's entry _dlstart), or a static program with its symbols (musl's __init_libc).
  detect: (elf) => defines(elf, '__libc_start_main') && (defines(elf, '_dlstart') || defines(elf, '__init_libc')),
  noreturnImport: (symbol) => noreturn.has(symbol),
  impliedSyscalls: SETXID,
};
