// The names of the values a restricted argument (argument-table.ts) can hold, so that a reviewer
// reads `socket(AF_PACKET, SOCK_RAW)` or `mmap(prot=PROT_READ|PROT_EXEC)` in an argument rule, not
// `17` or `5`: the UI shows a rule's allowed values by these names, and strace, man pages and the
// kernel source use the same ones, so what the reviewer sees can be looked up.
//
// Every name and value here is the one of the C headers of Linux and glibc for x86-64 (Debian's
// linux-libc-dev and libc6-dev: <sys/socket.h>, <sys/mman.h>, <linux/mman.h>, <sched.h>,
// <linux/prctl.h>, <asm/prctl.h>, <fcntl.h>, <linux/keyctl.h>, <linux/bpf.h>, <sys/ptrace.h>,
// <signal.h>, <netinet/in.h>, <netinet/tcp.h>, <netinet/udp.h>, <sys/ioctl.h>,
// <sys/personality.h>), copied rather than read at run time because the engine runs where no
// headers are installed. value-names.test.ts compiles every name against the installed headers and
// checks its value, so a name is here only if those headers define it, with their value (a newer
// kernel's names, such as PR_SET_MDWE or BPF_TOKEN_CREATE, come when the headers have them). Where
// several names share a value, the one strace prints is kept (SOL_TCP for level 6, not IPPROTO_TCP).
// Tables are not exhaustive: a value without a name is shown as a number, never guessed.
import type { ArgumentKind } from './argument-table.js';

/** Names by value, as the headers spell them. */
export type NameMap = Readonly<Record<string, number>>;

/**
 * How an argument's values are named. A whole value with a name in `values` is shown by it;
 * otherwise the value splits into `field` (the bits that hold one named value: socket's type,
 * mmap's map type, clone's exit signal, personality's execution domain) and single `bits`.
 */
export interface ArgumentNames {
  readonly values?: NameMap;
  /** The mask of the bits `values` names when the rest are `bits`; 0 when there is no such field. */
  readonly field?: number;
  readonly bits?: NameMap;
  /** Show a value without a name in hex (ioctl request codes are read that way). */
  readonly hex?: boolean;
}

/** Names that depend on another argument of the same call: setsockopt's optname on its level. */
export interface KeyedNames {
  readonly by: string;
  readonly cases: Readonly<Record<number, ArgumentNames>>;
}

export type NameTable = ArgumentNames | KeyedNames;

// <bits/socket.h>: address families (AF_LOCAL is AF_UNIX; strace prints AF_UNIX).
const ADDRESS_FAMILIES: NameMap = {
  AF_UNSPEC: 0, AF_UNIX: 1, AF_INET: 2, AF_AX25: 3, AF_IPX: 4, AF_APPLETALK: 5, AF_NETROM: 6,
  AF_BRIDGE: 7, AF_ATMPVC: 8, AF_X25: 9, AF_INET6: 10, AF_ROSE: 11, AF_DECnet: 12, AF_NETBEUI: 13,
  AF_SECURITY: 14, AF_KEY: 15, AF_NETLINK: 16, AF_PACKET: 17, AF_ASH: 18, AF_ECONET: 19,
  AF_ATMSVC: 20, AF_RDS: 21, AF_SNA: 22, AF_IRDA: 23, AF_PPPOX: 24, AF_WANPIPE: 25, AF_LLC: 26,
  AF_IB: 27, AF_MPLS: 28, AF_CAN: 29, AF_TIPC: 30, AF_BLUETOOTH: 31, AF_IUCV: 32, AF_RXRPC: 33,
  AF_ISDN: 34, AF_PHONET: 35, AF_IEEE802154: 36, AF_CAIF: 37, AF_ALG: 38, AF_NFC: 39, AF_VSOCK: 40,
  AF_KCM: 41, AF_QIPCRTR: 42, AF_SMC: 43, AF_XDP: 44, AF_MCTP: 45,
};

