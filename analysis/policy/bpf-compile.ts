// A policy as the seccomp BPF program the kernel loads: the raw export and what the launcher of a
// hardened program installs. libseccomp compiles it (native/bpf-compile.c, run as a child process:
// the library Docker's runc and systemd use, not a compiler of our own); this module only writes
// its input from the same policy entries the JSON exports are made of, so every format says the same.
import { spawn } from 'node:child_process';
import { MAX_SYSCALL } from '../x86_64/syscall-table.js';
import type { PolicyEntry } from './exports.js';
import { nativeTool } from './native-tools.js';
import type { SeccompCondition, SeccompOp } from './seccomp-condition.js';

/** EPERM: what the exported profiles answer by default (their defaultErrnoRet). */
const EPERM = 1;

const OPS: Record<SeccompOp, string> = {
  SCMP_CMP_EQ: 'eq',
  SCMP_CMP_NE: 'ne',
  SCMP_CMP_LT: 'lt',
  SCMP_CMP_LE: 'le',
  SCMP_CMP_GT: 'gt',
  SCMP_CMP_GE: 'ge',
  SCMP_CMP_MASKED_EQ: 'masked_eq',
};

export interface BpfOptions {
  /** verify's variant: what the policy denies is logged (SCMP_ACT_LOG) and allowed; an ENOSYS answer stays. */
  log?: boolean;
}

/** The kernel compares 64-bit registers: a condition's operands as unsigned 64-bit numbers. */
function u64(n: number): string {
  return BigInt.asUintN(64, BigInt(n)).toString();
}

function condition(c: SeccompCondition): string {
  return c.op === 'SCMP_CMP_MASKED_EQ' ? `${c.index} masked_eq ${u64(c.value)} ${u64(c.valueTwo ?? 0)}` : `${c.index} ${OPS[c.op]} ${u64(c.value)}`;
}

/**
 * confine-bpfc's input for a policy: EPERM by default (verify: log), x32 and other architectures
 * like a denied syscall, and ENOSYS above the last number of the tool's syscall table, so a program
 * newer than the table falls back as it would on an older kernel (design rule 7 denies them in the
 * JSON exports, which cannot say "above N").
 */
export function bpfCompilerInput(entries: readonly PolicyEntry[], opts: BpfOptions = {}): string {
  const lines = [opts.log ? 'default log' : `default errno ${EPERM}`, `enosys-above ${MAX_SYSCALL}`];
  for (const e of entries) {
    if (e.errno !== undefined) lines.push(`rule errno ${e.errno} ${e.nr}`);
    else if (!e.args || e.args.length === 0) lines.push(`rule allow ${e.nr}`);
    else for (const alt of e.args) lines.push(`rule allow ${e.nr} ${alt.map(condition).join(' ')}`.trimEnd());
  }
  return `${lines.join('\n')}\n`;
}

/** Compiles the policy; the bytes are an array of struct sock_filter, as prctl/seccomp(2) take it. */
export function compileBpf(entries: readonly PolicyEntry[], opts: BpfOptions = {}): Promise<Buffer> {
  const input = bpfCompilerInput(entries, opts);
  const tool = nativeTool('confine-bpfc');
  return new Promise((resolve, reject) => {
    const child = spawn(tool, [], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`${tool} failed (exit ${code}): ${err.trim() || 'no message'}`));
    });
    child.stdin.end(input);
  });
}

