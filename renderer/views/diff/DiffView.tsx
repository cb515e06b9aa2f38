import { useConfine } from '../../store-context.js';
import { PolicyPicker } from './PolicyPicker.js';
import { ImportProfile } from './ImportProfile.js';
import { DiffResult } from './DiffResult.js';
import { Icon } from '../../components/Icon.js';

export function DiffView() {
  const left = useConfine((s) => s.diffLeft);
  const right = useConfine((s) => s.diffRight);
  const setLeft = useConfine((s) => s.setDiffLeft);
  const setRight = useConfine((s) => s.setDiffRight);
  const swap = useConfine((s) => s.swapDiff);
  const run = useConfine((s) => s.runDiff);
  const loading = useConfine((s) => s.diffLoading);
  return (
    <div className="diff-view">
      <section className="panel" data-testid="diff-pick">
        <div className="panel-head">
          <h2>Compare two policies</h2>
          <span className="muted">added = only on the right · removed = only on the left</span>
        </div>
        <div className="diff-pickers">
          <PolicyPicker label="Left" value={left} onChange={setLeft} testId="diff-left" />
          <button type="button" className="btn small swap" aria-label="Swap sides" data-testid="diff-swap" onClick={swap}>
            <Icon name="swap" size={14} />
          </button>
          <PolicyPicker label="Right" value={right} onChange={setRight} testId="diff-right" />
          <button type="button" className="btn primary" data-testid="diff-run" disabled={!left || !right || loading} onClick={() => void run()}>
            {loading ? 'Comparing…' : 'Compare'}
          </button>
        </div>
        <ImportProfile />
      </section>
      <DiffResult />
    </div>
  );
}
