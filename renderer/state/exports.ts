// Export of the current report's policy (review applied): preview, then save with the host's native
// dialog (Electron) or as a browser download.
import type { ExportFormat, ExportResult } from '../../electron/api.js';
import { guard } from './errors.js';
import type { Slice } from './types.js';

export const EXPORT_FORMATS: { format: ExportFormat; label: string }[] = [
  { format: 'docker', label: 'Docker JSON' },
  { format: 'oci', label: 'OCI (linux.seccomp)' },
  { format: 'kubernetes', label: 'Kubernetes SeccompProfile' },
  { format: 'bpf', label: 'Raw seccomp BPF (what the kernel loads)' },
];

/** The file's content: its text, or the bytes the base64 text of a binary export (raw BPF) encodes. */
export function exportBytes(r: ExportResult): Uint8Array<ArrayBuffer> | string {
  if (r.encoding !== 'base64') return r.text;
  const bin = atob(r.text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** How a preview shows an export: a text file as it is; a raw BPF program one instruction (struct sock_filter) a line. */
export function previewOf(r: ExportResult): { text: string; bytes: number } {
  const b = exportBytes(r);
  if (typeof b === 'string') return { text: b, bytes: b.length };
  const hex = (n: number, w: number): string => `0x${n.toString(16).padStart(w, '0')}`;
  const lines: string[] = [];
  for (let i = 0; i + 8 <= b.length; i += 8) {
    const code = b[i] | (b[i + 1] << 8);
    const k = (b[i + 4] | (b[i + 5] << 8) | (b[i + 6] << 16) | (b[i + 7] << 24)) >>> 0;
    lines.push(`${String(i / 8).padStart(4, '0')}: code ${hex(code, 4)} jt ${b[i + 2]} jf ${b[i + 3]} k ${hex(k, 8)}`);
  }
  return { text: lines.join('\n'), bytes: b.length };
}

export interface ExportSlice {
  exportFormat: ExportFormat;
  exportResult?: ExportResult;
  exportLoading: boolean;
  /** What the last save did, e.g. "Saved to /home/me/nginx.json". */
  exportMessage?: string;
  setExportFormat(format: ExportFormat): void;
  previewExport(): Promise<ExportResult | undefined>;
  saveExport(): Promise<void>;
  /** Saves (native dialog) or downloads an export already made, saying what happened in exportMessage. */
  deliverExport(result: ExportResult): Promise<void>;
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
    if (result) await get().deliverExport(result);
  },
  async deliverExport(result) {
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