// <bits/socket_type.h>: the socket type in the low four bits, creation flags above them.
const SOCKET_TYPE_FIELD = 0xf;
const SOCKET_TYPES: NameMap = {
  SOCK_STREAM: 1, SOCK_DGRAM: 2, SOCK_RAW: 3, SOCK_RDM: 4, SOCK_SEQPACKET: 5, SOCK_DCCP: 6, SOCK_PACKET: 10,
};
const SOCKET_TYPE_FLAGS: NameMap = { SOCK_NONBLOCK: 0o4000, SOCK_CLOEXEC: 0o2000000 };

// <bits/mman-linux.h>, <bits/mman.h> (x86-64's MAP_32BIT), <linux/mman.h>.
const PROT_ZERO: NameMap = { PROT_NONE: 0 };
const PROT_BITS: NameMap = {
  PROT_READ: 0x1, PROT_WRITE: 0x2, PROT_EXEC: 0x4, PROT_SEM: 0x8, PROT_GROWSDOWN: 0x01000000, PROT_GROWSUP: 0x02000000,
};
/** MAP_TYPE: how the mapping is shared. */
const MAP_TYPE_FIELD = 0x0f;
const MAP_TYPES: NameMap = { MAP_SHARED: 0x01, MAP_PRIVATE: 0x02, MAP_SHARED_VALIDATE: 0x03 };
// Bits 26 to 31 hold a huge page size (MAP_HUGE_SHIFT) with MAP_HUGETLB: no single-bit names, hex.
const MAP_BITS: NameMap = {
  MAP_FIXED: 0x10, MAP_ANONYMOUS: 0x20, MAP_32BIT: 0x40, MAP_GROWSDOWN: 0x100, MAP_DENYWRITE: 0x800,
  MAP_EXECUTABLE: 0x1000, MAP_LOCKED: 0x2000, MAP_NORESERVE: 0x4000, MAP_POPULATE: 0x8000,
  MAP_NONBLOCK: 0x10000, MAP_STACK: 0x20000, MAP_HUGETLB: 0x40000, MAP_SYNC: 0x80000,
  MAP_FIXED_NOREPLACE: 0x100000,
};
const MADVICE: NameMap = {
  MADV_NORMAL: 0, MADV_RANDOM: 1, MADV_SEQUENTIAL: 2, MADV_WILLNEED: 3, MADV_DONTNEED: 4, MADV_FREE: 8,
  MADV_REMOVE: 9, MADV_DONTFORK: 10, MADV_DOFORK: 11, MADV_MERGEABLE: 12, MADV_UNMERGEABLE: 13,
  MADV_HUGEPAGE: 14, MADV_NOHUGEPAGE: 15, MADV_DONTDUMP: 16, MADV_DODUMP: 17, MADV_WIPEONFORK: 18,
  MADV_KEEPONFORK: 19, MADV_COLD: 20, MADV_PAGEOUT: 21, MADV_POPULATE_READ: 22, MADV_POPULATE_WRITE: 23,
  MADV_DONTNEED_LOCKED: 24, MADV_COLLAPSE: 25, MADV_HWPOISON: 100, MADV_SOFT_OFFLINE: 101,
};

// <bits/signum-generic.h>, <bits/signum-arch.h>. The real-time signals have no fixed names
// (glibc's SIGRTMIN is a function call, and keeps 32 and 33 for itself): they show as numbers.
const SIGNALS: NameMap = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8, SIGKILL: 9,
  SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15, SIGSTKFLT: 16,
  SIGCHLD: 17, SIGCONT: 18, SIGSTOP: 19, SIGTSTP: 20, SIGTTIN: 21, SIGTTOU: 22, SIGURG: 23,
  SIGXCPU: 24, SIGXFSZ: 25, SIGVTALRM: 26, SIGPROF: 27, SIGWINCH: 28, SIGIO: 29, SIGPWR: 30, SIGSYS: 31,
};

