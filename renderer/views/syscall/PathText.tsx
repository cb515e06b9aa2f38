import { useConfine } from '../../store-context.js';
import { pathText } from '../../state/policy-model.js';

/** The path as one line, e.g. `nginx:main -> ngx_delete_file -> unlink@plt -> libc:unlink -> syscall 87`. */
export function PathText() {
  const text = useConfine((s) => {
    const t = s.detail.target;
    if (!t || !s.report) return '';
    if (t.kind === 'syscall') {
      const e = s.report.syscalls.find((x) => x.nr === t.nr);
      const path = e?.sites?.[s.detail.site ?? 0]?.path ?? e?.path;
      return e && path ? pathText(path, e.nr) : '';
    }
    const u = s.report.unresolved[t.index];
    return u ? `${pathText(u.path)} -> syscall ?` : '';
  });
  if (!text) return null;
  return (
    <section className="panel path-text">
      <div className="panel-head">
        <h2>As text</h2>
        <button type="button" className="btn small" onClick={() => void navigator.clipboard?.writeText(text)}>
          Copy
        </button>
      </div>
      <pre className="mono" data-testid="path-text">
        {text}
      </pre>
    </section>
  );
}
