// The command line: `confine analyze (IMAGE | --rootfs DIR) ...` and `confine verify IMAGE --profile F -- WORKLOAD`.
import { defaultCacheRoot } from '../analysis/cache/layout.js';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cveSummary } from '../analysis/policy/cve-verdicts.js';
import { exportReport, policyEntries } from '../analysis/policy/exports.js';
import { compileBpf } from '../analysis/policy/bpf-compile.js';
import { explain, syscallOf } from '../analysis/policy/explain.js';
import { programProfileName } from '../analysis/policy/per-program.js';
import { reviewSubject } from '../analysis/policy/review.js';
import { readWorkspaceReviews } from '../electron/service/workspace.js';
import { checkRequest } from '../analysis/request.js';
import { runRequest } from '../analysis/run-request.js';
import { checkRunSettings } from '../analysis/profile/run-settings.js';
import { checkProfile, verify } from '../analysis/verify/verify.js';
import { dockerFrom, inspectImage } from '../analysis/image/engine.js';
import { AnalysisCancelled, InputError } from '../analysis/errors.js';
import type { Report } from '../analysis/graph/report.js';
import { cmdServe, SERVE_USAGE } from '../electron/serve.js';
import { imageProgressLine, numberFlag, parseCommand, SETTINGS_OPTIONS, SETTINGS_USAGE, settingsFrom, statusLine, UsageError } from './cli-common.js';
import { cmdHarden, HARDEN_USAGE } from './cmd-harden.js';

const USAGE = `usage:
  confine analyze IMAGE [--seconds N] [--program PATH]... [--network none|host] [--cmd ARG]... [--json FILE] [--profile FILE] [--bpf FILE] [--profiles-dir DIR] [--review WORKSPACE] [--cache-dir DIR] [--strict] ${SETTINGS_USAGE}
      IMAGE: an image in the Docker engine, a docker-save or OCI tarball, an OCI layout or a rootfs directory
      --profile: the container-wide policy; --bpf: the same as the raw seccomp BPF the kernel loads; --profiles-dir: one narrower policy per program
      --review: apply the app's review of this image (its workspace file) to those profiles
      --user ... --cap-drop: how the container will be run (as docker run takes them); the runtime's own syscalls depend on them
  confine analyze --rootfs DIR --program PATH [--program PATH]... [--json FILE] [--profile FILE] [--review WORKSPACE] [--cache-dir DIR] [--no-cache] [--workers N] [--strict]
  confine verify IMAGE --profile FILE [--network host|none] [--seconds N] [--cmd ARG]... [--json FILE] ${SETTINGS_USAGE} -- WORKLOAD...
      exit 0: no would-be denials; 4: would-be denials; 5: the workload failed; 6: records were lost; 2: bad input
  ${HARDEN_USAGE}
  confine explain REPORT SYSCALL
      why a report (written by analyze --json) allows a syscall: every reachable site and its path; exit 1 when it does not
  ${SERVE_USAGE}
      the UI in a browser: 127.0.0.1 only, a token in the printed URL`;