// <bits/sched.h>: the namespaces, then clone's other bits. clone's low byte (CSIGNAL) is the
// signal the parent gets when the child exits; CLONE_NEWTIME (0x80) lies inside it, so only
// unshare and setns, which have no exit signal, name it.
const CLONE_NAMESPACES: NameMap = {
  CLONE_NEWNS: 0x00020000, CLONE_NEWCGROUP: 0x02000000, CLONE_NEWUTS: 0x04000000,
  CLONE_NEWIPC: 0x08000000, CLONE_NEWUSER: 0x10000000, CLONE_NEWPID: 0x20000000, CLONE_NEWNET: 0x40000000,
};
const CLONE_NEWTIME: NameMap = { CLONE_NEWTIME: 0x00000080 };
const CLONE_BITS: NameMap = {
  CLONE_VM: 0x00000100, CLONE_FS: 0x00000200, CLONE_FILES: 0x00000400, CLONE_SIGHAND: 0x00000800,
  CLONE_PIDFD: 0x00001000, CLONE_PTRACE: 0x00002000, CLONE_VFORK: 0x00004000, CLONE_PARENT: 0x00008000,
  CLONE_THREAD: 0x00010000, CLONE_SYSVSEM: 0x00040000, CLONE_SETTLS: 0x00080000,
  CLONE_PARENT_SETTID: 0x00100000, CLONE_CHILD_CLEARTID: 0x00200000, CLONE_DETACHED: 0x00400000,
  CLONE_UNTRACED: 0x00800000, CLONE_CHILD_SETTID: 0x01000000, CLONE_IO: 0x80000000,
  ...CLONE_NAMESPACES,
};
const CLONE_EXIT_SIGNAL_FIELD = 0xff;

// <sys/personality.h>: an execution domain in the low byte (PER_MASK), flag bits above it.
const PERSONALITY_FIELD = 0xff;
const PERSONALITY_BITS: NameMap = {
  UNAME26: 0x0020000, ADDR_NO_RANDOMIZE: 0x0040000, FDPIC_FUNCPTRS: 0x0080000, MMAP_PAGE_ZERO: 0x0100000,
  ADDR_COMPAT_LAYOUT: 0x0200000, READ_IMPLIES_EXEC: 0x0400000, ADDR_LIMIT_32BIT: 0x0800000,
  SHORT_INODE: 0x1000000, WHOLE_SECONDS: 0x2000000, STICKY_TIMEOUTS: 0x4000000, ADDR_LIMIT_3GB: 0x8000000,
};
// 0xffffffff, the value that only queries the personality, has no name in the headers.
const PERSONALITIES: NameMap = {
  PER_LINUX: 0x0000, PER_LINUX_32BIT: 0x0800000, PER_LINUX_FDPIC: 0x0080000, PER_SVR4: 0x4100001,
  PER_BSD: 0x0006, PER_LINUX32: 0x0008, PER_LINUX32_3GB: 0x8000008, PER_RISCOS: 0x000c, PER_OSF4: 0x000f,
  PER_HPUX: 0x0010,
};

// <linux/prctl.h>: the options a program is likely to use (architecture-specific ones of other
// architectures left out).
const PRCTL_OPTIONS: NameMap = {
  PR_SET_PDEATHSIG: 1, PR_GET_PDEATHSIG: 2, PR_GET_DUMPABLE: 3, PR_SET_DUMPABLE: 4, PR_GET_KEEPCAPS: 7,
  PR_SET_KEEPCAPS: 8, PR_GET_TIMING: 13, PR_SET_TIMING: 14, PR_SET_NAME: 15, PR_GET_NAME: 16,
  PR_GET_SECCOMP: 21, PR_SET_SECCOMP: 22, PR_CAPBSET_READ: 23, PR_CAPBSET_DROP: 24, PR_GET_TSC: 25,
  PR_SET_TSC: 26, PR_GET_SECUREBITS: 27, PR_SET_SECUREBITS: 28, PR_SET_TIMERSLACK: 29,
  PR_GET_TIMERSLACK: 30, PR_TASK_PERF_EVENTS_DISABLE: 31, PR_TASK_PERF_EVENTS_ENABLE: 32,
  PR_MCE_KILL: 33, PR_MCE_KILL_GET: 34, PR_SET_MM: 35, PR_SET_CHILD_SUBREAPER: 36,
  PR_GET_CHILD_SUBREAPER: 37, PR_SET_NO_NEW_PRIVS: 38, PR_GET_NO_NEW_PRIVS: 39, PR_GET_TID_ADDRESS: 40,
  PR_SET_THP_DISABLE: 41, PR_GET_THP_DISABLE: 42, PR_SET_FP_MODE: 45, PR_GET_FP_MODE: 46,
  PR_CAP_AMBIENT: 47, PR_GET_SPECULATION_CTRL: 52, PR_SET_SPECULATION_CTRL: 53, PR_SET_IO_FLUSHER: 57,
  PR_GET_IO_FLUSHER: 58, PR_SET_SYSCALL_USER_DISPATCH: 59, PR_SCHED_CORE: 62,
  PR_SET_PTRACER: 0x59616d61, PR_SET_VMA: 0x53564d41,
};

