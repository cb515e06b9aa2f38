// glibc: objects that import or define GLIBC_* symbol versions, or carry the .note.ABI-tag that
// glibc's crt1.o puts into every executable it starts (static ones included).
import type { ElfFile } from '../../elf/types.js';
import { STANDARD_NORETURN } from './c-standard.js';
import type { Runtime } from './types.js';

const NT_GNU_ABI_TAG = 1;

// glibc's own noreturn entry points on top of the standard ones (fortify and assertion failures).
const noreturn = new Set([...STANDARD_NORETURN, '__assert_perror_fail', '__fortify_fail', '__chk_fail', '__libc_fatal', '__longjmp_chk']);

export const glibcRuntime: Runtime = {
  name: 'glibc',
  detect: (elf: ElfFile) =>
    elf.notes.some((n) => n.name === 'GNU' && n.type === NT_GNU_ABI_TAG) ||
    elf.versionDefinitions.some((v) => v.startsWith('GLIBC_')) ||
    elf.dynsym.some((s) => s.version !== undefined && s.version.startsWith('GLIBC_')),
  noreturnImport: (symbol) => noreturn.has(symbol),
};
