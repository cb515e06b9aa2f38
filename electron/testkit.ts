// Shared by the electron tests: temporary cache directories (with a facts cache shared between runs,
// since facts depend only on file contents), a small YAML reader for the subset the Kubernetes export
// writes, and waiting for a job's events.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobFinished, JobProgress } from './api.js';

/** A fresh cache root whose facts/ is shared by every test run on this machine. */
export function tempCacheDir(prefix = 'confine-ui-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const shared = join(tmpdir(), 'confine-ui-test-facts');
  mkdirSync(shared, { recursive: true });
  symlinkSync(shared, join(dir, 'facts'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Collects progress and the single finished event of jobs. */
export class JobEvents {
  readonly progress: JobProgress[] = [];
  readonly finished: JobFinished[] = [];
  private waiters: { jobId: string; resolve: (f: JobFinished) => void }[] = [];

  emit = (event: string, data: unknown): void => {
    if (event === 'progress') this.progress.push(data as JobProgress);
    if (event === 'finished') {
      const f = data as JobFinished;
      this.finished.push(f);
      for (const w of this.waiters.filter((w) => w.jobId === f.jobId)) w.resolve(f);
      this.waiters = this.waiters.filter((w) => w.jobId !== f.jobId);
    }
  };

  /** Resolves with the job's finished event (or rejects after `ms`). */
  finishedOf(jobId: string, ms = 300_000): Promise<JobFinished> {
    const done = this.finished.find((f) => f.jobId === jobId);
    if (done) return Promise.resolve(done);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`job ${jobId} did not finish within ${ms} ms`)), ms);
      this.waiters.push({
        jobId,
        resolve: (f) => {
          clearTimeout(t);
          resolve(f);
        },
      });
    });
  }
}

type Yaml = string | number | boolean | null | Yaml[] | { [k: string]: Yaml };

/**
 * Parses block-style YAML as the Kubernetes export writes it (mappings, sequences of scalars or of
 * mappings, plain scalars, `[]`, full-line comments) and throws on anything else, so a malformed
 * export fails the test instead of being read loosely.
 */
export function parseYamlSubset(text: string): { value: Yaml; comments: { line: number; text: string }[] } {
  const comments: { line: number; text: string }[] = [];
  const lines: { indent: number; text: string; no: number }[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    if (/\t/.test(raw.match(/^\s*/)![0])) throw new Error(`line ${i + 1}: tab in indentation`);
    const t = raw.trimStart();
    if (t.startsWith('#')) {
      comments.push({ line: i + 1, text: t.slice(1).trim() });
      return;
    }
    if (/\s#/.test(t)) throw new Error(`line ${i + 1}: trailing comment not expected`);
    lines.push({ indent: raw.length - t.length, text: t.trimEnd(), no: i + 1 });
  });
  let pos = 0;
  const scalar = (s: string, no: number): Yaml => {
    if (s === '[]') return [];
    if (s === '{}') return {};
    if (/^[-+]?\d+$/.test(s)) return Number(s);
    if (s === 'true' || s === 'false') return s === 'true';
    if (s === 'null' || s === '~') return null;
    if (/^["'&*!|>%@`{[]/.test(s) || s.includes(': ')) throw new Error(`line ${no}: unsupported scalar ${s}`);
    return s;
  };
  const block = (indent: number): Yaml => {
    const first = lines[pos];
    if (first.text.startsWith('- ') || first.text === '-') {
      const out: Yaml[] = [];
      while (pos < lines.length && lines[pos].indent === indent && lines[pos].text.startsWith('- ')) {
        const l = lines[pos];
        const rest = l.text.slice(2);
        const kv = /^([A-Za-z0-9_.-]+):(?: (.*))?$/.exec(rest);
        if (kv) {
          // A mapping inside a sequence item: its first key is on the dash line.
          lines[pos] = { indent: indent + 2, text: rest, no: l.no };
          out.push(block(indent + 2));
        } else {
          out.push(scalar(rest, l.no));
          pos++;
        }
      }
      return out;
    }
    const out: { [k: string]: Yaml } = {};
    while (pos < lines.length && lines[pos].indent === indent) {
      const l = lines[pos];
      const kv = /^([A-Za-z0-9_.-]+):(?: (.*))?$/.exec(l.text);
      if (!kv) throw new Error(`line ${l.no}: expected key: value, got ${l.text}`);
      if (kv[1] in out) throw new Error(`line ${l.no}: duplicate key ${kv[1]}`);
      pos++;
      if (kv[2] !== undefined) out[kv[1]] = scalar(kv[2], l.no);
      else {
        if (pos >= lines.length || lines[pos].indent <= indent) throw new Error(`line ${l.no}: ${kv[1]} has no value`);
        out[kv[1]] = block(lines[pos].indent);
      }
    }
    return out;
  };
  const value = block(0);
  if (pos !== lines.length) throw new Error(`line ${lines[pos].no}: unexpected indentation`);
  return { value, comments };
}
