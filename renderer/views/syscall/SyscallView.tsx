import { useConfine } from '../../store-context.js';
import { SyscallHeader } from './SyscallHeader.js';
import { UnresolvedHeader } from './UnresolvedHeader.js';
import { DetailGraph } from './DetailGraph.js';
import { NodePanel } from './NodePanel.js';
import { PathText } from './PathText.js';
import { SitesList } from './SitesList.js';
import { ArgumentRules } from './ArgumentRules.js';

export function SyscallView() {
  const target = useConfine((s) => s.detail.target);
  const loading = useConfine((s) => s.detail.loading);
  const error = useConfine((s) => s.detail.error);
  const entry = useConfine((s) => (s.detail.target?.kind === 'syscall' ? s.report?.syscalls.find((x) => x.nr === (s.detail.target as { nr: number }).nr) : undefined));
  const runtime = useConfine((s) => s.report?.runtime);
  const hasNodes = useConfine((s) => s.detail.path.length > 0);

  if (!target) {
    return (
      <div className="empty" data-testid="syscall-empty">
        <p>Choose a syscall in the Policy table (Enter or double-click) or an unresolved site to see why it is there.</p>
      </div>
    );
  }
  const runtimeOnly = entry !== undefined && entry.path.length === 0;
  return (
    <div className="syscall-view" data-testid="syscall-detail" data-target={target.kind === 'syscall' ? `syscall:${target.nr}` : `unresolved:${target.index}`}>
      {target.kind === 'syscall' ? <SyscallHeader nr={target.nr} /> : <UnresolvedHeader index={target.index} />}
      {runtimeOnly ? (
        <section className="panel" data-testid="runtime-only">
          <div className="notice">
            <p>
              <strong>{entry.name}</strong> has no static path: nothing in the image was found to make it. It is made by the container runtime
              {runtime ? ` (${runtime.runtime} ${runtime.version}, measured on kernel ${runtime.kernel})` : ''} between installing the seccomp filter and
              starting the entrypoint, so a container-wide policy needs it even though no program of the image calls it.
            </p>
            <p>Allow it unless you know your runtime does not make it.</p>
          </div>
        </section>
      ) : (
        <>
          <div className="detail-main">
            <section className="panel graph-panel">
              <div className="panel-head">
                <h2>Justification path</h2>
                <span className="muted">click a node for its disassembly · “More paths” adds its other callers</span>
              </div>
              {loading && <div className="muted pad">Loading the path…</div>}
              {error && (
                <div className="notice error pad" data-testid="detail-error">
                  {error}
                </div>
              )}
              {hasNodes && <DetailGraph />}
            </section>
            <NodePanel />
          </div>
          <PathText />
          <ArgumentRules />
          <SitesList />
        </>
      )}
    </div>
  );
}
