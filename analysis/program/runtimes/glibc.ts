// glibc: objects that import or define GLIBC_* symbol versions, or carry the .note.ABI-tag that
// glibc's crt1.o puts into every executable it starts (static ones included).
import type { ElfFile } from '../../elf/types.js';
import { STANDARD_NORETURN } from './c-standard.js';
import type { EnosysFallback, Runtime } from './types.js';

const NT_GNU_ABI_TAG = 1;

// glibc's set*id functions, in a process that has threads, fill a struct xid_command with their
// syscall number (INLINE_SETXID_SYSCALL) and hand it to __nptl_setxid, which makes the syscall
// itself and signals every other thread to make it in __nptl_setxid_sighandler (nptl/nptl_setxid.c;
// before 2.34 in libpthread, the handler then static sighandler_setxid in nptl/nptl-init.c). The
// callers are setuid 105, setgid 106, setreuid 113, setregid 114, setgroups 116, setresuid and
// seteuid 117, setresgid and setegid 119 (sysdeps/unix/sysv/linux/set*id.c, setgroups.c).
const SETXID = {
  numbers: [105, 106, 113, 114, 116, 117, 119],
  why: 'the set*id functions store their number in the xid_command this function reads (nptl/nptl_setxid.c)',
};

// glibc 2.34 and later create threads (and, later, posix_spawn children) through __clone_internal,
// which calls __clone3 first and, when that fails with ENOSYS, makes clone with the same flags
// (sysdeps/unix/sysv/linux/clone-internal.c). Releases that reach clone3 another way name other
// functions, and then the check fails and clone3 stays allowed.
const CLONE3: EnosysFallback = {
  syscall: 'clone3',
  fallback: 'clone',
  makers: ['__clone3'],
  callers: ['__clone_internal', '__GI___clone_internal'],
  why: "glibc's __clone_internal falls back to clone when clone3 fails with ENOSYS (sysdeps/unix/sysv/linux/clone-internal.c)",
};

// glibc's own noreturn entry points on top of the standard ones (fortify and assertion failures).
const noreturn = new Set([...STANDARD_NORETURN, '__assert_perror_fail', '__fortify_fail', '__chk_fail', '__libc_fatal', '__longjmp_chk']);

export const glibcRuntime: Runtime = {
  name: 'glibc',
  detect: (elf: ElfFile) =>
    elf.notes.some((n) => n.name === 'GNU' && n.type === NT_GNU_ABI_TAG) ||
    elf.versionDefinitions.some((v) => v.startsWith('GLIBC_')) ||
    elf.dynsym.some((s) => s.version !== undefined && s.version.startsWith('GLIBC_')),
  noreturnImport: (symbol) => noreturn.has(symbol),
  loadedNumbers: { __nptl_setxid: SETXID, __nptl_setxid_sighandler: SETXID, sighandler_setxid: SETXID },
  enosysFallbacks: [CLONE3],
};