function printSummary(r: Report, reviewed = false): void {
  const out: string[] = [];
  const where = r.image ? `image ${r.image.ref}` : r.rootfs;
  out.push(`${r.syscalls.length} syscalls allowed (x86-64, Linux ${r.kernel} table) for ${r.programs.length} program(s) in ${where}`);
  if (r.phase1) out.push(`phase 1 (${r.phase1.method}, ${r.phase1.seconds} s): ${r.phase1.execs} exec(s) of ${r.programs.length} program(s)`);
  for (const p of r.programs) {
    const seen = p.execs !== undefined ? ` (ran ${p.execs}x)` : '';
    if (p.error) out.push(`  ${p.path}${seen}: ${p.error}`);
    else if (p.objects.length === 0) out.push(`  ${p.path}${seen}: script${p.interpreterOf ? '' : ', run by its interpreter'}`);
    else out.push(`  ${p.path}${seen}: ${p.syscalls} syscalls, ${p.objects.length} objects, ${p.unresolved} unresolved site(s)${p.notFullyAnalysed ? ', NOT FULLY ANALYSED' : ''}`);
  }
  const partial = r.programs.filter((p) => p.notFullyAnalysed);
  if (partial.length > 0) {
    out.push(`${partial.length} program(s) not fully analysed (their policy may miss syscalls):`);
    for (const p of partial) for (const why of p.notFullyAnalysed!.slice(0, 5)) out.push(`  ${p.path}: ${why}`);
  }
  if (r.runtime) out.push(`runtime ${r.runtime.runtime} ${r.runtime.version}: ${r.runtime.syscalls.length} syscalls before exec (${r.runtime.cached ? 'cached' : `measured, ${r.runtime.runs} runs`})`);
  if (r.cves) {
    const c = cveSummary(r.cves);
    out.push(`kernel CVEs of the table (${c.total}): this policy${reviewed ? ' (as analysed, before the review)' : ''} blocks ${c.policy.denied + c.policy.argument} (${c.policy.denied} denied outright, ${c.policy.argument} by an argument rule); Docker's default blocks ${c.dockerDefault.denied + c.dockerDefault.argument} (${c.dockerDefault.denied}, ${c.dockerDefault.argument})`);
    if (c.dockerOnly.length > 0) out.push(`  blocked by Docker's default but not by this policy: ${c.dockerOnly.join(' ')}`);
  }
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
  const { values, positionals } = parseCommand(argv, {
    rootfs: { type: 'string' },
    program: { type: 'string', multiple: true },
    seconds: { type: 'string' },
    network: { type: 'string' },
    cmd: { type: 'string', multiple: true },
    json: { type: 'string' },
    profile: { type: 'string' },
    bpf: { type: 'string' },
    'profiles-dir': { type: 'string' },
    review: { type: 'string' },
    'cache-dir': { type: 'string' },
    'no-cache': { type: 'boolean' },
    workers: { type: 'string' },
    strict: { type: 'boolean' },
    ...SETTINGS_OPTIONS,
  });
  if (positionals.length > 1) throw new UsageError(`one IMAGE at a time (got ${positionals.join(', ')})`);
  const image = positionals[0];
  if (image !== undefined && values.rootfs) throw new UsageError('give IMAGE or --rootfs, not both');
  if (image === undefined && !values.rootfs) throw new UsageError('give an IMAGE, or --rootfs DIR with --program');
  const workers = values.workers !== undefined ? Number(values.workers) : undefined;
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 0)) throw new UsageError('--workers takes a whole number');
  if (values['no-cache'] && image !== undefined) throw new UsageError('--no-cache is for --rootfs analyses');
  if (values.review !== undefined && !values.profile && !values.bpf && !values['profiles-dir']) throw new UsageError('--review applies a review to --profile or --profiles-dir: give one of them');
  // Read before the analysis: a bad file fails at once.
  const workspace = values.review !== undefined ? readWorkspaceReviews(resolve(values.review)) : undefined;
  const cacheRoot = values['cache-dir'] ? resolve(values['cache-dir']) : defaultCacheRoot();
  // The same request, checked by the same validator, as the UI sends.
  const request = checkRequest(
    image !== undefined
      ? { target: { kind: 'engine', image }, seconds: numberFlag(values.seconds, '--seconds'), programs: values.program, network: values.network, cmd: values.cmd, settings: settingsFrom(values) }
      : { target: { kind: 'rootfs', rootfs: resolve(values.rootfs!), programs: values.program ?? [] }, seconds: numberFlag(values.seconds, '--seconds'), network: values.network, cmd: values.cmd, settings: settingsFrom(values) },
  );
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.once('SIGINT', onSigint);
  let report: Report;
  try {
    report = await runRequest(request, { cacheDir: cacheRoot, noCache: values['no-cache'], workers, signal: abort.signal, onProgress: imageProgressLine });
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (abort.signal.aborted) throw new AnalysisCancelled();
  const title = image ?? (values.program ?? []).join(' ');
  if (values.json) writeFileSync(values.json, JSON.stringify(report, null, 2) + '\n');
  // The app's review of this report's subject (its image name, or the analysed programs), as the app's export applies it.
  const review = workspace?.[reviewSubject(report)];
  if (workspace && !review) process.stderr.write(`warning: ${values.review} has no review of ${reviewSubject(report)}: the profiles are the analysis's own\n`);
  if (values.profile) writeFileSync(values.profile, exportReport(report, { format: 'docker', title, review }).text);
  if (values.bpf) writeFileSync(values.bpf, await compileBpf(policyEntries(report, review)));
  if (values['profiles-dir']) {
    // One narrower profile per analysed application (for containers that run one of them at a time).
    mkdirSync(values['profiles-dir'], { recursive: true });
    for (const p of report.programs) {
      if (p.error || p.objects.length === 0) continue;
      writeFileSync(join(values['profiles-dir'], `${programProfileName(p.path)}.json`), exportReport(report, { format: 'docker', title, program: p.path, review }).text);
    }
  }
  printSummary(report, review !== undefined);
  // Programs that could not be (fully) analysed need review as much as unresolved sites do.
  if (values.strict && (report.unresolved.length > 0 || report.programs.some((p) => p.error || p.notFullyAnalysed))) return 3;
  return 0;
}

