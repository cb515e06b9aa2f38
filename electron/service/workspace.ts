// The review workspace: one JSON file the user may keep in git. Keys are sorted and indented by two
// spaces so that a change is a small, readable diff; every write goes to a temporary file that is
// then renamed over the old one, so a crash never leaves half a file.
import { mkdirSync, readFileSync, renameSync, writeFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ReviewDecision, ReviewEntry, Workspace } from '../api.js';
import { syscallNumber } from '../../analysis/x86_64/syscall-table.js';

type Reviews = Workspace['reviews'];

/** JSON text with object keys sorted at every level and a trailing newline. */
/** An unresolved site's review key (api.ts siteReviewKey): program and object paths, then a hex address. */
const SITE_KEY = /^site:\/[^\0]{0,4095}:\/[^\0]{0,4095}:[0-9a-f]{1,16}$/;

export function stableJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v as Record<string, unknown>).sort()) out[k] = sort((v as Record<string, unknown>)[k]);
      return out;
    }
    return v;
  };
  return JSON.stringify(sort(value), null, 2) + '\n';
}

/** Writes `text` to `file` atomically (temporary file in the same directory, then rename). */
export function writeAtomic(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    writeFileSync(tmp, text, { mode: 0o644 });
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

function checkReviews(raw: unknown, file: string): Reviews {
  const fail = (why: string): never => {
    throw new Error(`the workspace file ${file} is not a Confine workspace (${why}); fix or move it, then restart`);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('not a JSON object');
  const reviews = (raw as { reviews?: unknown }).reviews ?? {};
  if (typeof reviews !== 'object' || reviews === null || Array.isArray(reviews)) fail('"reviews" is not an object');
  const out: Reviews = {};
  for (const [reportId, byName] of Object.entries(reviews as Record<string, unknown>)) {
    if (typeof byName !== 'object' || byName === null) fail(`reviews of ${reportId} are not an object`);
    const entries: Record<string, ReviewEntry> = {};
    for (const [name, e] of Object.entries(byName as Record<string, unknown>)) {
      const r = e as Partial<ReviewEntry>;
      if (r?.decision !== undefined && r.decision !== 'allow' && r.decision !== 'deny') fail(`review of ${name} in ${reportId} has a decision that is neither allow nor deny`);
      const note = typeof r.note === 'string' ? r.note : '';
      if (r.decision === undefined && note === '') fail(`review of ${name} in ${reportId} has neither a decision nor a note`);
      entries[name] = { ...(r.decision ? { decision: r.decision as ReviewDecision } : {}), note, updatedAt: typeof r.updatedAt === 'string' ? r.updatedAt : '' };
    }
    out[reportId] = entries;
  }
  return out;
}

/** The workspace file, loaded once and rewritten on every change. */
export class WorkspaceStore {
  private reviews: Reviews = {};
  /** Set when the file exists but cannot be used: then nothing is written over it. */
  private readonly loadError: Error | undefined;

  constructor(readonly file: string) {
    let text: string | undefined;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.loadError = new Error(`cannot read the workspace file ${file}: ${(e as Error).message}`);
    }
    if (text !== undefined && this.loadError === undefined) {
      try {
        this.reviews = checkReviews(JSON.parse(text), file);
      } catch (e) {
        this.loadError = e instanceof SyntaxError ? new Error(`the workspace file ${file} is not valid JSON (${e.message}); fix or move it, then restart`) : (e as Error);
      }
    }
  }

  get(): Workspace {
    if (this.loadError) throw this.loadError;
    return { path: this.file, reviews: structuredClone(this.reviews) };
  }

  /** The reviews of one report (syscall name -> review). */
  reviewsOf(reportId: string): Record<string, ReviewEntry> {
    if (this.loadError) throw this.loadError;
    return this.reviews[reportId] ?? {};
  }

  set(reportId: string, syscall: string, decision: ReviewDecision | null, note: string): Workspace {
    if (this.loadError) throw this.loadError;
    if (syscallNumber(syscall) === undefined && !SITE_KEY.test(syscall)) throw new Error(`${syscall} is not an x86-64 syscall`);
    if (decision !== null && decision !== 'allow' && decision !== 'deny') throw new Error('a review decision is allow, deny or null');
    if (typeof note !== 'string') throw new Error('a review note is text');
    const next = structuredClone(this.reviews);
    if (decision === null && note.trim() !== '') {
      (next[reportId] ??= {})[syscall] = { note, updatedAt: new Date().toISOString() };
    } else if (decision === null) {
      if (next[reportId]) {
        delete next[reportId][syscall];
        if (Object.keys(next[reportId]).length === 0) delete next[reportId];
      }
    } else {
      (next[reportId] ??= {})[syscall] = { decision, note, updatedAt: new Date().toISOString() };
    }
    writeAtomic(this.file, stableJson({ reviews: next }));
    this.reviews = next;
    return this.get();
  }
}
