// One zustand store composed of slices. Vanilla (no React) so node:test can drive it; the UI binds
// it with zustand's useStore.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ConfineBridge } from '../../electron/api.js';
import { createErrorsSlice } from './errors.js';
import { createNavSlice } from './nav.js';
import { createHostSlice } from './host.js';
import { createJobsSlice } from './jobs.js';
import { createReportsSlice } from './reports.js';
import { createReviewsSlice } from './reviews.js';
import { createPolicySlice } from './policy.js';
import { createDetailSlice } from './detail.js';
import { createExplorerSlice } from './explorer.js';
import { createDiffSlice } from './diff.js';
import { createExportSlice } from './exports.js';
import { createHardenSlice } from './harden.js';
import type { ConfineState, Deps } from './types.js';

export type ConfineStore = StoreApi<ConfineState>;

export function createConfineStore(deps: Deps): ConfineStore {
  return createStore<ConfineState>()((set, get) => ({
    ...createErrorsSlice(set, get, deps),
    ...createNavSlice(set, get, deps),
    ...createHostSlice(set, get, deps),
    ...createJobsSlice(set, get, deps),
    ...createReportsSlice(set, get, deps),
    ...createReviewsSlice(set, get, deps),
    ...createPolicySlice(set, get, deps),
    ...createDetailSlice(set, get, deps),
    ...createExplorerSlice(set, get, deps),
    ...createDiffSlice(set, get, deps),
    ...createExportSlice(set, get, deps),
    ...createHardenSlice(set, get, deps),
  }));
}

/** Feeds the bridge's events into the store; returns the unsubscribe. */
export function connectEvents(store: ConfineStore, bridge: Pick<ConfineBridge, 'on'>): () => void {
  const offs = [bridge.on('progress', (p) => store.getState().onProgress(p)), bridge.on('finished', (f) => store.getState().onFinished(f))];
  return () => offs.forEach((off) => off());
}

/** Everything the views list, loaded once the service answers (and again after a reconnect). */
export async function loadInitial(store: ConfineStore): Promise<void> {
  const s = store.getState();
  await Promise.all([s.loadHost(), s.refreshEngine(), s.loadReports(), s.loadWorkspace(), s.loadProfiles()]);
}