async function cmdVerify(argv: string[]): Promise<number> {
  const dash = argv.indexOf('--');
  const own = dash >= 0 ? argv.slice(0, dash) : argv;
  const workload = dash >= 0 ? argv.slice(dash + 1) : [];
  const { values, positionals } = parseCommand(own, {
    profile: { type: 'string' },
    network: { type: 'string' },
    seconds: { type: 'string' },
    cmd: { type: 'string', multiple: true },
    json: { type: 'string' },
    ...SETTINGS_OPTIONS,
  });
  // analyze checks its settings in checkRequest; verify has no request, so here.
  const raw = settingsFrom(values);
  const settings = raw && checkRunSettings(raw);
  if (positionals.length !== 1) throw new UsageError('verify takes one IMAGE (put the workload after --)');
  if (!values.profile) throw new UsageError('--profile FILE is required');
  if (values.network !== undefined && values.network !== 'none' && values.network !== 'host') throw new UsageError('--network is none or host');
  const seconds = values.seconds !== undefined ? Number(values.seconds) : 5;
  if (!(seconds > 0)) throw new UsageError('--seconds takes a positive number');
  let text: string;
  try {
    text = readFileSync(values.profile, 'utf8');
  } catch (e) {
    throw new InputError(values.profile, `cannot read the profile (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new InputError(values.profile, `not valid JSON (${(e as Error).message})`);
  }
  const profile = checkProfile(parsed, values.profile);
  const docker = dockerFrom(undefined);
  await inspectImage(docker, positionals[0]);
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.once('SIGINT', onSigint);
  let result;
  try {
    result = await verify({
      docker,
      image: positionals[0],
      profile,
      profileFile: values.profile,
      network: values.network as 'none' | 'host' | undefined,
      seconds,
      cmd: values.cmd,
      settings,
      workload: workload.length > 0 ? workload : undefined,
      signal: abort.signal,
      onProgress: (w) => statusLine(w),
      workDir: join(defaultCacheRoot(), 'verify'),
    });
  } finally {
    process.off('SIGINT', onSigint);
    statusLine('', true);
  }
  if (values.json) writeFileSync(values.json, JSON.stringify(result, null, 2) + '\n');
  const out: string[] = [];
  if (result.workload) {
    const w = result.workload;
    out.push(`workload ${w.command.join(' ')}: ${w.code === 0 ? 'ok' : w.signal ? `killed by ${w.signal}` : `exit ${w.code}`} in ${w.seconds.toFixed(1)} s`);
    if (w.code !== 0) out.push(w.output.trim().split('\n').slice(-5).map((l) => `  ${l}`).join('\n'));
  }
  for (const w of result.warnings) out.push(`warning: ${w}`);
  out.push(`${result.records} seccomp record(s) from ${result.containerPids} container process(es), read from ${result.auditSource}`);
  if (result.denials.length === 0 && result.inconclusive) out.push(`no would-be denials seen, but audit records were lost (see the warnings): inconclusive, run again`);
  else if (result.denials.length === 0) out.push(`no would-be denials: ${values.profile} allows everything the container did`);
  else {
    out.push(`${result.denials.length} would-be denial(s) under ${values.profile}:`);
    for (const d of result.denials) out.push(`  ${d.name} (${d.nr}) by ${d.program}: ${d.count} time(s)${d.filters ? `; denied by ${d.filters.join(' and ') || 'a filter verify could not attribute'}` : ''}`);
  }
  process.stdout.write(out.join('\n') + '\n');
  if (result.denials.length > 0) return 4;
  if (result.inconclusive) return 6;
  if (result.workload && result.workload.code !== 0) return 5;
  return 0;
}

/** confine explain REPORT SYSCALL: exit 0 when the report allows it (sites printed), 1 when not. */
function cmdExplain(argv: string[]): number {
  if (argv.length !== 2) throw new UsageError('explain takes a report (--json output) and a syscall name or number');
  const [file, which] = argv;
  const sc = syscallOf(which);
  if (!sc) throw new InputError(which, 'not an x86-64 syscall name or number');
  let report: Report;
  try {
    report = JSON.parse(readFileSync(file, 'utf8')) as Report;
  } catch (e) {
    throw new InputError(file, (e as NodeJS.ErrnoException).code ? `cannot read the report (${(e as NodeJS.ErrnoException).code})` : `not a JSON report (${(e as Error).message})`);
  }
  if (!report || report.tool !== 'confine' || !Array.isArray(report.syscalls)) throw new InputError(file, 'not a Confine report (write one with analyze --json)');
  const { found, lines } = explain(report, sc.nr);
  process.stdout.write(lines.join('\n') + '\n');
  return found ? 0 : 1;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (cmd === 'analyze') return await cmdAnalyze(rest);
    if (cmd === 'verify') return await cmdVerify(rest);
    if (cmd === 'harden') return await cmdHarden(rest);
    if (cmd === 'serve') return await cmdServe(rest);
    if (cmd === 'explain') return cmdExplain(rest);
    if (cmd === '--help' || cmd === '-h' || cmd === 'help') {
      process.stdout.write(USAGE + '\n');
      return 0;
    }
    throw new UsageError(cmd ? `unknown command ${cmd}` : 'no command given');
  } catch (e) {
    if (e instanceof AnalysisCancelled) {
      process.stderr.write('\nconfine: interrupted; the phase-1 container was removed\n');
      return 130;
    }
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
