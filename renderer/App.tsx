// The frame: sidebar, header with the current report, error banner, and the current view.
// The view (and the open report / syscall / unresolved site) is mirrored in location.hash:
// #/policy?report=ID, #/syscall?report=ID&nr=87, #/syscall?report=ID&site=3. Each in-app
// navigation is a history entry (Back and Forward move through them); a reload keeps the place.
import { useEffect, useRef } from 'react';
import { useConfine, useConfineStore } from './store-context.js';
import { NEEDS_REPORT, parseView, type ViewName } from './state/nav.js';
import type { DetailTarget } from './state/detail.js';
import { Sidebar } from './components/Sidebar.js';
import { Header } from './components/Header.js';
import { ErrorBanner } from './components/ErrorBanner.js';
import { NoReport } from './components/NoReport.js';
import { ImagesView } from './views/images/ImagesView.js';
import { PolicyView } from './views/policy/PolicyView.js';
import { SyscallView } from './views/syscall/SyscallView.js';
import { ExplorerView } from './views/explorer/ExplorerView.js';
import { DiffView } from './views/diff/DiffView.js';
import { ReviewView } from './views/review/ReviewView.js';

function hashFor(view: ViewName, reportId: string | undefined, target: DetailTarget | undefined): string {
  const q = new URLSearchParams();
  if (reportId && view !== 'images' && view !== 'diff') q.set('report', reportId);
  if (view === 'syscall' && target?.kind === 'syscall') q.set('nr', String(target.nr));
  if (view === 'syscall' && target?.kind === 'unresolved') q.set('site', String(target.index));
  const qs = q.toString();
  return `#/${view}${qs ? `?${qs}` : ''}`;
}

function useHashSync(): void {
  const store = useConfineStore();
  const view = useConfine((s) => s.view);
  const reportId = useConfine((s) => s.currentReportId);
  const target = useConfine((s) => s.detail.target);
  const applying = useRef(false);

  // Hash -> state (on load and on back/forward).
  useEffect(() => {
    const apply = async (): Promise<void> => {
      const hash = location.hash;
      const v = parseView(hash);
      if (!v) return;
      const params = new URLSearchParams(hash.includes('?') ? hash.slice(hash.indexOf('?') + 1) : '');
      const s = store.getState();
      applying.current = true;
      try {
        const rid = params.get('report');
        const viewBefore = s.view;
        if (rid && rid !== s.currentReportId) await s.openReport(rid);
        // A view chosen while the report was loading (a click right after a reload) is the user's:
        // the address being applied must not take it back.
        if (store.getState().view !== viewBefore) return;
        const nr = params.get('nr');
        const site = params.get('site');
        const t = store.getState().detail.target;
        if (v === 'syscall' && nr !== null && /^\d+$/.test(nr) && !(t?.kind === 'syscall' && t.nr === Number(nr))) await store.getState().openSyscall(Number(nr));
        else if (v === 'syscall' && site !== null && /^\d+$/.test(site) && !(t?.kind === 'unresolved' && t.index === Number(site))) await store.getState().openUnresolved(Number(site));
        else store.getState().navigate(v);
      } finally {
        applying.current = false;
      }
    };
    void apply();
    const onHash = (): void => void apply();
    // Back/Forward over our own entries fire popstate; a typed or linked hash fires hashchange.
    window.addEventListener('hashchange', onHash);
    window.addEventListener('popstate', onHash);
    return () => {
      window.removeEventListener('hashchange', onHash);
      window.removeEventListener('popstate', onHash);
    };
  }, [store]);

  // State -> hash: a new history entry per navigation; the first one (the bare address) is replaced.
  useEffect(() => {
    if (applying.current) return;
    const h = hashFor(view, reportId, target);
    if (location.hash === h) return;
    if (parseView(location.hash)) history.pushState(null, '', h);
    else history.replaceState(null, '', h);
  }, [view, reportId, target]);
}

function CurrentView() {
  const view = useConfine((s) => s.view);
  const hasReport = useConfine((s) => s.report !== undefined);
  if (NEEDS_REPORT.has(view) && !hasReport) return <NoReport view={view} />;
  switch (view) {
    case 'images':
      return <ImagesView />;
    case 'policy':
      return <PolicyView />;
    case 'syscall':
      return <SyscallView />;
    case 'explorer':
      return <ExplorerView />;
    case 'diff':
      return <DiffView />;
    case 'review':
      return <ReviewView />;
  }
}

export function App() {
  useHashSync();
  const view = useConfine((s) => s.view);
  return (
    <div className="app" data-testid="app" data-view={view}>
      <Sidebar />
      <div className="main">
        <Header />
        <ErrorBanner />
        <main className="content" data-testid={`view-${view}`}>
          <CurrentView />
        </main>
      </div>
    </div>
  );
}
