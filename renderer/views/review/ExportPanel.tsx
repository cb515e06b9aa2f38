import { useConfine } from '../../store-context.js';
import { EXPORT_FORMATS, previewOf } from '../../state/exports.js';
import { selectStatusCounts } from '../../state/policy.js';

export function ExportPanel() {
  const format = useConfine((s) => s.exportFormat);
  const setFormat = useConfine((s) => s.setExportFormat);
  const preview = useConfine((s) => s.previewExport);
  const save = useConfine((s) => s.saveExport);
  const result = useConfine((s) => s.exportResult);
  const loading = useConfine((s) => s.exportLoading);
  const message = useConfine((s) => s.exportMessage);
  const nativeSave = useConfine((s) => s.host?.nativeSave === true);
  const counts = useConfine(selectStatusCounts);
  const unresolved = useConfine((s) => s.report?.unresolved.length ?? 0);
  // No runtime base set (host programs, a directory, an engine that could not be probed): the
  // file would stop runc before the entrypoint. Said here and in the exported file itself.
  const notContainer = useConfine((s) => s.report !== undefined && s.report.runtime === undefined);
  return (
    <section className="panel grow export-panel" data-testid="export-panel">
      <div className="panel-head">
        <h2>Export</h2>
        <span className="muted">
          allows {counts.allowed + counts.review} syscalls{counts.denied > 0 ? `, ${counts.denied} denied by review` : ''}
        </span>
      </div>
      {notContainer && (
        <div className="notice warn small" data-testid="export-scope">
          Not a container policy: this report has no runtime base set (what the container runtime does between installing the filter and starting the
          entrypoint), so a container started under this file fails before its program runs. Use it for the analysed program; for a container, analyse
          its image from the Images view (engine image or tarball) and export that report.
        </div>
      )}
      {(counts.review > 0 || unresolved > 0) && (
        <div className="notice warn small" data-testid="export-warning">
          {counts.review > 0 && `${counts.review} syscall${counts.review === 1 ? '' : 's'} still need review. `}
          {unresolved > 0 && `${unresolved} unresolved site${unresolved === 1 ? '' : 's'}: the policy may miss syscalls made there.`}
        </div>
      )}
      <div className="row gap export-controls">
        <div className="seg" role="radiogroup" aria-label="Format">
          {EXPORT_FORMATS.map((f) => (
            <button
              key={f.format}
              type="button"
              role="radio"
              aria-checked={format === f.format}
              className={`seg-btn${format === f.format ? ' active' : ''}`}
              data-testid={`export-format-${f.format}`}
              onClick={() => setFormat(f.format)}
            >
              {f.label}
            </button>
          ))}
        </div>
        <button type="button" className="btn" data-testid="export-preview" disabled={loading} onClick={() => void preview()}>
          {loading ? 'Exporting…' : 'Preview'}
        </button>
        <button type="button" className="btn primary" data-testid="export-save" disabled={loading} onClick={() => void save()}>
          {nativeSave ? 'Save…' : 'Download'}
        </button>
        {message && (
          <span className="ok-text" data-testid="export-message">
            {message}
          </span>
        )}
      </div>
      {result ? (
        <div className="export-preview">
          <div className="muted mono small-text" data-testid="export-filename">
            {result.filename} · {result.mime} · {previewOf(result).bytes.toLocaleString()} bytes
            {result.encoding === 'base64' ? ' · one instruction a line (the file holds the raw bytes)' : ''}
          </div>
          <pre className="code" data-testid="export-text">
            {previewOf(result).text}
          </pre>
        </div>
      ) : (
        <div className="muted pad">Preview shows the file exactly as it will be saved.</div>
      )}
    </section>
  );
}