// <asm/prctl.h>.
const ARCH_PRCTL_OPTIONS: NameMap = {
  ARCH_SET_GS: 0x1001, ARCH_SET_FS: 0x1002, ARCH_GET_FS: 0x1003, ARCH_GET_GS: 0x1004,
  ARCH_GET_CPUID: 0x1011, ARCH_SET_CPUID: 0x1012, ARCH_GET_XCOMP_SUPP: 0x1021, ARCH_GET_XCOMP_PERM: 0x1022,
  ARCH_REQ_XCOMP_PERM: 0x1023, ARCH_GET_XCOMP_GUEST_PERM: 0x1024, ARCH_REQ_XCOMP_GUEST_PERM: 0x1025,
  ARCH_MAP_VDSO_X32: 0x2001, ARCH_MAP_VDSO_32: 0x2002, ARCH_MAP_VDSO_64: 0x2003,
};

// <bits/fcntl-linux.h> (x86-64: F_GETLK is F_GETLK64).
const FCNTL_COMMANDS: NameMap = {
  F_DUPFD: 0, F_GETFD: 1, F_SETFD: 2, F_GETFL: 3, F_SETFL: 4, F_GETLK: 5, F_SETLK: 6, F_SETLKW: 7,
  F_SETOWN: 8, F_GETOWN: 9, F_SETSIG: 10, F_GETSIG: 11, F_SETOWN_EX: 15, F_GETOWN_EX: 16,
  F_OFD_GETLK: 36, F_OFD_SETLK: 37, F_OFD_SETLKW: 38, F_SETLEASE: 1024, F_GETLEASE: 1025,
  F_NOTIFY: 1026, F_DUPFD_CLOEXEC: 1030, F_SETPIPE_SZ: 1031, F_GETPIPE_SZ: 1032, F_ADD_SEALS: 1033,
  F_GET_SEALS: 1034, F_GET_RW_HINT: 1035, F_SET_RW_HINT: 1036, F_GET_FILE_RW_HINT: 1037,
  F_SET_FILE_RW_HINT: 1038,
};

// <linux/keyctl.h>.
const KEYCTL_OPERATIONS: NameMap = {
  KEYCTL_GET_KEYRING_ID: 0, KEYCTL_JOIN_SESSION_KEYRING: 1, KEYCTL_UPDATE: 2, KEYCTL_REVOKE: 3,
  KEYCTL_CHOWN: 4, KEYCTL_SETPERM: 5, KEYCTL_DESCRIBE: 6, KEYCTL_CLEAR: 7, KEYCTL_LINK: 8,
  KEYCTL_UNLINK: 9, KEYCTL_SEARCH: 10, KEYCTL_READ: 11, KEYCTL_INSTANTIATE: 12, KEYCTL_NEGATE: 13,
  KEYCTL_SET_REQKEY_KEYRING: 14, KEYCTL_SET_TIMEOUT: 15, KEYCTL_ASSUME_AUTHORITY: 16,
  KEYCTL_GET_SECURITY: 17, KEYCTL_SESSION_TO_PARENT: 18, KEYCTL_REJECT: 19, KEYCTL_INSTANTIATE_IOV: 20,
  KEYCTL_INVALIDATE: 21, KEYCTL_GET_PERSISTENT: 22, KEYCTL_DH_COMPUTE: 23, KEYCTL_PKEY_QUERY: 24,
  KEYCTL_PKEY_ENCRYPT: 25, KEYCTL_PKEY_DECRYPT: 26, KEYCTL_PKEY_SIGN: 27, KEYCTL_PKEY_VERIFY: 28,
  KEYCTL_RESTRICT_KEYRING: 29, KEYCTL_MOVE: 30, KEYCTL_CAPABILITIES: 31, KEYCTL_WATCH_KEY: 32,
};

