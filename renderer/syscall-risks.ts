// Syscalls a reviewer should look at twice when a policy allows them: each opens kernel attack
// surface or a way out of the container that most servers never need. Curated from Docker's
// default profile (the syscalls it denies or gates behind capabilities, with its documented
// reasons: docs.docker.com/engine/security/seccomp/) and the kernel CVE history the reasons cite.
// A risk mark is a prompt to check the justification path, not a verdict: the path says why the
// program needs it.

/** Syscall name -> why it is risky, in one sentence. */
export const SYSCALL_RISKS: Readonly<Record<string, string>> = {
  ptrace: 'inspects and controls other processes; a way around seccomp on older kernels (CVE-2019-2054)',
  process_vm_readv: "reads another process's memory",
  process_vm_writev: "writes another process's memory",
  bpf: 'loads programs into the kernel; many verifier privilege escalations (e.g. CVE-2021-3490, CVE-2022-23222)',
  perf_event_open: 'kernel performance monitoring: information leaks and escalations (e.g. CVE-2023-2235)',
  userfaultfd: 'lets user space stall kernel page faults, the classic way to win kernel race conditions',
  io_uring_setup: 'io_uring: a large asynchronous kernel interface with many escalations (e.g. CVE-2022-29582, CVE-2023-2598)',
  io_uring_enter: 'io_uring: a large asynchronous kernel interface with many escalations',
  io_uring_register: 'io_uring: a large asynchronous kernel interface with many escalations',
  keyctl: 'the kernel keyring is not namespaced: keys leak across containers (CVE-2016-0728)',
  add_key: 'the kernel keyring is not namespaced: keys leak across containers',
  request_key: 'the kernel keyring is not namespaced: keys leak across containers',
  unshare: 'creates namespaces (user namespaces give root-only kernel interfaces to unprivileged code, e.g. CVE-2022-0185)',
  setns: 'joins other namespaces',
  clone3: 'cannot be filtered by argument: namespace flags pass unchecked (Docker returns ENOSYS for it)',
  mount: 'mounts file systems: a classic container escape with CAP_SYS_ADMIN',
  umount2: 'unmounts file systems',
  fsopen: 'the new mount API: file-system parsers in the kernel (CVE-2022-0185)',
  fsconfig: 'the new mount API: file-system parsers in the kernel (CVE-2022-0185)',
  fsmount: 'the new mount API',
  move_mount: 'the new mount API',
  open_tree: 'the new mount API',
  pivot_root: 'changes the root file system',
  chroot: 'changes the root directory: with other privileges, a way out of it',
  open_by_handle_at: 'opens files by handle, bypassing paths: the "shocker" container escape',
  name_to_handle_at: 'file handles, half of the "shocker" container escape',
  init_module: 'loads a kernel module',
  finit_module: 'loads a kernel module',
  delete_module: 'unloads a kernel module',
  kexec_load: 'replaces the running kernel',
  kexec_file_load: 'replaces the running kernel',
  reboot: 'reboots the machine or disables Ctrl-Alt-Del',
  swapon: 'changes swap devices',
  swapoff: 'changes swap devices',
  iopl: 'raises the I/O privilege level: direct hardware access',
  ioperm: 'direct access to I/O ports',
  acct: 'process accounting for the whole system',
  quotactl: 'disk quotas of the host',
  settimeofday: 'sets the system clock, which is not namespaced',
  clock_settime: 'sets the system clock, which is not namespaced',
  clock_adjtime: 'adjusts the system clock, which is not namespaced',
  adjtimex: 'adjusts the system clock, which is not namespaced',
  syslog: 'reads the kernel log: addresses that defeat KASLR',
  lookup_dcookie: 'kernel profiling interface',
  personality: 'changes the execution domain (some flags disable address randomisation)',
  modify_ldt: 'legacy segment descriptors, a past source of kernel bugs (CVE-2015-5157)',
  kcmp: 'compares kernel objects of other processes: information leak',
  mbind: 'NUMA memory policy across the host',
  move_pages: 'moves pages of other processes between NUMA nodes',
  migrate_pages: 'moves pages of other processes between NUMA nodes',
  set_mempolicy: 'NUMA memory policy',
  uselib: 'legacy library loading (CVE-2004-1235)',
  ustat: 'legacy file-system statistics',
  sysfs: 'legacy file-system type information',
  _sysctl: 'legacy kernel parameter interface',
  nfsservctl: 'legacy kernel NFS server control',
  pidfd_getfd: "takes a file descriptor from another process",
  fanotify_init: 'watches file access across mounts (a way to observe the host)',
};

/** Why `name` is risky, or undefined when it is not on the list. */
export function riskOf(name: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(SYSCALL_RISKS, name) ? SYSCALL_RISKS[name] : undefined;
}
