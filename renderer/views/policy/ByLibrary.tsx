// The policy by library: per object with a reachable syscall site, how many syscalls it can make
// and which ones no other object brings (what dropping or replacing that library would remove).
// Choosing one searches the policy for it.
import { useConfine } from '../../store-context.js';
import { basename } from '../../state/policy-model.js';
import { syscallName } from '../../../electron/api.js';

export function ByLibrary() {
  const contributors = useConfine((s) => s.report?.contributors);
  const setQuery = useConfine((s) => s.setPolicyQuery);
  if (!contributors || contributors.length === 0) return null;
  return (
    <section className="panel" data-testid="by-library">
      <div className="panel-head">
        <h2>By library</h2>
        <span className="muted">syscalls each object has a reachable site of, and those only it brings</span>
      </div>
      <div className="table-wrap">
        <table className="table compact">
          <thead>
            <tr>
              <th>Object</th>
              <th className="num">Syscalls</th>
              <th className="num">Only it</th>
              <th>Only it brings</th>
            </tr>
          </thead>
          <tbody>
            {contributors.map((c) => (
              <tr key={c.object} data-testid="library-row" data-object={c.object}>
                <td className="mono" title={c.object}>
                  <button type="button" className="link-btn mono" onClick={() => setQuery(basename(c.object))}>
                    {basename(c.object)}
                  </button>
                </td>
                <td className="num">{c.syscalls.length}</td>
                <td className="num">{c.only.length}</td>
                <td className="mono ellipsis" title={c.only.map((n) => syscallName(n) ?? n).join(' ')}>
                  {c.only.map((n) => syscallName(n) ?? n).join(' ')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
