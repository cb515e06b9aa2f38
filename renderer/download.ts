// Browser download of an export: a Blob, an object URL and a temporary <a download>.
import type { ExportResult } from '../electron/api.js';
import { exportBytes } from './state/exports.js';

export function downloadExport(r: ExportResult): void {
  const blob = new Blob([exportBytes(r)], { type: r.mime || 'application/octet-stream' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = r.filename;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Give the browser time to start the download before the URL goes.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