// <linux/bpf.h>: enum bpf_cmd (BPF_PROG_RUN is BPF_PROG_TEST_RUN).
const BPF_COMMANDS: NameMap = {
  BPF_MAP_CREATE: 0, BPF_MAP_LOOKUP_ELEM: 1, BPF_MAP_UPDATE_ELEM: 2, BPF_MAP_DELETE_ELEM: 3,
  BPF_MAP_GET_NEXT_KEY: 4, BPF_PROG_LOAD: 5, BPF_OBJ_PIN: 6, BPF_OBJ_GET: 7, BPF_PROG_ATTACH: 8,
  BPF_PROG_DETACH: 9, BPF_PROG_TEST_RUN: 10, BPF_PROG_GET_NEXT_ID: 11, BPF_MAP_GET_NEXT_ID: 12,
  BPF_PROG_GET_FD_BY_ID: 13, BPF_MAP_GET_FD_BY_ID: 14, BPF_OBJ_GET_INFO_BY_FD: 15, BPF_PROG_QUERY: 16,
  BPF_RAW_TRACEPOINT_OPEN: 17, BPF_BTF_LOAD: 18, BPF_BTF_GET_FD_BY_ID: 19, BPF_TASK_FD_QUERY: 20,
  BPF_MAP_LOOKUP_AND_DELETE_ELEM: 21, BPF_MAP_FREEZE: 22, BPF_BTF_GET_NEXT_ID: 23,
  BPF_MAP_LOOKUP_BATCH: 24, BPF_MAP_LOOKUP_AND_DELETE_BATCH: 25, BPF_MAP_UPDATE_BATCH: 26,
  BPF_MAP_DELETE_BATCH: 27, BPF_LINK_CREATE: 28, BPF_LINK_UPDATE: 29, BPF_LINK_GET_FD_BY_ID: 30,
  BPF_LINK_GET_NEXT_ID: 31, BPF_ENABLE_STATS: 32, BPF_ITER_CREATE: 33, BPF_LINK_DETACH: 34,
  BPF_PROG_BIND_MAP: 35,
};

// <sys/ptrace.h>: enum __ptrace_request (x86-64's requests included).
const PTRACE_REQUESTS: NameMap = {
  PTRACE_TRACEME: 0, PTRACE_PEEKTEXT: 1, PTRACE_PEEKDATA: 2, PTRACE_PEEKUSER: 3, PTRACE_POKETEXT: 4,
  PTRACE_POKEDATA: 5, PTRACE_POKEUSER: 6, PTRACE_CONT: 7, PTRACE_KILL: 8, PTRACE_SINGLESTEP: 9,
  PTRACE_GETREGS: 12, PTRACE_SETREGS: 13, PTRACE_GETFPREGS: 14, PTRACE_SETFPREGS: 15,
  PTRACE_ATTACH: 16, PTRACE_DETACH: 17, PTRACE_GETFPXREGS: 18, PTRACE_SETFPXREGS: 19,
  PTRACE_SYSCALL: 24, PTRACE_GET_THREAD_AREA: 25, PTRACE_SET_THREAD_AREA: 26, PTRACE_ARCH_PRCTL: 30,
  PTRACE_SYSEMU: 31, PTRACE_SYSEMU_SINGLESTEP: 32, PTRACE_SINGLEBLOCK: 33, PTRACE_SETOPTIONS: 0x4200,
  PTRACE_GETEVENTMSG: 0x4201, PTRACE_GETSIGINFO: 0x4202, PTRACE_SETSIGINFO: 0x4203,
  PTRACE_GETREGSET: 0x4204, PTRACE_SETREGSET: 0x4205, PTRACE_SEIZE: 0x4206, PTRACE_INTERRUPT: 0x4207,
  PTRACE_LISTEN: 0x4208, PTRACE_PEEKSIGINFO: 0x4209, PTRACE_GETSIGMASK: 0x420a,
  PTRACE_SETSIGMASK: 0x420b, PTRACE_SECCOMP_GET_FILTER: 0x420c, PTRACE_SECCOMP_GET_METADATA: 0x420d,
  PTRACE_GET_SYSCALL_INFO: 0x420e, PTRACE_GET_RSEQ_CONFIGURATION: 0x420f,
};

