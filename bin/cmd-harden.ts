// `confine harden IMAGE --tag NEW --profile FILE [--program PATH]...`: analyse the image (phase 1
// and the static analysis, as `analyze` does), build the hardened image, write the container-wide
// profile it runs under, and print how to run it.
import { accessSync, constants, existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { analyzeImage } from '../analysis/analyze-image.js';
import { defaultCacheRoot } from '../analysis/cache/layout.js';
import { AnalysisCancelled, InputError } from '../analysis/errors.js';
import { harden, parseTag, refuseExistingTag } from '../analysis/harden/harden.js';
import { dockerFrom, inspectImage } from '../analysis/image/engine.js';
import { renderPolicy } from '../analysis/policy/exports.js';
import { nativeTool } from '../analysis/policy/native-tools.js';
import { reviewSubject } from '../analysis/policy/review.js';
import { checkRunSettings } from '../analysis/profile/run-settings.js';
import { readWorkspaceReviews } from '../electron/service/workspace.js';
import { imageProgressLine, numberFlag, parseCommand, SETTINGS_OPTIONS, SETTINGS_USAGE, settingsFrom, statusLine, UsageError } from './cli-common.js';

export const HARDEN_USAGE = `confine harden IMAGE --tag NEW --profile FILE [--program PATH]... [--seconds N] [--network none|host] [--cmd ARG]... [--review WORKSPACE] [--json FILE] [--cache-dir DIR] ${SETTINGS_USAGE}
      builds NEW from IMAGE: each program (default: the entrypoint's, and those phase 1 saw still running) starts under its own filter; FILE: the container-wide policy NEW runs under`;

/** An output file the command can write: its directory exists and is writable, and it is not a directory. */
function checkWritable(file: string): void {
  const dir = dirname(resolve(file));
  try {
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw new InputError(file, `cannot write here (${(e as NodeJS.ErrnoException).code ?? 'no access'} for ${dir})`);
  }
  if (existsSync(file) && statSync(file).isDirectory()) throw new InputError(file, 'is a directory');
}

export async function cmdHarden(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, {
    tag: { type: 'string' },
    profile: { type: 'string' },
    program: { type: 'string', multiple: true },
    seconds: { type: 'string' },
    network: { type: 'string' },
    cmd: { type: 'string', multiple: true },
    review: { type: 'string' },
    json: { type: 'string' },
    'cache-dir': { type: 'string' },
    ...SETTINGS_OPTIONS,
  });
  if (positionals.length !== 1) throw new UsageError('harden takes one IMAGE (an image of the Docker engine)');
  if (!values.tag) throw new UsageError('--tag NEW is required: the hardened image is a new image');
  if (!values.profile) throw new UsageError('--profile FILE is required: the container-wide policy the hardened image runs under');
  if (values.network !== undefined && values.network !== 'none' && values.network !== 'host') throw new UsageError('--network is none or host');
  const seconds = numberFlag(values.seconds, '--seconds');
  if (seconds !== undefined && !(seconds > 0)) throw new UsageError('--seconds takes a positive number');
  const raw = settingsFrom(values);
  const settings = raw && checkRunSettings(raw);
  // Everything that can be refused is refused before the analysis and before anything is built.
  const { repo, tag } = parseTag(values.tag);
  for (const f of [values.profile, values.json]) if (f !== undefined) checkWritable(f);
  nativeTool('confine-bpfc');
  nativeTool('confine-launch');
  const workspace = values.review !== undefined ? readWorkspaceReviews(resolve(values.review)) : undefined;
  const image = positionals[0];
  const docker = dockerFrom(undefined);
  const inspected = await inspectImage(docker, image);
  // Nothing says which program the image runs, and phase 1 could not start it.
  if (!inspected.config?.entrypoint?.length && !inspected.config?.cmd?.length) throw new InputError(image, 'the image has no entrypoint or command: there is no program to start and harden');
  await refuseExistingTag(docker, `${repo}:${tag}`);
  const cacheDir = values['cache-dir'] ? resolve(values['cache-dir']) : defaultCacheRoot();

  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.once('SIGINT', onSigint);
  let result;
  try {
    const report = await analyzeImage({ image, cacheDir, docker, seconds, alsoPrograms: values.program, network: values.network as 'none' | 'host' | undefined, cmd: values.cmd, settings, signal: abort.signal, onProgress: imageProgressLine });
    const review = workspace?.[reviewSubject(report)];
    if (workspace && !review) process.stderr.write(`warning: ${values.review} has no review of ${reviewSubject(report)}: the policies are the analysis's own\n`);
    statusLine('building the hardened image');
    result = await harden({ docker, report, programs: values.program ?? [], tag: values.tag, cacheDir, review, signal: abort.signal });
    statusLine('', true);
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (abort.signal.aborted) throw new AnalysisCancelled();
  try {
    writeFileSync(values.profile, renderPolicy('docker', result.containerWide, `${result.tag} (hardened ${image})`).text);
    if (values.json) writeFileSync(values.json, JSON.stringify(result, null, 2) + '\n');
  } catch (e) {
    // Without its profile the image cannot be run as built: it goes too.
    await docker.getImage(result.imageId).remove({ force: true }).catch(() => undefined);
    throw new InputError(values.profile, `cannot write the output (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); the hardened image was removed`);
  }
  const out: string[] = [`hardened image ${result.tag} (${result.imageId.slice(0, 19)}) from ${image}`];
  for (const s of result.skipped) out.push(`  not hardened: ${s}`);
  for (const w of result.warnings) out.push(`  warning: ${w}`);
  for (const p of result.programs) {
    const cut = 100 * (1 - p.allowed / result.containerWideBefore);
    const others = p.policy.covers.length - 1;
    const covers = p.policy.execs ? `; it can exec${others > 0 ? `, so its filter also covers the ${others} other analysed program(s)` : ", and no other program was seen: its filter would apply to what it execs"}` : "";
    out.push(`  ${p.file}: its own filter allows ${p.allowed} syscalls (its code needs ${p.policy.own}${p.policy.addedForLauncher.length ? `, + ${p.policy.addedForLauncher.join(' ')} for the launcher` : ''}${covers}), ${cut.toFixed(0)}% fewer than the container-wide ${result.containerWideBefore}`);
  }
  out.push(`container-wide policy: ${values.profile} (${result.containerWideBefore} syscalls${result.launcherSyscalls.length ? `, + ${result.launcherSyscalls.join(' ')} for the launcher` : ''})`);
  out.push(`run it with: docker run --security-opt seccomp=${values.profile} ${result.tag}`);
  process.stdout.write(out.join('\n') + '\n');
  return 0;
}
