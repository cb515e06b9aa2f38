// Every reachable site of the open syscall (object, function, address, programs), best first: which
// library contributes what. Choosing one shows its path in the graph above.
import { useConfine } from '../../store-context.js';
import { basename, pathText } from '../../state/policy-model.js';

export function SitesList() {
  const entry = useConfine((s) => (s.detail.target?.kind === 'syscall' ? s.report?.syscalls.find((x) => x.nr === (s.detail.target as { nr: number }).nr) : undefined));
  const shown = useConfine((s) => s.detail.site ?? 0);
  const showSite = useConfine((s) => s.showSite);
  const sites = entry?.sites ?? [];
  if (sites.length === 0) return null;
  const objects = new Set(sites.map((x) => x.object));
  return (
    <section className="panel" data-testid="sites-list">
      <div className="panel-head">
        <h2>Sites</h2>
        <span className="muted">
          {sites.length} reachable site{sites.length === 1 ? '' : 's'} in {objects.size} object{objects.size === 1 ? '' : 's'} · best path first
        </span>
      </div>
      <div className="table-wrap">
        <table className="table compact">
          <thead>
            <tr>
              <th className="num">#</th>
              <th>Object</th>
              <th>Function</th>
              <th className="num">Address</th>
              <th className="num">Indirect edges</th>
              <th>Programs</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {sites.map((site, i) => (
              <tr key={`${site.object}:${site.address}`} data-testid="site-row" data-object={site.object} data-address={site.address} className={i === shown ? 'selected' : undefined}>
                <td className="num">{i + 1}</td>
                <td className="mono" title={site.object}>
                  {basename(site.object)}
                </td>
                <td className="mono ellipsis" title={pathText(site.path)}>
                  {site.function}
                </td>
                <td className="num mono">{site.address}</td>
                <td className="num">{site.path.filter((p) => p.edge === 'indirect').length}</td>
                <td className="mono ellipsis">{site.programs.map(basename).join(', ')}</td>
                <td className="actions">
                  <button type="button" className="btn small" data-testid="site-show" disabled={i === shown} onClick={() => void showSite(i)}>
                    {i === shown ? 'Shown' : 'Show path'}
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
