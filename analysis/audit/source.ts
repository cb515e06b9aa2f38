// Where the kernel's audit records can be read: auditd's log when auditd runs, otherwise the kernel
// log (/dev/kmsg), where records are printed with a rate limit that must be lifted while we read.
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, readdirSync, statSync, constants } from 'node:fs';
import { parseSeccompRecord, type SeccompRecord } from './records.js';
import { liftPrintkRatelimit } from './ratelimit.js';

/** A stream of seccomp audit records written after it was opened. */
export interface AuditSource {
  readonly kind: 'auditd' | 'kmsg';
  /** Records that arrived since the last call. */
  read(): SeccompRecord[];
  /** Problems that make the record stream incomplete (lost records, rate limits). */
  readonly warnings: string[];
  /** Set once records may have been lost: a clean result cannot be trusted then. */
  readonly lost: boolean;
  close(): void;
}

const AUDIT_LOG = '/var/log/audit/audit.log';

/** Opens the best available source; throws when neither can be read (not root). */
export function openAuditSource(): AuditSource {
  if (auditdRunning() && existsSync(AUDIT_LOG)) return new AuditLogSource(AUDIT_LOG);
  return new KmsgSource();
}

function auditdRunning(): boolean {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/comm`, 'utf8').trim() === 'auditd') return true;
    } catch {
      // the process ended while we looked
    }
  }
  return false;
}

/** auditd's log, followed across rotation: the old file is read to its end before the new one. */
class AuditLogSource implements AuditSource {
  readonly kind = 'auditd';
  readonly warnings: string[] = [];
  lost = false;
  private fd: number;
  private ino: number;
  private offset: number;
  private rest = '';

  constructor(private readonly path: string) {
    this.fd = openSync(path, 'r');
    const st = fstatSync(this.fd);
    this.ino = st.ino;
    this.offset = st.size;
  }

  read(): SeccompRecord[] {
    const out = this.drain();
    let now: ReturnType<typeof statSync> | undefined;
    try {
      now = statSync(this.path);
    } catch {
      return out; // mid-rotation: the new file is not there yet
    }
    if (now.ino !== this.ino) {
      // Rotated: what was written to the old file is drained above; continue at the new file's start.
      closeSync(this.fd);
      this.fd = openSync(this.path, 'r');
      this.ino = fstatSync(this.fd).ino;
      this.offset = 0;
      this.rest = '';
      out.push(...this.drain());
    }
    return out;
  }

  private drain(): SeccompRecord[] {
    const out: SeccompRecord[] = [];
    const buf = Buffer.alloc(1 << 20);
    for (;;) {
      const n = readSync(this.fd, buf, 0, buf.length, this.offset);
      if (n === 0) break;
      this.offset += n;
      const lines = (this.rest + buf.subarray(0, n).toString('utf8')).split('\n');
      this.rest = lines.pop() ?? '';
      for (const l of lines) {
        const r = parseSeccompRecord(l);
        if (r) out.push(r);
        else if (/type=(DAEMON_ERR|DAEMON_ABORT)|audit_lost|backlog/.test(l)) this.noteLoss(`auditd: ${l.trim().slice(0, 200)}`);
      }
    }
    return out;
  }

  private noteLoss(what: string): void {
    this.lost = true;
    this.warnings.push(what);
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** The kernel log: records since the source was opened, read without blocking. */
class KmsgSource implements AuditSource {
  readonly kind = 'kmsg';
  readonly warnings: string[] = [];
  lost = false;
  private readonly fd: number;
  private readonly buf = Buffer.alloc(16384);
  private readonly release: () => void;

  constructor() {
    this.fd = openSync('/dev/kmsg', constants.O_RDONLY | constants.O_NONBLOCK);
    // Without auditd the kernel prints records through printk_ratelimit(): 10 per 5 s by default,
    // which would silently drop would-be denials.
    const lease = liftPrintkRatelimit();
    this.release = lease.release;
    if (lease.problem) {
      this.lost = true;
      this.warnings.push(`cannot lift the kernel's printk rate limit (${lease.problem}): audit records may be dropped`);
    }
    // Skip what is already in the ring buffer.
    this.drain(() => undefined);
  }

  private drain(each: (line: string) => void): void {
    for (;;) {
      let n: number;
      try {
        n = readSync(this.fd, this.buf, 0, this.buf.length, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') return;
        // EPIPE: the ring buffer wrapped past our position; the next read resumes at the oldest record.
        if (code === 'EPIPE') {
          this.noteLoss('the kernel log wrapped while reading: some audit records were lost');
          continue;
        }
        throw e;
      }
      if (n === 0) return;
      each(this.buf.subarray(0, n).toString('utf8'));
    }
  }

  private noteLoss(what: string): void {
    this.lost = true;
    if (!this.warnings.includes(what)) this.warnings.push(what);
  }

  read(): SeccompRecord[] {
    const out: SeccompRecord[] = [];
    this.drain((line) => {
      const body = line.slice(line.indexOf(';') + 1).split('\n')[0];
      const r = parseSeccompRecord(body);
      if (r) out.push(r);
      else if (/audit: (audit_lost|backlog limit exceeded|kauditd hold queue overflow)|audit_lost=|callbacks suppressed/.test(body)) {
        this.noteLoss(`kernel: ${body.trim()}`);
      }
    });
    return out;
  }

  close(): void {
    this.release();
    closeSync(this.fd);
  }
}
