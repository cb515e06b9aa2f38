// Runs the real CLI the way a user would and compares its report with what strace saw.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFINE_BIN } from './paths.js';

/** One entry of the report's `syscalls` array. */
export interface ReportSyscall {
  name: string;
  nr: number;
  programs: string[];
  path: unknown;
}

/** The parts of `confine analyze --json` output the tests rely on. */
export interface ConfineReport {
  syscalls: ReportSyscall[];
  unresolved: unknown[];
}

/** Runs `confine analyze --rootfs ROOTFS --program P... --json FILE` and returns the parsed report. */
export async function analyze(programs: string[], opts: { rootfs?: string; timeoutMs?: number } = {}): Promise<ConfineReport> {
  const dir = mkdtempSync(join(tmpdir(), 'confine-report-'));
  const json = join(dir, 'report.json');
  const args = [CONFINE_BIN, 'analyze', '--rootfs', opts.rootfs ?? '/'];
  for (const p of programs) args.push('--program', p);
  args.push('--json', json);
  try {
    await new Promise<void>((resolve, reject) => {
      execFile(
        process.execPath,
        args,
        { timeout: opts.timeoutMs ?? 300_000, maxBuffer: 64 << 20 },
        (err, _stdout, stderr) => {
          if (err) {
            const tail = stderr.trim().split('\n').slice(-15).join('\n');
            reject(new Error(`confine analyze ${programs.join(' ')} failed (${err.message.split('\n')[0]}):\n${tail}`));
          } else resolve();
        },
      );
    });
    const report = JSON.parse(readFileSync(json, 'utf8')) as ConfineReport;
    if (!Array.isArray(report.syscalls) || !Array.isArray(report.unresolved)) {
      throw new Error(`report for ${programs.join(' ')} lacks a syscalls or unresolved array`);
    }
    return report;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The names in `observed` that the report does not list, sorted. */
export function missingFrom(observed: Iterable<string>, report: ConfineReport): string[] {
  const found = new Set(report.syscalls.map((s) => s.name));
  return [...new Set(observed)].filter((n) => !found.has(n)).sort();
}

/** A failure message naming what the static analysis missed for one program. */
export function describeMissing(program: string, missing: string[], what = 'syscalls strace observed'): string {
  return `${program}: the static analysis misses ${missing.length} ${what}: ${missing.join(', ')}`;
}
