import { useConfine } from '../../store-context.js';
import { formatBytes } from '../../state/jobs-model.js';
import { Icon } from '../../components/Icon.js';

export function EngineImages() {
  const engine = useConfine((s) => s.engine);
  const images = useConfine((s) => s.images);
  const loading = useConfine((s) => s.engineLoading);
  const refresh = useConfine((s) => s.refreshEngine);
  const setForm = useConfine((s) => s.setForm);
  const chosen = useConfine((s) => (s.form.kind === 'engine' ? s.form.image : ''));

  return (
    <section className="panel" data-testid="engine-panel">
      <div className="panel-head">
        <h2>Docker engine</h2>
        <span className={`engine-status ${engine?.reachable ? 'ok' : 'down'}`} data-testid="engine-status" data-reachable={engine ? String(engine.reachable) : 'unknown'}>
          <span className="dot" aria-hidden="true" />
          {engine === undefined ? (loading ? 'checking…' : 'unknown') : engine.reachable ? `reachable at ${engine.endpoint}` : 'not reachable'}
        </span>
        <button type="button" className="btn small" data-testid="engine-refresh" onClick={() => void refresh()} disabled={loading}>
          <Icon name="refresh" size={14} /> Refresh
        </button>
      </div>
      {engine && !engine.reachable ? (
        <div className="notice" data-testid="engine-unreachable">
          <p>
            No Docker engine answers{engine.endpoint ? ` at ${engine.endpoint}` : ''}
            {engine.error ? `: ${engine.error}` : '.'}
          </p>
          <p>You can still analyse an image tarball, an OCI layout, a root filesystem directory, or programs of this machine.</p>
        </div>
      ) : (
        <div className="table-wrap tall">
          <table className="table" data-testid="image-table">
            <thead>
              <tr>
                <th>Image</th>
                <th className="num">Size</th>
                <th>Created</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {images.length === 0 && (
                <tr>
                  <td colSpan={4} className="muted">
                    {loading || !engine ? 'Loading…' : 'The engine has no images.'}
                  </td>
                </tr>
              )}
              {images.flatMap((img) => {
                const names = img.tags.length > 0 ? img.tags : [img.id.replace(/^sha256:/, '').slice(0, 12)];
                return names.map((name) => (
                  <tr key={`${img.id}-${name}`} className={chosen === name ? 'selected' : ''} data-testid="image-row" data-image={name} onClick={() => setForm({ kind: 'engine', image: name })}>
                    <td className="mono">
                      {name.includes(':') ? (
                        <>
                          {name.slice(0, name.lastIndexOf(':'))}
                          <span className="muted">:{name.slice(name.lastIndexOf(':') + 1)}</span>
                        </>
                      ) : (
                        name
                      )}
                    </td>
                    <td className="num">{formatBytes(img.size)}</td>
                    <td>{new Date(img.created).toLocaleDateString()}</td>
                    <td className="actions">
                      <button
                        type="button"
                        className="btn small"
                        data-testid="image-select"
                        onClick={(e) => {
                          e.stopPropagation();
                          setForm({ kind: 'engine', image: name });
                        }}
                      >
                        Select
                      </button>
                    </td>
                  </tr>
                ));
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
