// The review workspace: one JSON file the user may keep in git. Keys are sorted and indented by two
// spaces so that a change is a small, readable diff; every write goes to a temporary file that is
// then renamed over the old one, so a crash never leaves half a file.
//
// Version 2 keeps reviews per subject (analysis/policy/review.ts), so that they survive
// re-analysis. Version 1 (no "version" key) kept them per report id: those are moved to their
// report's subject when the service starts (migrate), and kept as they are when the report is gone.
import { readFileSync } from 'node:fs';
import type { ReviewBasis, ReviewDecision, ReviewEntry, Workspace } from '../api.js';
import { syscallNumber } from '../../analysis/x86_64/syscall-table.js';
import { parseArgumentReviewKey } from '../../analysis/policy/review.js';
import { InputError } from '../../analysis/errors.js';
import { writeAtomic as writeCacheFile } from '../../analysis/cache/atomic-write.js';

type Reviews = Workspace['reviews'];

const VERSION = 2;

/** An unresolved site's review key (siteReviewKey): program and object paths, then a hex address. */
const SITE_KEY = /^site:\/[^\0]{0,4095}:\/[^\0]{0,4095}:[0-9a-f]{1,16}$/;

/** JSON text with object keys sorted at every level and a trailing newline. */
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

/** Writes `text` to `file` atomically (temporary file in the same directory, then rename); throws with the reason. */
export function writeAtomic(file: string, text: string): void {
  const failed = writeCacheFile(file, text);
  if (failed) throw new Error(`cannot write ${file}: ${failed}`);
}

function checkBasis(raw: unknown): ReviewBasis | undefined {
  const b = raw as Partial<ReviewBasis> | undefined;
  if (!b || typeof b !== 'object') return undefined;
  if (typeof b.reportId !== 'string' || typeof b.found !== 'boolean' || typeof b.path !== 'string' || !Array.isArray(b.programs) || !b.programs.every((p) => typeof p === 'string')) return undefined;
  return { reportId: b.reportId, found: b.found, programs: [...b.programs], path: b.path };
}

/** Why a parsed workspace file is not one. */
class NotAWorkspace extends Error {}

function checkReviews(raw: unknown): Reviews {
  const fail = (why: string): never => {
    throw new NotAWorkspace(why);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('not a JSON object');
  const version = (raw as { version?: unknown }).version;
  if (version !== undefined && version !== 1 && version !== VERSION) fail(`version ${JSON.stringify(version)}: this Confine reads versions 1 and ${VERSION}`);
  const reviews = (raw as { reviews?: unknown }).reviews ?? {};
  if (typeof reviews !== 'object' || reviews === null || Array.isArray(reviews)) fail('"reviews" is not an object');
  const out: Reviews = {};
  for (const [subject, byName] of Object.entries(reviews as Record<string, unknown>)) {
    if (typeof byName !== 'object' || byName === null) fail(`reviews of ${subject} are not an object`);
    const entries: Record<string, ReviewEntry> = {};
    for (const [name, e] of Object.entries(byName as Record<string, unknown>)) {
      const r = e as Partial<ReviewEntry>;
      if (r?.decision !== undefined && r.decision !== 'allow' && r.decision !== 'deny') fail(`review of ${name} in ${subject} has a decision that is neither allow nor deny`);
      const note = typeof r.note === 'string' ? r.note : '';
      if (r.decision === undefined && note === '') fail(`review of ${name} in ${subject} has neither a decision nor a note`);
      const basis = checkBasis(r.basis);
      entries[name] = { ...(r.decision ? { decision: r.decision as ReviewDecision } : {}), note, updatedAt: typeof r.updatedAt === 'string' ? r.updatedAt : '', ...(basis ? { basis } : {}) };
    }
    out[subject] = entries;
  }
  return out;
}

/**
 * The reviews of a workspace file the app wrote, read only (the CLI's `--review`): a file that is
 * missing, unreadable or not a workspace is an InputError naming it.
 */
export function readWorkspaceReviews(file: string): Reviews {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(file, `cannot read the workspace (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    return checkReviews(JSON.parse(text));
  } catch (e) {
    if (e instanceof SyntaxError) throw new InputError(file, `not valid JSON (${e.message})`);
    if (e instanceof NotAWorkspace) throw new InputError(file, `not a Confine workspace (${e.message})`);
    throw e;
  }
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
        this.reviews = checkReviews(JSON.parse(text));
      } catch (e) {
        if (e instanceof SyntaxError) this.loadError = new Error(`the workspace file ${file} is not valid JSON (${e.message}); fix or move it, then restart`);
        else if (e instanceof NotAWorkspace) this.loadError = new Error(`the workspace file ${file} is not a Confine workspace (${e.message}); fix or move it, then restart`);
        else throw e;
      }
    }
  }

  get(): Workspace {
    if (this.loadError) throw this.loadError;
    return { path: this.file, reviews: structuredClone(this.reviews) };
  }

  /** The reviews of one subject (syscall name or site key -> review). */
  reviewsOf(subject: string): Record<string, ReviewEntry> {
    if (this.loadError) throw this.loadError;
    return this.reviews[subject] ?? {};
  }

  /**
   * Moves version-1 reviews (keyed by report id) to their subject. `subjectOf` maps a key to its
   * subject and the basis of each review, or undefined when the key is no report (kept as it is).
   * A review already kept under the subject wins. Writes the file only when something moved.
   */
  migrate(subjectOf: (key: string) => { subject: string; basis: (name: string) => ReviewBasis } | undefined): void {
    if (this.loadError) return;
    const next = structuredClone(this.reviews);
    let moved = false;
    for (const [key, entries] of Object.entries(this.reviews)) {
      const to = subjectOf(key);
      if (!to || to.subject === key) continue;
      const target = (next[to.subject] ??= {});
      for (const [name, e] of Object.entries(entries)) target[name] ??= { ...e, basis: e.basis ?? to.basis(name) };
      delete next[key];
      moved = true;
    }
    if (!moved) return;
    writeAtomic(this.file, stableJson({ version: VERSION, reviews: next }));
    this.reviews = next;
  }

  set(subject: string, syscall: string, decision: ReviewDecision | null, note: string, basis?: ReviewBasis): Workspace {
    if (this.loadError) throw this.loadError;
    const value = parseArgumentReviewKey(syscall);
    if (syscallNumber(syscall) === undefined && !SITE_KEY.test(syscall) && (!value || syscallNumber(value.syscall) === undefined)) throw new Error(`${syscall} is not an x86-64 syscall`);
    if (value && decision === 'allow') throw new Error('a value of an argument rule can only be removed (deny) or restored (null)');
    if (decision !== null && decision !== 'allow' && decision !== 'deny') throw new Error('a review decision is allow, deny or null');
    if (typeof note !== 'string') throw new Error('a review note is text');
    const next = structuredClone(this.reviews);
    const kept = { updatedAt: new Date().toISOString(), ...(basis ? { basis } : {}) };
    if (decision === null && note.trim() !== '') {
      (next[subject] ??= {})[syscall] = { note, ...kept };
    } else if (decision === null) {
      if (next[subject]) {
        delete next[subject][syscall];
        if (Object.keys(next[subject]).length === 0) delete next[subject];
      }
    } else {
      (next[subject] ??= {})[syscall] = { decision, note, ...kept };
    }
    writeAtomic(this.file, stableJson({ version: VERSION, reviews: next }));
    this.reviews = next;
    return this.get();
  }
}
