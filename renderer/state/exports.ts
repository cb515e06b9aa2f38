// Export of the current report's policy (review applied): preview, then save with the host's native
// dialog (Electron) or as a browser download.
import type { ExportFormat, ExportResult } from '../../electron/api.js';
import { guard } from './errors.js';
import type { Slice } from './types.js';

export const EXPORT_FORMATS: { format: ExportFormat; label: string }[] = [
  { format: 'docker', label: 'Docker JSON' },
  { format: 'oci', label: 'OCI (linux.seccomp)' },
  { format: 'kubernetes', label: 'Kubernetes SeccompProfile' },
];

export interface ExportSlice {
  exportFormat: ExportFormat;
  exportResult?: ExportResult;
  exportLoading: boolean;
  /** What the last save did, e.g. "Saved to /home/me/nginx.json". */
  exportMessage?: string;
  setExportFormat(format: ExportFormat): void;
  previewExport(): Promise<ExportResult | undefined>;
  saveExport(): Promise<void>;
}

export const createExportSlice: Slice<ExportSlice> = (set, get, { api, download }) => ({
  exportFormat: 'docker',
  exportLoading: false,
  setExportFormat(exportFormat) {
    if (exportFormat !== get().exportFormat) set({ exportFormat, exportResult: undefined, exportMessage: undefined });
  },
  async previewExport() {
    const { currentReportId: reportId, exportFormat: format } = get();
    if (!reportId) {
      get().reportError('Exporting the policy', new Error('No report is open.'));
      return undefined;
    }
    set({ exportLoading: true, exportMessage: undefined });
    const result = await guard(get, 'Exporting the policy', () => api.exportPolicy(reportId, format));
    set({ exportLoading: false });
    if (result && get().exportFormat === format && get().currentReportId === reportId) set({ exportResult: result });
    return result;
  },
  async saveExport() {
    // Always export afresh: the review may have changed since the preview.
    const result = await get().previewExport();
    if (!result) return;
    if (get().host?.nativeSave) {
      const path = await guard(get, 'Saving the export', () => api.saveExport(result));
      if (path === undefined) return;
      set({ exportMessage: path === null ? 'Save cancelled.' : `Saved to ${path}` });
      return;
    }
    if (!download) {
      get().reportError('Saving the export', new Error('This host can neither save files nor download them.'));
      return;
    }
    try {
      download(result);
      set({ exportMessage: `Downloaded ${result.filename}` });
    } catch (e) {
      get().reportError('Downloading the export', e);
    }
  },
});
