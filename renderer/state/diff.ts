// The Diff view: two policies (reports or profiles, built-in or imported), the diff and its filter.
import type { PolicyDiff, PolicyRef, ProfileMeta } from '../../electron/api.js';
import { errorMessage, guard } from './errors.js';
import { checkProfileText, sameRef, type DiffSideFilter } from './diff-model.js';
import type { Slice } from './types.js';

export interface DiffSlice {
  profiles: ProfileMeta[];
  diffLeft?: PolicyRef;
  diffRight?: PolicyRef;
  diffResult?: PolicyDiff;
  diffLoading: boolean;
  diffSide: DiffSideFilter;
  diffQuery: string;
  /** Why the last import failed (shown next to the import form). */
  importError?: string;
  importing: boolean;
  loadProfiles(): Promise<void>;
  /** Imports a Docker JSON profile; it becomes the right-hand side. */
  importProfile(name: string, text: string): Promise<ProfileMeta | undefined>;
  setDiffLeft(ref: PolicyRef | undefined): void;
  setDiffRight(ref: PolicyRef | undefined): void;
  swapDiff(): void;
  runDiff(): Promise<void>;
  setDiffSide(side: DiffSideFilter): void;
  setDiffQuery(q: string): void;
}

export const createDiffSlice: Slice<DiffSlice> = (set, get, { api }) => ({
  profiles: [],
  diffLoading: false,
  diffSide: 'all',
  diffQuery: '',
  importing: false,
  async loadProfiles() {
    const profiles = await guard(get, 'Listing the profiles', () => api.listProfiles());
    if (profiles) set({ profiles });
  },
  async importProfile(name, text) {
    const bad = name.trim() === '' ? 'Give the profile a name.' : checkProfileText(text);
    if (bad) {
      set({ importError: bad });
      return undefined;
    }
    set({ importing: true, importError: undefined });
    try {
      const meta = await api.importProfile(name.trim(), text);
      set((s) => ({ profiles: [...s.profiles.filter((p) => p.id !== meta.id), meta], diffRight: { kind: 'profile', id: meta.id }, diffResult: undefined }));
      return meta;
    } catch (e) {
      set({ importError: errorMessage(e) });
      return undefined;
    } finally {
      set({ importing: false });
    }
  },
  setDiffLeft(ref) {
    if (!sameRef(ref, get().diffLeft)) set({ diffLeft: ref, diffResult: undefined });
  },
  setDiffRight(ref) {
    if (!sameRef(ref, get().diffRight)) set({ diffRight: ref, diffResult: undefined });
  },
  swapDiff() {
    set((s) => ({ diffLeft: s.diffRight, diffRight: s.diffLeft, diffResult: undefined }));
  },
  async runDiff() {
    const { diffLeft: left, diffRight: right } = get();
    if (!left || !right) {
      get().reportError('Comparing policies', new Error('Choose a policy on each side.'));
      return;
    }
    set({ diffLoading: true });
    const result = await guard(get, 'Comparing policies', () => api.diff(left, right));
    set({ diffLoading: false });
    if (result && sameRef(get().diffLeft, left) && sameRef(get().diffRight, right)) set({ diffResult: result });
  },
  setDiffSide(diffSide) {
    set({ diffSide });
  },
  setDiffQuery(diffQuery) {
    set({ diffQuery });
  },
});
