// The open syscall's argument rules (phase 3): each restricted argument, the values every reachable
// site can pass (by name), and where each value comes from. An argument not listed may be anything.
// On the argument the export enforces, the reviewer can remove a value (a review entry) and the
// export follows; the last value cannot be removed here: deny the syscall instead.
import { useConfine } from '../../store-context.js';
import { argumentRows } from '../../state/argument-model.js';
import { currentReviews } from '../../state/reviews.js';

export function ArgumentRules() {
  const entry = useConfine((s) => (s.detail.target?.kind === 'syscall' ? s.report?.syscalls.find((x) => x.nr === (s.detail.target as { nr: number }).nr) : undefined));
  const reviews = useConfine(currentReviews);
  const setReview = useConfine((s) => s.setReview);
  const saving = useConfine((s) => s.savingReviews);
  if (!entry) return null;
  const rows = argumentRows(entry, reviews ?? {});
  // What the export does with the rules, as policyEntries decides it.
  const decision = reviews?.[entry.name]?.decision;
  const anyArgs = entry.runtime ? 'the container runtime makes it too, so the export allows any arguments' : decision === 'allow' ? 'the review allows it, with any arguments' : decision === 'deny' ? 'the review denies it' : undefined;
  return (
    <section className="panel" data-testid="argument-rules">
      <div className="panel-head">
        <h2>Arguments</h2>
        <span className="muted">
          {rows.length === 0
            ? 'Allowed with any arguments: no restricted argument has a value known at every reachable site.'
            : anyArgs
              ? `Values found by the analysis; ${anyArgs}.`
              : 'Values every reachable site can pass; the export allows the syscall only with them (the first argument listed with a usable rule).'}
        </span>
      </div>
      {rows.map((r) => (
        <div key={r.index} className="arg-rule" data-testid="argument-rule" data-index={r.index} data-name={r.name}>
          <h3 className="mono">
            {r.name} (arg {r.index}){r.allowedBits !== undefined && <span className="muted"> · only bits of {r.allowedBits}</span>}
            <span className="muted">{anyArgs ? '' : r.enforced ? ` · enforced by the export${r.removable ? '' : ' (a flags rule: it allows bits, not single values)'}` : ' · not enforced (the export restricts one argument per syscall)'}</span>
          </h3>
          <table className="table compact">
            <thead>
              <tr>
                <th>Value</th>
                <th className="num">Raw</th>
                <th>From</th>
                <th>Path</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {r.values.map((v) => (
                <tr key={v.value} data-testid="argument-value" data-value={v.value} data-removed={v.removed ? 'true' : 'false'} className={v.removed ? 'removed' : undefined}>
                  <td className="mono">{v.removed ? <s>{v.text}</s> : v.text}</td>
                  <td className="num mono">{v.hex}</td>
                  <td className="mono">{v.source ?? ''}</td>
                  <td className="reason mono-ish">{v.path ?? ''}</td>
                  <td className="actions">
                    {r.removable && !anyArgs && (
                      <button
                        type="button"
                        className="btn small"
                        data-testid={v.removed ? 'argument-restore' : 'argument-remove'}
                        disabled={saving[v.key] === true || (!v.removed && r.values.filter((x) => !x.removed).length === 1)}
                        title={v.removed ? 'Allow this value again' : 'Remove this value from the exported rule'}
                        onClick={() => void setReview(v.key, v.removed ? null : 'deny', '')}
                      >
                        {v.removed ? 'Restore' : 'Remove'}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </section>
  );
}
