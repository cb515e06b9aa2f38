// The command line: `confine analyze --rootfs DIR --program PATH ... [--json F] [--profile F] [--cache-dir D] [--strict]`.
import { writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { analyze, type Progress } from '../analysis/analyze.js';
import { dockerProfile } from '../analysis/policy/docker.js';
import { InputError } from '../analysis/errors.js';
import type { Report } from '../analysis/graph/report.js';

const USAGE = `usage: confine analyze --rootfs DIR --program PATH [--program PATH]... [--json FILE] [--profile FILE] [--cache-dir DIR] [--no-cache] [--workers N] [--strict]`;

class UsageError extends Error {}

function defaultCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'confine', 'facts');
}

function progressLine(p: Progress): void {
  if (!process.stderr.isTTY) return;
  const what = p.phase === 'objects' ? `analysing objects ${p.done}/${p.total}` : p.phase === 'load' ? 'loading' : p.phase === 'graph' ? 'call graph' : 'done';
  const file = p.file ? ` ${p.file}` : '';
  process.stderr.write(`\r\x1b[K${what}${file}`.slice(0, (process.stderr.columns || 100) + 4));
  if (p.phase === 'done') process.stderr.write('\r\x1b[K');
}

function printSummary(r: Report): void {
  const out: string[] = [];
  out.push(`${r.syscalls.length} syscalls allowed (x86-64, Linux ${r.kernel} table) for ${r.programs.length} program(s) in ${r.rootfs}`);
  for (const p of r.programs) out.push(`  ${p.path}: ${p.syscalls} syscalls, ${p.objects.length} objects, ${p.unresolved} unresolved site(s)`);
  if (r.unresolved.length > 0) {
    out.push(`${r.unresolved.length} unresolved site(s) (needs review):`);
    for (const u of r.unresolved.slice(0, 10)) {
      out.push(`  ${u.object}:${u.function} at 0x${u.address}: ${u.reason}`);
      out.push(`    path: ${u.path.map((s) => `${s.object.split('/').pop()}:${s.function}`).join(' -> ')}`);
    }
    if (r.unresolved.length > 10) out.push(`  ... ${r.unresolved.length - 10} more in the JSON report`);
  }
  for (const w of r.warnings.slice(0, 10)) out.push(`warning: ${w}`);
  out.push(`${r.stats.objects} objects, ${r.stats.functions} functions, ${r.stats.instructions} instructions (${r.stats.cachedObjects} objects from cache) in ${r.stats.seconds.toFixed(2)} s`);
  process.stdout.write(out.join('\n') + '\n');
}

async function cmdAnalyze(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        rootfs: { type: 'string' },
        program: { type: 'string', multiple: true },
        json: { type: 'string' },
        profile: { type: 'string' },
        'cache-dir': { type: 'string' },
        'no-cache': { type: 'boolean' },
        workers: { type: 'string' },
        strict: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (!values.rootfs) throw new UsageError('--rootfs is required');
  if (!values.program || values.program.length === 0) throw new UsageError('at least one --program is required');
  for (const p of values.program) if (!p.startsWith('/')) throw new UsageError(`--program ${p}: give the absolute path inside the rootfs`);
  const workers = values.workers !== undefined ? Number(values.workers) : undefined;
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 0)) throw new UsageError('--workers takes a whole number');
  const report = await analyze({
    rootfs: resolve(values.rootfs),
    programs: values.program,
    cacheDir: values['no-cache'] ? undefined : values['cache-dir'] ? resolve(values['cache-dir']) : defaultCacheDir(),
    workers,
    onProgress: progressLine,
  });
  if (values.json) writeFileSync(values.json, JSON.stringify(report, null, 2) + '\n');
  if (values.profile) writeFileSync(values.profile, JSON.stringify(dockerProfile(report.syscalls), null, 2) + '\n');
  printSummary(report);
  if (values.strict && report.unresolved.length > 0) return 3;
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (cmd === 'analyze') return await cmdAnalyze(rest);
    if (cmd === '--help' || cmd === '-h' || cmd === 'help') {
      process.stdout.write(USAGE + '\n');
      return 0;
    }
    throw new UsageError(cmd ? `unknown command ${cmd}` : 'no command given');
  } catch (e) {
    if (e instanceof InputError) {
      process.stderr.write(`confine: ${e.message.split('\n')[0]}\n`);
      return 2;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`confine: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    const err = e as Error & { file?: string; problem?: string };
    if (err.file && err.problem) {
      process.stderr.write(`confine: ${err.file}: ${err.problem}\n`);
      return 2;
    }
    process.stderr.write(`confine: internal error: ${err.message}${process.env.CONFINE_DEBUG ? `\n${err.stack}` : ''}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
