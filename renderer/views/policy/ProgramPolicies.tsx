// Per-program policies: the narrower filter each program of the container gets under
// `confine harden` (its own code, the launcher's calls, and when it can exec, every analysed
// program), the syscalls only it needs, its exports (raw BPF, profile), and the hardened image.
import { useMemo } from 'react';
import { useConfine } from '../../store-context.js';
import { defaultHardened, programRows } from '../../state/programs-model.js';
import { currentReviews } from '../../state/reviews.js';

function HardenForm({ defaults, paths }: { defaults: string[]; paths: string[] }) {
  const tag = useConfine((s) => s.hardenTag);
  const picked = useConfine((s) => s.hardenPrograms);
  const chosen = picked ?? defaults;
  const running = useConfine((s) => s.hardenRunning);
  const result = useConfine((s) => s.hardenResult);
  const setTag = useConfine((s) => s.setHardenTag);
  const toggle = useConfine((s) => s.toggleHardenProgram);
  const build = useConfine((s) => s.buildHardened);
  const deliver = useConfine((s) => s.deliverExport);
  return (
    <div className="harden" data-testid="harden-form">
      <div className="row gap">
        <label>
          New image{' '}
          <input className="input mono" data-testid="harden-tag" placeholder="repo/name:hardened" value={tag} onChange={(e) => setTag(e.target.value)} />
        </label>
        <button type="button" className="btn primary" data-testid="harden-build" disabled={running || tag.trim() === '' || chosen.length === 0} onClick={() => void build(defaults)}>
          {running ? 'Building…' : 'Build hardened image'}
        </button>
        <span className="muted">each chosen program starts under its own filter, on top of the container-wide one</span>
      </div>
      <div className="row gap wrap">
        {paths.map((p) => (
          <label key={p} className="mono small-text">
            <input type="checkbox" data-testid="harden-program" data-program={p} checked={chosen.includes(p)} onChange={() => toggle(p, defaults)} /> {p}
          </label>
        ))}
      </div>
      {result && (
        <div className="notice small" data-testid="harden-result">
          <div>
            Built <span className="mono">{result.tag}</span> ({result.imageId.slice(7, 19)}).{' '}
            {result.programs.map((p) => `${p.file}: ${p.allowed} syscalls in its own filter`).join('; ')}; container-wide {result.containerWideBefore}
            {result.launcherSyscalls.length > 0 ? ` + ${result.launcherSyscalls.join(' ')} for the launcher` : ''}.
          </div>
          {result.warnings.map((w) => (
            <div key={w} className="warn-text" data-testid="harden-warning">
              {w}
            </div>
          ))}
          {result.skipped.map((s) => (
            <div key={s} className="muted">
              not hardened: {s}
            </div>
          ))}
          <div className="row gap">
            <code data-testid="harden-run-line">{result.runLine}</code>
            <button type="button" className="btn" data-testid="harden-profile" onClick={() => void deliver(result.profile)}>
              Container-wide profile
            </button>
          </div>
        </div>
      )}
    </div>
  );
}

export function ProgramPolicies() {
  const report = useConfine((s) => s.report);
  const reviews = useConfine((s) => currentReviews(s));
  const exportProgram = useConfine((s) => s.exportProgram);
  const message = useConfine((s) => s.exportMessage);
  const rows = useMemo(() => programRows(report, reviews), [report, reviews]);
  if (rows.length === 0) return null;
  const engine = report?.image?.source === 'engine' && report.phase1 !== undefined;
  return (
    <section className="panel" id="programs" data-testid="program-policies">
      <div className="panel-head">
        <h2>Per-program policies</h2>
        <span className="muted">the filter each program gets of its own with confine harden, against the container-wide policy (review applied)</span>
      </div>
      <div className="table-wrap">
        <table className="table compact">
          <thead>
            <tr>
              <th>Program</th>
              <th className="num">Its code needs</th>
              <th className="num" title="its code's syscalls with the review applied, and the launcher's execve, write and exit_group; a program that can exec also covers every analysed program, and the built filter then adds the launcher's own start-up, which this count leaves out">
                Its own filter
              </th>
              <th className="num">Fewer than container-wide</th>
              <th>Only it needs</th>
              <th>Export</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.path} data-testid="program-row" data-program={r.path}>
                <td className="mono" title={r.execs ? `it can exec: its filter covers the ${r.covers} analysed program(s), as whatever it execs runs under it` : undefined}>
                  {r.path}
                  {r.running && <span className="badge small">running</span>}
                  {r.execs && <span className="badge small">can exec</span>}
                </td>
                <td className="num" data-testid="program-own">{r.own}</td>
                <td className="num" data-testid="program-filter">{r.filter}</td>
                <td className="num" data-testid="program-reduction">{r.reduction}%</td>
                <td className="mono ellipsis" title={r.only.join(' ')}>
                  {r.only.join(' ') || <span className="muted">none</span>}
                </td>
                <td className="row gap">
                  <button type="button" className="btn small" data-testid="program-bpf" onClick={() => void exportProgram(r.path, 'bpf')}>
                    Raw BPF
                  </button>
                  <button type="button" className="btn small" data-testid="program-profile" onClick={() => void exportProgram(r.path, 'docker')}>
                    Profile
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {message && (
        <div className="ok-text small" data-testid="program-export-message">
          {message}
        </div>
      )}
      {engine ? (
        <HardenForm defaults={defaultHardened(rows)} paths={rows.map((r) => r.path)} />
      ) : (
        <div className="muted pad">A hardened image is built from an engine image analysed with phase 1 (Images view).</div>
      )}
    </section>
  );
}