// <asm-generic/ioctls.h> and <linux/sockios.h> through <sys/ioctl.h>: terminal, file-descriptor
// and network-interface requests. A driver's own requests stay numbers.
const IOCTL_REQUESTS: NameMap = {
  TCGETS: 0x5401, TCSETS: 0x5402, TCSETSW: 0x5403, TCSETSF: 0x5404, TIOCEXCL: 0x540c, TIOCNXCL: 0x540d,
  TIOCSCTTY: 0x540e, TIOCGPGRP: 0x540f, TIOCSPGRP: 0x5410, TIOCOUTQ: 0x5411, TIOCSTI: 0x5412,
  TIOCGWINSZ: 0x5413, TIOCSWINSZ: 0x5414, TIOCMGET: 0x5415, FIONREAD: 0x541b, TIOCLINUX: 0x541c,
  FIONBIO: 0x5421, TIOCNOTTY: 0x5422, TIOCSETD: 0x5423, TIOCGETD: 0x5424, TIOCGSID: 0x5429,
  TIOCGPTN: 0x80045430, TIOCSPTLCK: 0x40045431, TIOCGPTPEER: 0x5441, FIONCLEX: 0x5450, FIOCLEX: 0x5451,
  FIOASYNC: 0x5452, FIOSETOWN: 0x8901, FIOGETOWN: 0x8903, SIOCATMARK: 0x8905, SIOCGIFNAME: 0x8910,
  SIOCGIFCONF: 0x8912, SIOCGIFFLAGS: 0x8913, SIOCSIFFLAGS: 0x8914, SIOCGIFADDR: 0x8915,
  SIOCGIFMTU: 0x8921, SIOCGIFHWADDR: 0x8927, SIOCGIFINDEX: 0x8933,
};

