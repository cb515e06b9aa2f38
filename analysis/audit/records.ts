// The kernel's seccomp audit record (type=1326, AUDIT_SECCOMP): one line per logged syscall.

/** One seccomp audit record: a syscall a filter logged (SCMP_ACT_LOG) or acted on. */
export interface SeccompRecord {
  /** audit(SECONDS.MILLIS:SERIAL): the serial orders records of one boot. */
  serial: number;
  time: number;
  pid: number;
  comm: string;
  exe: string;
  arch: string;
  syscall: number;
  /** The filter's return value: 0x7ffc0000 is SCMP_ACT_LOG. */
  code: number;
}

export const AUDIT_ARCH_X86_64 = 'c000003e';
export const SECCOMP_RET_LOG = 0x7ffc0000;

// The kernel log says `type=1326 audit(...)`; auditd's log says `type=SECCOMP msg=audit(...)` and,
// in its enriched format, appends interpreted fields after a 0x1d separator.
const RECORD = /type=(?:1326|SECCOMP) (?:msg=)?audit\((\d+)\.(\d+):(\d+)\): (.*)$/;

/** Parses a seccomp record from /dev/kmsg or auditd's audit.log; undefined for any other line. */
export function parseSeccompRecord(line: string): SeccompRecord | undefined {
  const m = RECORD.exec(line.split('\x1d')[0]);
  if (!m) return undefined;
  const f = fields(m[4]);
  const pid = Number(f.get('pid'));
  const syscall = Number(f.get('syscall'));
  if (!Number.isInteger(pid) || !Number.isInteger(syscall)) return undefined;
  return {
    serial: Number(m[3]),
    time: Number(m[1]) * 1000 + Number(m[2]),
    pid,
    comm: f.get('comm') ?? '',
    exe: f.get('exe') ?? '',
    arch: f.get('arch') ?? '',
    syscall,
    code: Number(f.get('code') ?? '0'),
  };
}

// key=value pairs; values may be "quoted" (comm, exe) or hex-encoded when they hold odd bytes.
function fields(s: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /(\w+)=("([^"]*)"|\S+)/g;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    const raw = m[3] ?? m[2];
    out.set(m[1], m[3] === undefined && (m[1] === 'comm' || m[1] === 'exe') && /^[0-9A-F]+$/.test(raw) && raw.length % 2 === 0 ? Buffer.from(raw, 'hex').toString() : raw);
  }
  return out;
}
