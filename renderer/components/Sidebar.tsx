import { useConfine } from '../store-context.js';
import { NEEDS_REPORT, VIEW_LABELS, type ViewName } from '../state/nav.js';
import { Icon, type IconName } from './Icon.js';

const ITEMS: { view: ViewName; icon: IconName }[] = [
  { view: 'images', icon: 'images' },
  { view: 'policy', icon: 'policy' },
  { view: 'syscall', icon: 'path' },
  { view: 'explorer', icon: 'graph' },
  { view: 'diff', icon: 'diff' },
  { view: 'review', icon: 'review' },
];

export function Sidebar() {
  const view = useConfine((s) => s.view);
  const navigate = useConfine((s) => s.navigate);
  const hasReport = useConfine((s) => s.report !== undefined);
  const selected = useConfine((s) => s.selectedSyscall);
  const openSyscall = useConfine((s) => s.openSyscall);
  const detailTarget = useConfine((s) => s.detail.target);
  const report = useConfine((s) => s.report);
  const version = useConfine((s) => s.host?.version);

  const go = (v: ViewName): void => {
    // "Syscall detail" opens the selected syscall when nothing is open yet.
    if (v === 'syscall' && !detailTarget && selected && report) {
      const nr = report.syscalls.find((x) => x.name === selected)?.nr;
      if (nr !== undefined) {
        void openSyscall(nr);
        return;
      }
    }
    navigate(v);
  };

  return (
    <nav className="sidebar" data-testid="sidebar" aria-label="Views">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        <span className="brand-name">Confine</span>
      </div>
      <ul>
        {ITEMS.map(({ view: v, icon }) => {
          const dim = NEEDS_REPORT.has(v) && !hasReport;
          return (
            <li key={v}>
              <button
                type="button"
                className={`nav-item${view === v ? ' active' : ''}${dim ? ' dim' : ''}`}
                data-testid={`nav-${v}`}
                aria-current={view === v ? 'page' : undefined}
                onClick={() => go(v)}
                title={dim ? `${VIEW_LABELS[v]} (open a report first)` : VIEW_LABELS[v]}
              >
                <Icon name={icon} />
                <span>{VIEW_LABELS[v]}</span>
              </button>
            </li>
          );
        })}
      </ul>
      <div className="sidebar-foot">{version ? `v${version}` : ''}</div>
    </nav>
  );
}