// Socket option levels: <asm/socket.h> (SOL_SOCKET), <bits/in.h>, <netinet/tcp.h>, <netinet/udp.h>,
// <bits/socket.h>. SOL_IP, SOL_TCP, SOL_UDP and SOL_IPV6 equal IPPROTO_IP, _TCP, _UDP and _IPV6.
const SOCKOPT_LEVEL = { SOL_IP: 0, SOL_SOCKET: 1, SOL_TCP: 6, SOL_UDP: 17, SOL_IPV6: 41 } as const;
const SOCKOPT_LEVELS: NameMap = {
  ...SOCKOPT_LEVEL, SOL_ICMPV6: 58, SOL_RAW: 255, SOL_PACKET: 263, SOL_NETLINK: 270, SOL_ALG: 279,
  SOL_TLS: 282, SOL_XDP: 283, SOL_MPTCP: 284,
};
// <asm-generic/socket.h>; on x86-64 SO_RCVTIMEO, SO_SNDTIMEO, SO_TIMESTAMP* are the _OLD values.
const SOCKET_OPTIONS: NameMap = {
  SO_DEBUG: 1, SO_REUSEADDR: 2, SO_TYPE: 3, SO_ERROR: 4, SO_DONTROUTE: 5, SO_BROADCAST: 6, SO_SNDBUF: 7,
  SO_RCVBUF: 8, SO_KEEPALIVE: 9, SO_OOBINLINE: 10, SO_NO_CHECK: 11, SO_PRIORITY: 12, SO_LINGER: 13,
  SO_BSDCOMPAT: 14, SO_REUSEPORT: 15, SO_PASSCRED: 16, SO_PEERCRED: 17, SO_RCVLOWAT: 18, SO_SNDLOWAT: 19,
  SO_RCVTIMEO: 20, SO_SNDTIMEO: 21, SO_BINDTODEVICE: 25, SO_ATTACH_FILTER: 26, SO_DETACH_FILTER: 27,
  SO_PEERNAME: 28, SO_TIMESTAMP: 29, SO_ACCEPTCONN: 30, SO_PEERSEC: 31, SO_SNDBUFFORCE: 32,
  SO_RCVBUFFORCE: 33, SO_PASSSEC: 34, SO_TIMESTAMPNS: 35, SO_MARK: 36, SO_TIMESTAMPING: 37,
  SO_PROTOCOL: 38, SO_DOMAIN: 39, SO_RXQ_OVFL: 40, SO_PEEK_OFF: 42, SO_BUSY_POLL: 46,
  SO_MAX_PACING_RATE: 47, SO_INCOMING_CPU: 49, SO_ATTACH_BPF: 50, SO_ATTACH_REUSEPORT_CBPF: 51,
  SO_ATTACH_REUSEPORT_EBPF: 52, SO_COOKIE: 57, SO_ZEROCOPY: 60, SO_TXTIME: 61, SO_BINDTOIFINDEX: 62,
};
// <netinet/tcp.h>.
const TCP_OPTIONS: NameMap = {
  TCP_NODELAY: 1, TCP_MAXSEG: 2, TCP_CORK: 3, TCP_KEEPIDLE: 4, TCP_KEEPINTVL: 5, TCP_KEEPCNT: 6,
  TCP_SYNCNT: 7, TCP_LINGER2: 8, TCP_DEFER_ACCEPT: 9, TCP_WINDOW_CLAMP: 10, TCP_INFO: 11,
  TCP_QUICKACK: 12, TCP_CONGESTION: 13, TCP_MD5SIG: 14, TCP_USER_TIMEOUT: 18, TCP_REPAIR: 19,
  TCP_FASTOPEN: 23, TCP_NOTSENT_LOWAT: 25, TCP_FASTOPEN_CONNECT: 30, TCP_ULP: 31, TCP_INQ: 36,
};
// <bits/in.h>.
const IP_OPTIONS: NameMap = {
  IP_TOS: 1, IP_TTL: 2, IP_HDRINCL: 3, IP_OPTIONS: 4, IP_PKTINFO: 8, IP_MTU_DISCOVER: 10, IP_RECVERR: 11,
  IP_RECVTTL: 12, IP_RECVTOS: 13, IP_MTU: 14, IP_FREEBIND: 15, IP_TRANSPARENT: 19,
  IP_BIND_ADDRESS_NO_PORT: 24, IP_MULTICAST_IF: 32, IP_MULTICAST_TTL: 33, IP_MULTICAST_LOOP: 34,
  IP_ADD_MEMBERSHIP: 35, IP_DROP_MEMBERSHIP: 36,
};
const IPV6_OPTIONS: NameMap = {
  IPV6_ADDRFORM: 1, IPV6_CHECKSUM: 7, IPV6_UNICAST_HOPS: 16, IPV6_MULTICAST_IF: 17,
  IPV6_MULTICAST_HOPS: 18, IPV6_MULTICAST_LOOP: 19, IPV6_JOIN_GROUP: 20, IPV6_LEAVE_GROUP: 21,
  IPV6_MTU_DISCOVER: 23, IPV6_MTU: 24, IPV6_RECVERR: 25, IPV6_V6ONLY: 26, IPV6_RECVPKTINFO: 49,
  IPV6_PKTINFO: 50, IPV6_TCLASS: 67, IPV6_TRANSPARENT: 75, IPV6_FREEBIND: 78,
};

const PROT: ArgumentNames = { values: PROT_ZERO, bits: PROT_BITS };
const SOCKET_ARGS: Readonly<Record<string, NameTable>> = {
  family: { values: ADDRESS_FAMILIES },
  type: { values: SOCKET_TYPES, field: SOCKET_TYPE_FIELD, bits: SOCKET_TYPE_FLAGS },
};

