// What the commands of the command line share: usage errors, the `docker run` settings flags, and
// the progress line on a terminal.
import type { Progress } from '../analysis/analyze.js';
import type { ImageAnalysisProgress } from '../analysis/analyze-image.js';
import type { RunSettings } from '../analysis/profile/run-settings.js';
import { parseArgs, type ParseArgsConfig } from 'node:util';

export const SETTINGS_USAGE = '[--user U[:G]] [--group-add G]... [--tty] [--read-only] [--no-new-privileges] [--cap-add C]... [--cap-drop C]...';

/** A command line the command cannot take: printed with the usage, exit 2. */
export class UsageError extends Error {}

export function statusLine(text: string, done = false): void {
  if (!process.stderr.isTTY) return;
  process.stderr.write(`\r\x1b[K${text}`.slice(0, (process.stderr.columns || 100) + 4));
  if (done) process.stderr.write('\r\x1b[K');
}

export function progressLine(p: Progress): void {
  const what = p.phase === 'objects' ? `analysing objects ${p.done}/${p.total}` : p.phase === 'load' ? 'loading' : p.phase === 'graph' ? 'call graph' : 'done';
  statusLine(`${what}${p.file ? ` ${p.file}` : ''}`, p.phase === 'done');
}

export function imageProgressLine(p: ImageAnalysisProgress): void {
  if (p.phase === 'analysis' && p.analysis) return progressLine(p.analysis);
  const counts = p.done !== undefined && p.total !== undefined ? ` ${Math.round(p.done)}/${Math.round(p.total)}` : '';
  const what = { image: 'image', phase1: 'phase 1 (recording what runs)', runtime: 'runtime base set', analysis: 'analysis', done: 'done' }[p.phase];
  statusLine(`${what}${counts}${p.detail ? ` ${p.detail}` : ''}`, p.phase === 'done');
}

/** A command's own arguments, parsed strictly; what parseArgs refuses is a usage error. */
export function parseCommand<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O) {
  try {
    return parseArgs({ args, allowPositionals: true, options, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** The `docker run` settings flags analyze and verify share (the container runs as it will be run). */
export const SETTINGS_OPTIONS = {
  user: { type: 'string' },
  'group-add': { type: 'string', multiple: true },
  tty: { type: 'boolean' },
  'read-only': { type: 'boolean' },
  'no-new-privileges': { type: 'boolean' },
  'cap-add': { type: 'string', multiple: true },
  'cap-drop': { type: 'string', multiple: true },
} as const;

export function settingsFrom(v: { user?: string; 'group-add'?: string[]; tty?: boolean; 'read-only'?: boolean; 'no-new-privileges'?: boolean; 'cap-add'?: string[]; 'cap-drop'?: string[] }): RunSettings | undefined {
  const s: RunSettings = {
    ...(v.user !== undefined ? { user: v.user } : {}),
    ...(v['group-add'] ? { groupAdd: v['group-add'] } : {}),
    ...(v.tty ? { tty: true } : {}),
    ...(v['read-only'] ? { readOnly: true } : {}),
    ...(v['no-new-privileges'] ? { noNewPrivileges: true } : {}),
    ...(v['cap-add'] ? { capAdd: v['cap-add'] } : {}),
    ...(v['cap-drop'] ? { capDrop: v['cap-drop'] } : {}),
  };
  return Object.keys(s).length > 0 ? s : undefined;
}

export function numberFlag(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`${flag} takes a number (got ${v})`);
  return n;
}
