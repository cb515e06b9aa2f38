import { useConfine } from '../../store-context.js';
import { basename, pathText } from '../../state/policy-model.js';

export function UnresolvedList() {
  const sites = useConfine((s) => s.report?.unresolved ?? []);
  const openUnresolved = useConfine((s) => s.openUnresolved);
  return (
    <section className="panel" id="unresolved" data-testid="unresolved-panel">
      <div className="panel-head">
        <h2>Unresolved sites</h2>
        <span className="badge st-review">{sites.length} site{sites.length === 1 ? '' : 's'} to review</span>
        <span className="muted">Reachable syscall instructions whose number is not known: the policy cannot be proven complete until each is reviewed.</span>
      </div>
      <div className="table-wrap">
        <table className="table" data-testid="unresolved-table">
          <thead>
            <tr>
              <th>Program</th>
              <th>Site</th>
              <th className="num">Address</th>
              <th>Reason</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {sites.map((u, i) => (
              <tr key={`${u.program}-${u.object}-${u.address}-${i}`} data-testid="unresolved-row" data-index={i} onDoubleClick={() => void openUnresolved(i)}>
                <td className="mono">{basename(u.program)}</td>
                <td className="mono" title={pathText(u.path)}>
                  {basename(u.object)}:{u.function}
                </td>
                <td className="num mono">{u.address}</td>
                <td className="reason">{u.reason}</td>
                <td className="actions">
                  <button type="button" className="btn small" data-testid="unresolved-open" onClick={() => void openUnresolved(i)}>
                    Path
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