/** The names, by syscall and then argument name, for every argument of RESTRICTED_ARGUMENTS. */
export const VALUE_NAMES: Readonly<Record<string, Readonly<Record<string, NameTable>>>> = {
  clone: { flags: { values: SIGNALS, field: CLONE_EXIT_SIGNAL_FIELD, bits: CLONE_BITS } },
  unshare: { unshare_flags: { bits: { ...CLONE_BITS, ...CLONE_NEWTIME } } },
  setns: { nstype: { bits: { ...CLONE_NAMESPACES, ...CLONE_NEWTIME } } },
  socket: SOCKET_ARGS,
  socketpair: SOCKET_ARGS,
  mmap: { prot: PROT, flags: { values: MAP_TYPES, field: MAP_TYPE_FIELD, bits: MAP_BITS } },
  mprotect: { prot: PROT },
  pkey_mprotect: { prot: PROT },
  personality: { personality: { values: PERSONALITIES, field: PERSONALITY_FIELD, bits: PERSONALITY_BITS, hex: true } },
  prctl: { option: { values: PRCTL_OPTIONS } },
  arch_prctl: { option: { values: ARCH_PRCTL_OPTIONS, hex: true } },
  ioctl: { cmd: { values: IOCTL_REQUESTS, hex: true } },
  fcntl: { cmd: { values: FCNTL_COMMANDS } },
  madvise: { behavior: { values: MADVICE } },
  keyctl: { option: { values: KEYCTL_OPERATIONS } },
  bpf: { cmd: { values: BPF_COMMANDS } },
  ptrace: { request: { values: PTRACE_REQUESTS } },
  kill: { sig: { values: SIGNALS } },
  tgkill: { sig: { values: SIGNALS } },
  setsockopt: {
    level: { values: SOCKOPT_LEVELS },
    optname: {
      by: 'level',
      cases: {
        [SOCKOPT_LEVEL.SOL_SOCKET]: { values: SOCKET_OPTIONS },
        [SOCKOPT_LEVEL.SOL_TCP]: { values: TCP_OPTIONS },
        [SOCKOPT_LEVEL.SOL_IP]: { values: IP_OPTIONS },
        [SOCKOPT_LEVEL.SOL_IPV6]: { values: IPV6_OPTIONS },
      },
    },
  },
};

/** The names that apply to one argument, given the values of the call's other arguments where known. */
export function namesFor(syscall: string, argName: string, others: Readonly<Record<string, number>> = {}): ArgumentNames | undefined {
  const table = VALUE_NAMES[syscall]?.[argName];
  if (table === undefined || !('by' in table)) return table;
  const key = others[table.by];
  return key === undefined ? undefined : table.cases[key];
}

const byValue = new WeakMap<NameMap, Map<bigint, string>>();

function nameOf(map: NameMap | undefined, v: bigint): string | undefined {
  if (map === undefined) return undefined;
  let reverse = byValue.get(map);
  if (!reverse) {
    reverse = new Map(Object.entries(map).map(([name, n]) => [BigInt(n), name]));
    byValue.set(map, reverse);
  }
  return reverse.get(v);
}

const hex = (v: bigint): string => `0x${v.toString(16)}`;

/**
 * An argument value as a reviewer reads it: its name (`AF_PACKET`), its field's name and bits
 * (`MAP_PRIVATE|MAP_ANONYMOUS`, `PROT_READ|0x100` for a bit without a name), or a number when the
 * headers name none (decimal for a value, hex for flags). `others` holds the call's other
 * arguments where a rule pins them to one value: setsockopt's optname is named after its level.
 */
export function valueText(syscall: string, argName: string, kind: ArgumentKind, value: number, others?: Readonly<Record<string, number>>): string {
  const names = namesFor(syscall, argName, others);
  if (!Number.isSafeInteger(value)) return String(value);
  const v = BigInt.asUintN(64, BigInt(value));
  const number = (): string => (kind === 'flags' || names?.hex ? hex(v) : String(value));
  if (names === undefined) return number();
  const whole = nameOf(names.values, v);
  if (whole !== undefined) return whole;
  if (names.bits === undefined) return number();
  const field = BigInt(names.field ?? 0);
  const parts: string[] = [];
  if (field !== 0n) {
    const fieldName = nameOf(names.values, v & field);
    if (fieldName !== undefined) parts.push(fieldName);
    else if ((v & field) !== 0n) return number();
  }
  let rest = v & ~field;
  const bits = Object.entries(names.bits).map(([name, n]) => [name, BigInt(n)] as const).sort((a, b) => (a[1] < b[1] ? -1 : 1));
  for (const [name, bit] of bits) {
    if ((rest & bit) === bit) {
      parts.push(name);
      rest &= ~bit;
    }
  }
  if (rest !== 0n) parts.push(hex(rest));
  return parts.length > 0 ? parts.join('|') : '0';
}
