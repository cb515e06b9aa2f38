// Building a hardened image from the open report (`confine harden` through the API), and the
// per-program exports next to it.
import type { ExportFormat, HardenSummary } from '../../electron/api.js';
import { guard } from './errors.js';
import type { Slice } from './types.js';

export interface HardenSlice {
  hardenTag: string;
  /** Programs chosen for their own filter; undefined: the defaults (programs-model.ts). */
  hardenPrograms?: string[];
  hardenResult?: HardenSummary;
  hardenRunning: boolean;
  setHardenTag(tag: string): void;
  toggleHardenProgram(path: string, defaults: readonly string[]): void;
  buildHardened(defaults: readonly string[]): Promise<void>;
  /** Downloads (or saves) one program's policy: its filter as raw BPF, or its container profile. */
  exportProgram(program: string, format: ExportFormat): Promise<void>;
}

export const createHardenSlice: Slice<HardenSlice> = (set, get, { api }) => ({
  hardenTag: '',
  hardenRunning: false,
  setHardenTag(hardenTag) {
    set({ hardenTag });
  },
  toggleHardenProgram(path, defaults) {
    const now = get().hardenPrograms ?? [...defaults];
    set({ hardenPrograms: now.includes(path) ? now.filter((p) => p !== path) : [...now, path] });
  },
  async buildHardened(defaults) {
    const { currentReportId: reportId, hardenTag } = get();
    if (!reportId) return get().reportError('Building the hardened image', new Error('No report is open.'));
    const programs = get().hardenPrograms ?? [...defaults];
    if (programs.length === 0) return get().reportError('Building the hardened image', new Error('Choose at least one program.'));
    set({ hardenRunning: true, hardenResult: undefined });
    const result = await guard(get, 'Building the hardened image', () => api.hardenImage(reportId, programs, hardenTag.trim()));
    set({ hardenRunning: false, ...(result && get().currentReportId === reportId ? { hardenResult: result } : {}) });
  },
  async exportProgram(program, format) {
    const reportId = get().currentReportId;
    if (!reportId) return;
    const result = await guard(get, `Exporting the policy of ${program}`, () => api.exportPolicy(reportId, format, program));
    if (result) await get().deliverExport(result);
  },
});
