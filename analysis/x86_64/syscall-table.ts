// The x86-64 system call table, pinned to one kernel release so that an analysis
// names the same numbers on every machine, whatever kernel or headers it runs on.
// Only the "common" and "64" ABI entries: the x32 entries (512 and up) belong to
// another ABI, which the programs analysed here do not use.

/** The Linux release whose arch/x86/entry/syscalls/syscall_64.tbl this table copies. */
export const KERNEL_RELEASE = '6.11';

// Numbers 0..335 are allocated without holes.
const LOW: readonly string[] = [
  'read', 'write', 'open', 'close', 'stat', 'fstat', // 0
  'lstat', 'poll', 'lseek', 'mmap', 'mprotect', 'munmap', // 6
  'brk', 'rt_sigaction', 'rt_sigprocmask', 'rt_sigreturn', 'ioctl', 'pread64', // 12
  'pwrite64', 'readv', 'writev', 'access', 'pipe', 'select', // 18
  'sched_yield', 'mremap', 'msync', 'mincore', 'madvise', 'shmget', // 24
  'shmat', 'shmctl', 'dup', 'dup2', 'pause', 'nanosleep', // 30
  'getitimer', 'alarm', 'setitimer', 'getpid', 'sendfile', 'socket', // 36
  'connect', 'accept', 'sendto', 'recvfrom', 'sendmsg', 'recvmsg', // 42
  'shutdown', 'bind', 'listen', 'getsockname', 'getpeername', 'socketpair', // 48
  'setsockopt', 'getsockopt', 'clone', 'fork', 'vfork', 'execve', // 54
  'exit', 'wait4', 'kill', 'uname', 'semget', 'semop', // 60
  'semctl', 'shmdt', 'msgget', 'msgsnd', 'msgrcv', 'msgctl', // 66
  'fcntl', 'flock', 'fsync', 'fdatasync', 'truncate', 'ftruncate', // 72
  'getdents', 'getcwd', 'chdir', 'fchdir', 'rename', 'mkdir', // 78
  'rmdir', 'creat', 'link', 'unlink', 'symlink', 'readlink', // 84
  'chmod', 'fchmod', 'chown', 'fchown', 'lchown', 'umask', // 90
  'gettimeofday', 'getrlimit', 'getrusage', 'sysinfo', 'times', 'ptrace', // 96
  'getuid', 'syslog', 'getgid', 'setuid', 'setgid', 'geteuid', // 102
  'getegid', 'setpgid', 'getppid', 'getpgrp', 'setsid', 'setreuid', // 108
  'setregid', 'getgroups', 'setgroups', 'setresuid', 'getresuid', 'setresgid', // 114
  'getresgid', 'getpgid', 'setfsuid', 'setfsgid', 'getsid', 'capget', // 120
  'capset', 'rt_sigpending', 'rt_sigtimedwait', 'rt_sigqueueinfo', 'rt_sigsuspend', 'sigaltstack', // 126
  'utime', 'mknod', 'uselib', 'personality', 'ustat', 'statfs', // 132
  'fstatfs', 'sysfs', 'getpriority', 'setpriority', 'sched_setparam', 'sched_getparam', // 138
  'sched_setscheduler', 'sched_getscheduler', 'sched_get_priority_max', 'sched_get_priority_min', 'sched_rr_get_interval', 'mlock', // 144
  'munlock', 'mlockall', 'munlockall', 'vhangup', 'modify_ldt', 'pivot_root', // 150
  '_sysctl', 'prctl', 'arch_prctl', 'adjtimex', 'setrlimit', 'chroot', // 156
  'sync', 'acct', 'settimeofday', 'mount', 'umount2', 'swapon', // 162
  'swapoff', 'reboot', 'sethostname', 'setdomainname', 'iopl', 'ioperm', // 168
  'create_module', 'init_module', 'delete_module', 'get_kernel_syms', 'query_module', 'quotactl', // 174
  'nfsservctl', 'getpmsg', 'putpmsg', 'afs_syscall', 'tuxcall', 'security', // 180
  'gettid', 'readahead', 'setxattr', 'lsetxattr', 'fsetxattr', 'getxattr', // 186
  'lgetxattr', 'fgetxattr', 'listxattr', 'llistxattr', 'flistxattr', 'removexattr', // 192
  'lremovexattr', 'fremovexattr', 'tkill', 'time', 'futex', 'sched_setaffinity', // 198
  'sched_getaffinity', 'set_thread_area', 'io_setup', 'io_destroy', 'io_getevents', 'io_submit', // 204
  'io_cancel', 'get_thread_area', 'lookup_dcookie', 'epoll_create', 'epoll_ctl_old', 'epoll_wait_old', // 210
  'remap_file_pages', 'getdents64', 'set_tid_address', 'restart_syscall', 'semtimedop', 'fadvise64', // 216
  'timer_create', 'timer_settime', 'timer_gettime', 'timer_getoverrun', 'timer_delete', 'clock_settime', // 222
  'clock_gettime', 'clock_getres', 'clock_nanosleep', 'exit_group', 'epoll_wait', 'epoll_ctl', // 228
  'tgkill', 'utimes', 'vserver', 'mbind', 'set_mempolicy', 'get_mempolicy', // 234
  'mq_open', 'mq_unlink', 'mq_timedsend', 'mq_timedreceive', 'mq_notify', 'mq_getsetattr', // 240
  'kexec_load', 'waitid', 'add_key', 'request_key', 'keyctl', 'ioprio_set', // 246
  'ioprio_get', 'inotify_init', 'inotify_add_watch', 'inotify_rm_watch', 'migrate_pages', 'openat', // 252
  'mkdirat', 'mknodat', 'fchownat', 'futimesat', 'newfstatat', 'unlinkat', // 258
  'renameat', 'linkat', 'symlinkat', 'readlinkat', 'fchmodat', 'faccessat', // 264
  'pselect6', 'ppoll', 'unshare', 'set_robust_list', 'get_robust_list', 'splice', // 270
  'tee', 'sync_file_range', 'vmsplice', 'move_pages', 'utimensat', 'epoll_pwait', // 276
  'signalfd', 'timerfd_create', 'eventfd', 'fallocate', 'timerfd_settime', 'timerfd_gettime', // 282
  'accept4', 'signalfd4', 'eventfd2', 'epoll_create1', 'dup3', 'pipe2', // 288
  'inotify_init1', 'preadv', 'pwritev', 'rt_tgsigqueueinfo', 'perf_event_open', 'recvmmsg', // 294
  'fanotify_init', 'fanotify_mark', 'prlimit64', 'name_to_handle_at', 'open_by_handle_at', 'clock_adjtime', // 300
  'syncfs', 'sendmmsg', 'setns', 'getcpu', 'process_vm_readv', 'process_vm_writev', // 306
  'kcmp', 'finit_module', 'sched_setattr', 'sched_getattr', 'renameat2', 'seccomp', // 312
  'getrandom', 'memfd_create', 'kexec_file_load', 'bpf', 'execveat', 'userfaultfd', // 318
  'membarrier', 'mlock2', 'copy_file_range', 'preadv2', 'pwritev2', 'pkey_mprotect', // 324
  'pkey_alloc', 'pkey_free', 'statx', 'io_pgetevents', 'rseq', 'uretprobe', // 330
];

