import { useConfine } from '../store-context.js';
import { Icon } from './Icon.js';

/** Every failure the user should know about: the connection, then request errors (newest last). */
export function ErrorBanner() {
  const errors = useConfine((s) => s.errors);
  const dismiss = useConfine((s) => s.dismissError);
  const clear = useConfine((s) => s.clearErrors);
  const connection = useConfine((s) => s.connection);
  const detail = useConfine((s) => s.connectionDetail);
  if (errors.length === 0 && connection !== 'closed') return null;
  return (
    <div className="banner-stack" role="alert" data-testid="error-banner">
      {connection === 'closed' && (
        <div className="banner banner-conn" data-testid="connection-banner">
          <strong>Not connected.</strong> {detail ?? 'The Confine service does not answer; retrying.'}
        </div>
      )}
      {errors.map((e) => (
        <div className="banner" key={e.id} data-testid="error-item">
          <span className="banner-context">{e.context}:</span> <span className="banner-message">{e.message}</span>
          {e.count > 1 && <span className="banner-count"> (×{e.count})</span>}
          <button type="button" className="icon-btn" aria-label="Dismiss" data-testid="error-dismiss" onClick={() => dismiss(e.id)}>
            <Icon name="close" size={14} />
          </button>
        </div>
      ))}
      {errors.length > 1 && (
        <button type="button" className="link-btn banner-clear" onClick={clear}>
          Dismiss all
        </button>
      )}
    </div>
  );
}
