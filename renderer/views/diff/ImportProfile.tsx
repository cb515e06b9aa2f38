import { useState, type ChangeEvent } from 'react';
import { useConfine } from '../../store-context.js';
import { profileNameFromFile } from '../../state/diff-model.js';

/** A Docker seccomp JSON from a file or pasted text; it becomes the right-hand side. */
export function ImportProfile() {
  const importProfile = useConfine((s) => s.importProfile);
  const importing = useConfine((s) => s.importing);
  const error = useConfine((s) => s.importError);
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [text, setText] = useState('');
  const [done, setDone] = useState<string>();

  const onFile = async (e: ChangeEvent<HTMLInputElement>): Promise<void> => {
    const f = e.target.files?.[0];
    if (!f) return;
    setText(await f.text());
    if (name === '') setName(profileNameFromFile(f.name));
  };
  const submit = async (): Promise<void> => {
    const meta = await importProfile(name, text);
    if (meta) {
      setDone(`Imported “${meta.name}” (${meta.syscalls} syscalls): it is now the right-hand side.`);
      setText('');
      setName('');
      setOpen(false);
    }
  };

  if (!open) {
    return (
      <div className="import-toggle">
        <button type="button" className="link-btn" data-testid="import-open" onClick={() => setOpen(true)}>
          Import a Docker seccomp profile (JSON)…
        </button>
        {done && <span className="ok-text">{done}</span>}
      </div>
    );
  }
  return (
    <div className="import" data-testid="import-form">
      <div className="row gap">
        <label className="field narrow">
          <span>Name</span>
          <input type="text" value={name} data-testid="import-name" placeholder="e.g. team-nginx" onChange={(e) => setName(e.target.value)} />
        </label>
        <label className="field">
          <span>File</span>
          <input type="file" accept=".json,application/json" data-testid="import-file" onChange={(e) => void onFile(e)} />
        </label>
      </div>
      <label className="field">
        <span>or paste the JSON</span>
        <textarea rows={6} className="mono" value={text} data-testid="import-text" spellCheck={false} placeholder='{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [...]}' onChange={(e) => setText(e.target.value)} />
      </label>
      {error && (
        <p className="form-error" role="alert" data-testid="import-error">
          {error}
        </p>
      )}
      <div className="row gap">
        <button type="button" className="btn primary" data-testid="import-submit" disabled={importing} onClick={() => void submit()}>
          {importing ? 'Importing…' : 'Import'}
        </button>
        <button type="button" className="btn" onClick={() => setOpen(false)}>
          Close
        </button>
      </div>
    </div>
  );
}