// 336..423 are unallocated in this release: since 424 new calls take the same
// number on every architecture, and the numbers below that were left free.
const HIGH_BASE = 424;
const HIGH: readonly string[] = [
  'pidfd_send_signal', 'io_uring_setup', 'io_uring_enter', 'io_uring_register', 'open_tree', 'move_mount', // 424
  'fsopen', 'fsconfig', 'fsmount', 'fspick', 'pidfd_open', 'clone3', // 430
  'close_range', 'openat2', 'pidfd_getfd', 'faccessat2', 'process_madvise', 'epoll_pwait2', // 436
  'mount_setattr', 'quotactl_fd', 'landlock_create_ruleset', 'landlock_add_rule', 'landlock_restrict_self', 'memfd_secret', // 442
  'process_mrelease', 'futex_waitv', 'set_mempolicy_home_node', 'cachestat', 'fchmodat2', 'map_shadow_stack', // 448
  'futex_wake', 'futex_wait', 'futex_requeue', 'statmount', 'listmount', 'lsm_get_self_attr', // 454
  'lsm_set_self_attr', 'lsm_list_modules', 'mseal', // 460
];

function buildNames(): (string | undefined)[] {
  const names: (string | undefined)[] = new Array<string | undefined>(HIGH_BASE + HIGH.length).fill(undefined);
  LOW.forEach((name, nr) => {
    names[nr] = name;
  });
  HIGH.forEach((name, i) => {
    names[HIGH_BASE + i] = name;
  });
  return names;
}

/** Syscall names indexed by number; undefined where the number is unallocated. */
export const SYSCALL_NAMES: readonly (string | undefined)[] = Object.freeze(buildNames());

/** The highest syscall number in the table. */
export const MAX_SYSCALL: number = SYSCALL_NAMES.length - 1;

const NUMBERS: ReadonlyMap<string, number> = new Map(
  SYSCALL_NAMES.flatMap((name, nr) => (name === undefined ? [] : [[name, nr] as const])),
);

/** The name of syscall number `nr`, or undefined if the number is not allocated. */
export function syscallName(nr: number): string | undefined {
  if (!Number.isInteger(nr) || nr < 0 || nr > MAX_SYSCALL) return undefined;
  return SYSCALL_NAMES[nr];
}

/** The number of the syscall called `name`, or undefined if the table has no such call. */
export function syscallNumber(name: string): number | undefined {
  return NUMBERS.get(name);
}
