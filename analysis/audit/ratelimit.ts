// Lifting the kernel's printk rate limit while audit records are read from the kernel log, shared by
// every reader on the machine: each holds a lease (a file named after it), the first saves the
// original value, and the last one out restores it, also when a holder died without releasing.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { processAlive } from '../profile/proc.js';

const RATELIMIT = '/proc/sys/kernel/printk_ratelimit';
const LEASES = '/run/confine/printk-ratelimit';
const SAVED = 'saved';

/** Live leases, after dropping those of processes that are gone. */
function liveLeases(): string[] {
  const out: string[] = [];
  for (const f of readdirSync(LEASES)) {
    if (f === SAVED) continue;
    if (processAlive(Number(f.split('-')[0]))) out.push(f);
    else rmSync(join(LEASES, f), { force: true });
  }
  return out;
}

function restoreIfLast(): void {
  if (liveLeases().length > 0) return;
  const saved = join(LEASES, SAVED);
  if (!existsSync(saved)) return;
  writeFileSync(RATELIMIT, readFileSync(saved, 'utf8').trim());
  rmSync(saved, { force: true });
}

/** Sets printk_ratelimit to 0 until release(); problem says why it could not (records may then be dropped). */
export function liftPrintkRatelimit(): { release: () => void; problem?: string } {
  let lease: string;
  try {
    mkdirSync(LEASES, { recursive: true });
    // A holder that died left the limit lifted: its stale lease is dropped here, the value stays saved.
    liveLeases();
    const saved = join(LEASES, SAVED);
    if (!existsSync(saved)) writeFileSync(saved, readFileSync(RATELIMIT, 'utf8').trim());
    lease = join(LEASES, `${process.pid}-${threadId}-${randomBytes(4).toString('hex')}`);
    writeFileSync(lease, '');
    writeFileSync(RATELIMIT, '0');
  } catch (e) {
    return { release: () => undefined, problem: (e as Error).message };
  }
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.off('exit', release);
    try {
      rmSync(lease, { force: true });
      restoreIfLast();
    } catch {
      // best effort: the next reader restores it
    }
  };
  process.on('exit', release);
  return { release };
}
