// Policies that are not analyses: the built-in Docker default profile and profiles the user
// imported (kept under <cacheDir>/profiles/<id>.json with their name and original text).
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProfileMeta } from '../api.js';
import { dockerDefaultProfile, readDockerProfile } from '../../analysis/policy/profile-import.js';
import type { AllowedSyscalls } from '../../analysis/policy/seccomp-condition.js';
import { writeAtomic } from './workspace.js';

export const BUILTIN_DOCKER_DEFAULT = 'docker-default';
const MAX_PROFILE_BYTES = 4 << 20;
const PROFILE_ID = /^[a-z0-9][a-z0-9-]{0,80}$/;

interface StoredProfile {
  name: string;
  importedAt: string;
  text: string;
}

/** A profile's meta data and the syscalls it allows. */
export interface LoadedProfile {
  meta: ProfileMeta;
  names: Set<string>;
  /** The same syscalls with their argument conditions (null: any). */
  allowed: AllowedSyscalls;
}

export class ProfileStore {
  private builtin: LoadedProfile | undefined;
  private readonly imported = new Map<string, LoadedProfile>();

  constructor(readonly dir: string) {}

  private loadBuiltin(): LoadedProfile {
    if (!this.builtin) {
      const { names, allowed } = dockerDefaultProfile();
      this.builtin = { meta: { id: BUILTIN_DOCKER_DEFAULT, name: "Docker's default profile", kind: 'builtin', syscalls: names.size }, names, allowed };
    }
    return this.builtin;
  }

  private loadImported(id: string): LoadedProfile {
    let p = this.imported.get(id);
    if (!p) {
      let stored: StoredProfile;
      try {
        stored = JSON.parse(readFileSync(join(this.dir, `${id}.json`), 'utf8')) as StoredProfile;
      } catch {
        throw new Error(`no profile ${id}`);
      }
      const { names, allowed } = readDockerProfile(stored.text, stored.name);
      p = { meta: { id, name: stored.name, kind: 'imported', syscalls: names.size }, names, allowed };
      this.imported.set(id, p);
    }
    return p;
  }

  get(id: string): LoadedProfile {
    if (id === BUILTIN_DOCKER_DEFAULT) return this.loadBuiltin();
    if (typeof id !== 'string' || !PROFILE_ID.test(id)) throw new Error(`no profile ${JSON.stringify(id)}`);
    return this.loadImported(id);
  }

  /** The built-in profile first, then imported ones by name. */
  list(): ProfileMeta[] {
    const out: ProfileMeta[] = [this.loadBuiltin().meta];
    let files: string[] = [];
    try {
      files = readdirSync(this.dir);
    } catch {
      // No imports yet.
    }
    const imported: ProfileMeta[] = [];
    for (const f of files) {
      const id = f.endsWith('.json') ? f.slice(0, -5) : '';
      if (!PROFILE_ID.test(id) || id === BUILTIN_DOCKER_DEFAULT) continue;
      try {
        imported.push(this.loadImported(id).meta);
      } catch {
        // A damaged file is not listed.
      }
    }
    imported.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    return [...out, ...imported];
  }

  /** Checks and stores a Docker JSON profile under a display name. */
  import(name: string, json: string): ProfileMeta {
    if (typeof name !== 'string' || name.trim() === '') throw new Error('give the profile a name');
    if (typeof json !== 'string') throw new Error('the profile is JSON text');
    if (Buffer.byteLength(json) > MAX_PROFILE_BYTES) throw new Error(`the profile is larger than ${MAX_PROFILE_BYTES >> 20} MB`);
    const clean = name.trim().slice(0, 200);
    const { names, allowed } = readDockerProfile(json, clean);
    const slug = clean.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'profile';
    const id = `${slug}-${randomBytes(3).toString('hex')}`;
    const stored: StoredProfile = { name: clean, importedAt: new Date().toISOString(), text: json };
    writeAtomic(join(this.dir, `${id}.json`), JSON.stringify(stored, null, 2) + '\n');
    const p: LoadedProfile = { meta: { id, name: clean, kind: 'imported', syscalls: names.size }, names, allowed };
    this.imported.set(id, p);
    return p.meta;
  }
}
