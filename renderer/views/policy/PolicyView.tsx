import { useEffect, useRef, type RefObject } from 'react';
import { useConfine, useConfineStore } from '../../store-context.js';
import { PolicySummary } from './PolicySummary.js';
import { PolicyToolbar } from './PolicyToolbar.js';
import { PolicyTable } from './PolicyTable.js';
import { UnresolvedList } from './UnresolvedList.js';
import { ByLibrary } from './ByLibrary.js';
import { CveList } from './CveList.js';
import { ProgramPolicies } from './ProgramPolicies.js';

function isTyping(el: Element | null): boolean {
  if (!el) return false;
  const tag = el.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || (el as HTMLElement).isContentEditable;
}

/** `/` focuses the search; arrows, Page Up/Down, Home/End move the selection; Enter opens it. */
function usePolicyKeys(search: RefObject<HTMLInputElement | null>): void {
  const store = useConfineStore();
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      const s = store.getState();
      const inSearch = document.activeElement === search.current;
      const typing = isTyping(document.activeElement) && !inSearch;
      if (typing) return;
      switch (e.key) {
        case '/':
          if (inSearch) return;
          e.preventDefault();
          search.current?.focus();
          search.current?.select();
          return;
        case 'Escape':
          if (inSearch) search.current?.blur();
          return;
        case 'ArrowDown':
          e.preventDefault();
          s.moveSyscallSelection(1);
          return;
        case 'ArrowUp':
          e.preventDefault();
          s.moveSyscallSelection(-1);
          return;
        case 'PageDown':
          e.preventDefault();
          s.moveSyscallSelection(15);
          return;
        case 'PageUp':
          e.preventDefault();
          s.moveSyscallSelection(-15);
          return;
        case 'Home':
          if (inSearch) return;
          e.preventDefault();
          s.moveSyscallSelection('first');
          return;
        case 'End':
          if (inSearch) return;
          e.preventDefault();
          s.moveSyscallSelection('last');
          return;
        case 'Enter': {
          // Enter on a focused button or link is that control's own.
          const tag = document.activeElement?.tagName;
          if (tag === 'BUTTON' || tag === 'A') return;
          const name = s.selectedSyscall;
          const nr = s.report?.syscalls.find((x) => x.name === name)?.nr;
          if (nr === undefined) return;
          e.preventDefault();
          void s.openSyscall(nr);
          return;
        }
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [store, search]);
}

export function PolicyView() {
  const search = useRef<HTMLInputElement>(null);
  usePolicyKeys(search);
  const unresolved = useConfine((s) => s.report?.unresolved.length ?? 0);
  return (
    <div className="policy-view">
      <PolicySummary />
      <section className="panel grow" data-testid="policy-panel">
        <PolicyToolbar searchRef={search} />
        <PolicyTable />
      </section>
      {unresolved > 0 && <UnresolvedList />}
      <ProgramPolicies />
      <ByLibrary />
      <CveList />
    </div>
  );
}
