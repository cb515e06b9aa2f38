import type { FormEvent } from 'react';
import { useConfine } from '../../store-context.js';
import type { TargetKind } from '../../state/jobs-model.js';

const TABS: { kind: TargetKind; label: string }[] = [
  { kind: 'engine', label: 'Engine image' },
  { kind: 'path', label: 'Tarball / directory' },
  { kind: 'host', label: 'Host programs' },
];

export function AnalysisForm() {
  const form = useConfine((s) => s.form);
  const setForm = useConfine((s) => s.setForm);
  const submit = useConfine((s) => s.submitAnalysis);
  const formError = useConfine((s) => s.formError);
  const engineUp = useConfine((s) => s.engine?.reachable === true);

  const onSubmit = (e: FormEvent): void => {
    e.preventDefault();
    void submit();
  };

  return (
    <section className="panel" data-testid="analysis-form-panel">
      <div className="panel-head">
        <h2>New analysis</h2>
      </div>
      <form className="form" onSubmit={onSubmit} data-testid="analysis-form">
        <div className="tabs" role="tablist">
          {TABS.map((t) => (
            <button
              key={t.kind}
              type="button"
              role="tab"
              aria-selected={form.kind === t.kind}
              className={`tab${form.kind === t.kind ? ' active' : ''}`}
              data-testid={`target-${t.kind}`}
              onClick={() => setForm({ kind: t.kind })}
            >
              {t.label}
            </button>
          ))}
        </div>

        {form.kind === 'engine' && (
          <label className="field">
            <span>Image reference</span>
            <input
              type="text"
              value={form.image}
              placeholder={engineUp ? 'pick one on the left, or type nginx:1.25' : 'no engine reachable'}
              data-testid="input-image"
              spellCheck={false}
              onChange={(e) => setForm({ image: e.target.value })}
            />
          </label>
        )}
        {form.kind === 'path' && (
          <label className="field">
            <span>Path on the service's machine</span>
            <input
              type="text"
              value={form.path}
              placeholder="/srv/images/nginx.tar  or  /srv/rootfs/"
              data-testid="input-path"
              spellCheck={false}
              onChange={(e) => setForm({ path: e.target.value })}
            />
            <small>A docker-save or OCI tarball, an OCI layout directory or an unpacked root filesystem.</small>
          </label>
        )}
        {form.kind === 'host' && (
          <label className="field">
            <span>Programs of this machine (one per line)</span>
            <textarea
              rows={4}
              value={form.hostPrograms}
              placeholder={'/usr/sbin/nginx\n/usr/bin/curl'}
              data-testid="input-host-programs"
              spellCheck={false}
              onChange={(e) => setForm({ hostPrograms: e.target.value })}
            />
          </label>
        )}

        {form.kind !== 'host' && (
          <fieldset className="options">
            <legend>Options</legend>
            <div className="row">
              <label className="field narrow">
                <span>Phase-1 seconds</span>
                <input type="number" min={1} max={3600} value={form.seconds} placeholder="30" data-testid="input-seconds" onChange={(e) => setForm({ seconds: e.target.value })} />
              </label>
              <label className="field narrow">
                <span>Network while running</span>
                <select value={form.network} data-testid="input-network" onChange={(e) => setForm({ network: e.target.value as 'none' | 'host' })}>
                  <option value="none">none</option>
                  <option value="host">host</option>
                </select>
              </label>
            </div>
            <label className="field">
              <span>Explicit programs inside the image (skip phase 1)</span>
              <textarea
                rows={2}
                value={form.programs}
                placeholder="/usr/sbin/nginx"
                data-testid="input-programs"
                spellCheck={false}
                onChange={(e) => setForm({ programs: e.target.value })}
              />
            </label>
          </fieldset>
        )}

        {formError && (
          <p className="form-error" role="alert" data-testid="form-error">
            {formError}
          </p>
        )}
        <div className="form-actions">
          <button type="submit" className="btn primary" data-testid="start-analysis">
            Analyse
          </button>
        </div>
      </form>
    </section>
  );
}
