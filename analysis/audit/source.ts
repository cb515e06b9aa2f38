// Where the kernel's audit records can be read: auditd's log when auditd runs, otherwise the kernel
// log (/dev/kmsg), where records are printed with a rate limit that must be lifted while we read.
import { closeSync, existsSync, openSync, readFileSync, readSync, readdirSync, statSync, writeFileSync, constants } from 'node:fs';
import { parseSeccompRecord, type SeccompRecord } from './records.js';

/** A stream of seccomp audit records written after it was opened. */
export interface AuditSource {
  readonly kind: 'auditd' | 'kmsg';
  /** Records that arrived since the last call. */
  read(): SeccompRecord[];
  /** Problems that make the record stream incomplete (lost records, rate limits). */
  readonly warnings: string[];
  close(): void;
}

const AUDIT_LOG = '/var/log/audit/audit.log';
const RATELIMIT = '/proc/sys/kernel/printk_ratelimit';

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

class AuditLogSource implements AuditSource {
  readonly kind = 'auditd';
  readonly warnings: string[] = [];
  private offset: number;
  private rest = '';

  constructor(private readonly path: string) {
    this.offset = statSync(path).size;
  }

  read(): SeccompRecord[] {
    const size = statSync(this.path).size;
    // auditd rotated the log: start over in the new file.
    if (size < this.offset) this.offset = 0;
    if (size === this.offset) return [];
    const fd = openSync(this.path, 'r');
    try {
      const buf = Buffer.alloc(size - this.offset);
      const n = readSync(fd, buf, 0, buf.length, this.offset);
      this.offset += n;
      const text = this.rest + buf.subarray(0, n).toString('utf8');
      const lines = text.split('\n');
      this.rest = lines.pop() ?? '';
      return lines.map(parseSeccompRecord).filter((r): r is SeccompRecord => r !== undefined);
    } finally {
      closeSync(fd);
    }
  }

  close(): void {}
}

class KmsgSource implements AuditSource {
  readonly kind = 'kmsg';
  readonly warnings: string[] = [];
  private readonly fd: number;
  private readonly buf = Buffer.alloc(16384);
  private savedRatelimit: string | undefined;

  constructor() {
    this.fd = openSync('/dev/kmsg', constants.O_RDONLY | constants.O_NONBLOCK);
    // Without auditd the kernel prints records through printk_ratelimit(): 10 per 5 s by default,
    // which would silently drop would-be denials. Lift it while we read; restored in close().
    try {
      this.savedRatelimit = readFileSync(RATELIMIT, 'utf8').trim();
      if (this.savedRatelimit !== '0') writeFileSync(RATELIMIT, '0');
    } catch (e) {
      this.savedRatelimit = undefined;
      this.warnings.push(`cannot lift the kernel's printk rate limit (${(e as Error).message}): audit records may be dropped`);
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
          this.warnings.push('the kernel log wrapped while reading: some audit records were lost');
          continue;
        }
        throw e;
      }
      if (n === 0) return;
      each(this.buf.subarray(0, n).toString('utf8'));
    }
  }

  read(): SeccompRecord[] {
    const out: SeccompRecord[] = [];
    this.drain((line) => {
      const body = line.slice(line.indexOf(';') + 1).split('\n')[0];
      const r = parseSeccompRecord(body);
      if (r) out.push(r);
      else if (/audit: (audit_lost|backlog limit exceeded|kauditd hold queue overflow)|audit_lost=/.test(body) || /callbacks suppressed/.test(body)) {
        this.warnings.push(`kernel: ${body.trim()}`);
      }
    });
    return out;
  }

  close(): void {
    if (this.savedRatelimit !== undefined && this.savedRatelimit !== '0') {
      try {
        writeFileSync(RATELIMIT, this.savedRatelimit);
      } catch {
        // best effort: the value was ours to restore
      }
    }
    closeSync(this.fd);
  }
}
