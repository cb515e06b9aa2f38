// The syscalls whose arguments phase 3 restricts (issue 11), the arguments that matter for each,
// by position in the kernel's order (rdi rsi rdx r10 r8 r9), and how a rule compares them: `flags`
// arguments are bit masks (a policy allows the bits seen), `value` arguments are one of a set.
// Positions follow the kernel's SYSCALL_DEFINE prototypes (include/linux/syscalls.h).

export type ArgumentKind = 'flags' | 'value';

export interface RestrictedArgument {
  index: number;
  name: string;
  kind: ArgumentKind;
}

/** socket and socketpair take the same first two arguments. */
const SOCKET_FAMILY_TYPE: readonly RestrictedArgument[] = [
  { index: 0, name: 'family', kind: 'value' },
  { index: 1, name: 'type', kind: 'value' },
];

export const RESTRICTED_ARGUMENTS: Readonly<Record<string, readonly RestrictedArgument[]>> = {
  clone: [{ index: 0, name: 'flags', kind: 'flags' }],
  unshare: [{ index: 0, name: 'unshare_flags', kind: 'flags' }],
  setns: [{ index: 1, name: 'nstype', kind: 'value' }],
  socket: SOCKET_FAMILY_TYPE,
  socketpair: SOCKET_FAMILY_TYPE,
  mmap: [
    { index: 2, name: 'prot', kind: 'flags' },
    { index: 3, name: 'flags', kind: 'flags' },
  ],
  mprotect: [{ index: 2, name: 'prot', kind: 'flags' }],
  pkey_mprotect: [{ index: 2, name: 'prot', kind: 'flags' }],
  personality: [{ index: 0, name: 'personality', kind: 'value' }],
  prctl: [{ index: 0, name: 'option', kind: 'value' }],
  arch_prctl: [{ index: 0, name: 'option', kind: 'value' }],
  ioctl: [{ index: 1, name: 'cmd', kind: 'value' }],
  fcntl: [{ index: 1, name: 'cmd', kind: 'value' }],
  madvise: [{ index: 2, name: 'behavior', kind: 'value' }],
  keyctl: [{ index: 0, name: 'option', kind: 'value' }],
  bpf: [{ index: 0, name: 'cmd', kind: 'value' }],
  ptrace: [{ index: 0, name: 'request', kind: 'value' }],
  kill: [{ index: 1, name: 'sig', kind: 'value' }],
  tgkill: [{ index: 2, name: 'sig', kind: 'value' }],
  setsockopt: [
    { index: 1, name: 'level', kind: 'value' },
    { index: 2, name: 'optname', kind: 'value' },
  ],
};
