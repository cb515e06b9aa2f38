import { useEffect, useState } from 'react';
import { useConfine } from '../../store-context.js';
import { formatDuration, jobElapsedMs, jobFraction, jobOutcome, progressCount, type JobView } from '../../state/jobs-model.js';

const PHASES: Record<string, string> = {
  image: 'Unpacking the image',
  phase1: 'Phase 1: running the container',
  runtime: 'Measuring the container runtime',
  load: 'Loading programs',
  objects: 'Analysing objects',
  graph: 'Building the call graph',
  done: 'Writing the report',
};

function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [active]);
  return now;
}

function Job({ job, now }: { job: JobView; now: number }) {
  const cancel = useConfine((s) => s.cancelJob);
  const dismiss = useConfine((s) => s.dismissJob);
  const openReport = useConfine((s) => s.openReport);
  const navigate = useConfine((s) => s.navigate);
  const outcome = jobOutcome(job);
  const fraction = jobFraction(job);
  const p = job.progress;
  const open = async (id: string): Promise<void> => {
    if (await openReport(id)) navigate('policy');
  };
  return (
    <li className={`job job-${outcome}`} data-testid="job" data-job-id={job.jobId} data-outcome={outcome}>
      <div className="job-line">
        <span className="job-title mono" title={job.title}>
          {job.title}
        </span>
        <span className="job-phase" data-testid="job-phase">
          {outcome === 'running' ? (p ? (PHASES[p.phase] ?? p.phase) : 'Starting…') : outcome === 'done' ? 'Finished' : outcome === 'cancelled' ? 'Cancelled' : 'Failed'}
        </span>
        {progressCount(p) !== undefined && outcome === 'running' && (
          <span className="job-count" data-testid="job-count">
            {progressCount(p)}
          </span>
        )}
        <span className="job-elapsed" data-testid="job-elapsed">
          {formatDuration(jobElapsedMs(job, now))}
        </span>
        <span className="job-actions">
          {outcome === 'running' && (
            <button type="button" className="btn small" data-testid="job-cancel" disabled={job.cancelling} onClick={() => void cancel(job.jobId)}>
              {job.cancelling ? 'Cancelling…' : 'Cancel'}
            </button>
          )}
          {outcome === 'done' && job.finished?.reportId && (
            <button type="button" className="btn small primary" data-testid="job-open-report" onClick={() => void open(job.finished!.reportId!)}>
              Open report
            </button>
          )}
          {outcome !== 'running' && (
            <button type="button" className="btn small" data-testid="job-dismiss" onClick={() => dismiss(job.jobId)}>
              Dismiss
            </button>
          )}
        </span>
      </div>
      <div className={`progress${fraction === undefined ? ' indeterminate' : ''}`} aria-hidden="true">
        <div className="progress-bar" style={{ width: `${Math.round((fraction ?? 0.3) * 100)}%` }} />
      </div>
      {outcome === 'running' && p?.file && (
        <div className="job-file mono" data-testid="job-file" title={p.file}>
          {p.file}
        </div>
      )}
      {outcome === 'failed' && (
        <div className="job-error" data-testid="job-error">
          {job.finished?.error}
        </div>
      )}
    </li>
  );
}

export function JobsPanel() {
  const jobs = useConfine((s) => s.jobs);
  const running = jobs.some((j) => !j.finished);
  const now = useNow(running);
  if (jobs.length === 0) return null;
  return (
    <section className="panel" data-testid="jobs-panel">
      <div className="panel-head">
        <h2>Analyses</h2>
        <span className="muted">{running ? 'running' : 'all finished'}</span>
      </div>
      <ul className="jobs">
        {jobs.map((j) => (
          <Job key={j.jobId} job={j} now={now} />
        ))}
      </ul>
    </section>
  );
}
