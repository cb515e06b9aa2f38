// What each x86-64 system call is about, for the policy table's category column and chart.
// Covers every name of the pinned table (analysis/x86_64/syscall-table.ts, Linux 6.11): a test
// checks that each name has exactly one category. Names the table does not know fall in "system".

export const CATEGORIES = ['file', 'network', 'process', 'memory', 'ipc', 'time', 'security', 'system', 'signal'] as const;
export type Category = (typeof CATEGORIES)[number];

export const CATEGORY_LABELS: Record<Category, string> = {
  file: 'File & I/O',
  network: 'Network',
  process: 'Process',
  memory: 'Memory',
  ipc: 'IPC & sync',
  time: 'Time',
  security: 'Security',
  system: 'System',
  signal: 'Signal',
};

/** Category -> syscall names (each name appears once). */
export const CATEGORY_TABLE: Record<Category, readonly string[]> = {
  file: [
    'read', 'write', 'open', 'close', 'stat', 'fstat', 'lstat', 'poll', 'lseek', 'ioctl', 'pread64', 'pwrite64',
    'readv', 'writev', 'access', 'select', 'dup', 'dup2', 'dup3', 'sendfile', 'fcntl', 'flock', 'fsync', 'fdatasync',
    'truncate', 'ftruncate', 'getdents', 'getdents64', 'getcwd', 'chdir', 'fchdir', 'rename', 'mkdir', 'rmdir',
    'creat', 'link', 'unlink', 'symlink', 'readlink', 'chmod', 'fchmod', 'chown', 'fchown', 'lchown', 'umask',
    'utime', 'utimes', 'mknod', 'statfs', 'fstatfs', 'readahead', 'setxattr', 'lsetxattr', 'fsetxattr', 'getxattr',
    'lgetxattr', 'fgetxattr', 'listxattr', 'llistxattr', 'flistxattr', 'removexattr', 'lremovexattr', 'fremovexattr',
    'fadvise64', 'epoll_create', 'epoll_create1', 'epoll_ctl', 'epoll_wait', 'epoll_ctl_old', 'epoll_wait_old',
    'epoll_pwait', 'epoll_pwait2', 'inotify_init', 'inotify_init1', 'inotify_add_watch', 'inotify_rm_watch',
    'openat', 'openat2', 'mkdirat', 'mknodat', 'fchownat', 'futimesat', 'newfstatat', 'unlinkat', 'renameat',
    'renameat2', 'linkat', 'symlinkat', 'readlinkat', 'fchmodat', 'fchmodat2', 'faccessat', 'faccessat2',
    'pselect6', 'ppoll', 'splice', 'tee', 'vmsplice', 'sync_file_range', 'utimensat', 'fallocate', 'preadv',
    'pwritev', 'preadv2', 'pwritev2', 'fanotify_init', 'fanotify_mark', 'name_to_handle_at', 'open_by_handle_at',
    'sync', 'syncfs', 'copy_file_range', 'statx', 'io_setup', 'io_destroy', 'io_getevents', 'io_submit',
    'io_cancel', 'io_pgetevents', 'io_uring_setup', 'io_uring_enter', 'io_uring_register', 'close_range', 'cachestat',
  ],
  network: [
    'socket', 'connect', 'accept', 'accept4', 'sendto', 'recvfrom', 'sendmsg', 'recvmsg', 'sendmmsg', 'recvmmsg',
    'shutdown', 'bind', 'listen', 'getsockname', 'getpeername', 'socketpair', 'setsockopt', 'getsockopt',
  ],
  process: [
    'clone', 'clone3', 'fork', 'vfork', 'execve', 'execveat', 'exit', 'exit_group', 'wait4', 'waitid', 'getpid',
    'getppid', 'gettid', 'getuid', 'getgid', 'geteuid', 'getegid', 'getgroups', 'getresuid', 'getresgid',
    'getpgrp', 'getpgid', 'setpgid', 'getsid', 'setsid', 'getpriority', 'setpriority', 'sched_yield',
    'sched_setparam', 'sched_getparam', 'sched_setscheduler', 'sched_getscheduler', 'sched_get_priority_max',
    'sched_get_priority_min', 'sched_rr_get_interval', 'sched_setaffinity', 'sched_getaffinity', 'sched_setattr',
    'sched_getattr', 'getrlimit', 'setrlimit', 'prlimit64', 'getrusage', 'times', 'prctl', 'arch_prctl',
    'set_tid_address', 'set_robust_list', 'get_robust_list', 'set_thread_area', 'get_thread_area', 'modify_ldt',
    'rseq', 'getcpu', 'ioprio_set', 'ioprio_get', 'kcmp', 'pidfd_open', 'pidfd_getfd', 'process_vm_readv',
    'process_vm_writev', 'uretprobe',
  ],
  memory: [
    'mmap', 'mprotect', 'munmap', 'brk', 'mremap', 'msync', 'mincore', 'madvise', 'mlock', 'mlock2', 'munlock',
    'mlockall', 'munlockall', 'remap_file_pages', 'mbind', 'set_mempolicy', 'get_mempolicy',
    'set_mempolicy_home_node', 'migrate_pages', 'move_pages', 'pkey_mprotect', 'pkey_alloc', 'pkey_free',
    'membarrier', 'userfaultfd', 'memfd_create', 'memfd_secret', 'process_madvise', 'process_mrelease', 'mseal',
    'map_shadow_stack',
  ],
  ipc: [
    'pipe', 'pipe2', 'shmget', 'shmat', 'shmctl', 'shmdt', 'semget', 'semop', 'semctl', 'semtimedop', 'msgget',
    'msgsnd', 'msgrcv', 'msgctl', 'mq_open', 'mq_unlink', 'mq_timedsend', 'mq_timedreceive', 'mq_notify',
    'mq_getsetattr', 'futex', 'futex_waitv', 'futex_wake', 'futex_wait', 'futex_requeue', 'eventfd', 'eventfd2',
  ],
  time: [
    'nanosleep', 'clock_nanosleep', 'getitimer', 'setitimer', 'alarm', 'gettimeofday', 'settimeofday', 'time',
    'adjtimex', 'clock_settime', 'clock_gettime', 'clock_getres', 'clock_adjtime', 'timer_create', 'timer_settime',
    'timer_gettime', 'timer_getoverrun', 'timer_delete', 'timerfd_create', 'timerfd_settime', 'timerfd_gettime',
  ],
  security: [
    'setuid', 'setgid', 'setreuid', 'setregid', 'setresuid', 'setresgid', 'setfsuid', 'setfsgid', 'setgroups',
    'capget', 'capset', 'seccomp', 'ptrace', 'unshare', 'setns', 'chroot', 'personality', 'add_key', 'request_key',
    'keyctl', 'bpf', 'landlock_create_ruleset', 'landlock_add_rule', 'landlock_restrict_self',
    'lsm_get_self_attr', 'lsm_set_self_attr', 'lsm_list_modules',
  ],
  system: [
    'uname', 'sysinfo', 'syslog', '_sysctl', 'sysfs', 'ustat', 'uselib', 'reboot', 'sethostname', 'setdomainname',
    'iopl', 'ioperm', 'create_module', 'init_module', 'finit_module', 'delete_module', 'get_kernel_syms',
    'query_module', 'kexec_load', 'kexec_file_load', 'mount', 'umount2', 'pivot_root', 'swapon', 'swapoff',
    'quotactl', 'quotactl_fd', 'acct', 'vhangup', 'nfsservctl', 'getpmsg', 'putpmsg', 'afs_syscall', 'tuxcall',
    'security', 'vserver', 'lookup_dcookie', 'perf_event_open', 'getrandom', 'open_tree', 'move_mount', 'fsopen',
    'fsconfig', 'fsmount', 'fspick', 'mount_setattr', 'statmount', 'listmount',
  ],
  signal: [
    'rt_sigaction', 'rt_sigprocmask', 'rt_sigreturn', 'rt_sigpending', 'rt_sigtimedwait', 'rt_sigqueueinfo',
    'rt_tgsigqueueinfo', 'rt_sigsuspend', 'sigaltstack', 'kill', 'tkill', 'tgkill', 'pause', 'signalfd',
    'signalfd4', 'pidfd_send_signal', 'restart_syscall',
  ],
};

const BY_NAME: ReadonlyMap<string, Category> = new Map(
  CATEGORIES.flatMap((c) => CATEGORY_TABLE[c].map((name) => [name, c] as const)),
);

/** The category of a syscall name ("system" for names the table does not know). */
export function categoryOf(name: string): Category {
  return BY_NAME.get(name) ?? 'system';
}

/** Whether the table names `name` explicitly. */
export function hasCategory(name: string): boolean {
  return BY_NAME.has(name);
}
