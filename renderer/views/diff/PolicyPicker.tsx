import type { PolicyRef } from '../../../electron/api.js';
import { useConfine } from '../../store-context.js';
import { parseRefKey, refKey } from '../../state/diff-model.js';

export function PolicyPicker({ label, value, onChange, testId }: { label: string; value?: PolicyRef; onChange: (r: PolicyRef | undefined) => void; testId: string }) {
  const reports = useConfine((s) => s.reports);
  const profiles = useConfine((s) => s.profiles);
  return (
    <label className="field picker">
      <span>{label}</span>
      <select value={value ? refKey(value) : ''} data-testid={testId} onChange={(e) => onChange(parseRefKey(e.target.value))}>
        <option value="">choose a policy…</option>
        <optgroup label="Reports (review applied)">
          {reports.map((r) => (
            <option key={r.id} value={refKey({ kind: 'report', id: r.id })}>
              {r.title} · {new Date(r.createdAt).toLocaleDateString()} · {r.syscalls}
            </option>
          ))}
        </optgroup>
        <optgroup label="Profiles">
          {profiles.map((p) => (
            <option key={p.id} value={refKey({ kind: 'profile', id: p.id })}>
              {p.name} ({p.kind === 'builtin' ? 'built in' : p.kind}) · {p.syscalls}
            </option>
          ))}
        </optgroup>
      </select>
    </label>
  );
}
