// The kernel CVE panel: each CVE of the shipped table, what it needs, and whether this policy (as
// analysed, before the review) and Docker's default block it, and how.
import { useState } from 'react';
import { useConfine } from '../../store-context.js';
import { CVE_FILTER_LABELS, CVE_STATUS_LABELS, filterCves, type CveFilter } from '../../state/cve-model.js';
import { cveSummary, type CveVerdict } from '../../../electron/api.js';

function Verdict({ v, testId }: { v: CveVerdict | undefined; testId: string }) {
  if (!v) return <td className="muted">—</td>;
  return (
    <td data-testid={testId} data-status={v.status} title={v.how}>
      <span className={`badge ${v.status === 'open' ? 'st-review' : 'st-allowed'}`}>{CVE_STATUS_LABELS[v.status]}</span>
      <div className="reason">{v.how}</div>
    </td>
  );
}

export function CveList() {
  const rows = useConfine((s) => s.report?.cves);
  const [filter, setFilter] = useState<CveFilter>('all');
  const [query, setQuery] = useState('');
  if (!rows) return null;
  const c = cveSummary(rows);
  const shown = filterCves(rows, filter, query);
  return (
    <section className="panel" id="cves" data-testid="cve-panel">
      <div className="panel-head">
        <h2>Kernel CVEs</h2>
        <span className="badge" data-testid="cve-count-policy">
          this policy blocks {c.policy.denied + c.policy.argument} of {c.total}
        </span>
        <span className="badge" data-testid="cve-count-docker">
          Docker&apos;s default blocks {c.dockerDefault.denied + c.dockerDefault.argument}
        </span>
        <span className="muted">
          {c.policy.denied} by denying the syscall, {c.policy.argument} by an argument rule; {c.dockerOnly.length} blocked only by Docker&apos;s default. The policy as analysed, before the review.
        </span>
      </div>
      <div className="toolbar">
        <select data-testid="cve-filter" value={filter} onChange={(e) => setFilter(e.target.value as CveFilter)} aria-label="Show">
          {(Object.keys(CVE_FILTER_LABELS) as CveFilter[]).map((f) => (
            <option key={f} value={f}>
              {CVE_FILTER_LABELS[f]}
            </option>
          ))}
        </select>
        <input data-testid="cve-search" type="search" placeholder="CVE, syscall or summary" value={query} onChange={(e) => setQuery(e.target.value)} aria-label="Search CVEs" />
      </div>
      <div className="table-wrap">
        <table className="table" data-testid="cve-table">
          <thead>
            <tr>
              <th>CVE</th>
              <th>What it is</th>
              <th>Needs</th>
              <th>This policy</th>
              <th>Docker&apos;s default</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={r.id} data-testid="cve-row" data-cve={r.id}>
                <td className="mono">
                  <a href={r.sources[0]} target="_blank" rel="noreferrer noopener" title={r.sources.join('\n')}>
                    {r.id}
                  </a>
                </td>
                <td className="reason">{r.summary}</td>
                <td className="mono reason">{r.needs}</td>
                <Verdict v={r.policy} testId="cve-policy" />
                <Verdict v={r.dockerDefault} testId="cve-docker" />
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
