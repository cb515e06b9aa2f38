import type { RefObject } from 'react';
import { useConfine } from '../../store-context.js';
import { CATEGORIES, CATEGORY_LABELS, type Category } from '../../syscall-categories.js';
import { STATUS_LABELS, type PolicyStatus } from '../../state/policy-model.js';
import { selectPolicyRows, selectVisibleRows } from '../../state/policy.js';

export function PolicyToolbar({ searchRef }: { searchRef: RefObject<HTMLInputElement | null> }) {
  const filter = useConfine((s) => s.policyFilter);
  const setQuery = useConfine((s) => s.setPolicyQuery);
  const setCategory = useConfine((s) => s.setCategoryFilter);
  const setStatus = useConfine((s) => s.setStatusFilter);
  const shown = useConfine((s) => selectVisibleRows(s).length);
  const total = useConfine((s) => selectPolicyRows(s).length);
  return (
    <div className="toolbar" data-testid="policy-toolbar">
      <div className="search">
        <input
          ref={searchRef}
          type="search"
          placeholder="Search name, number, program, note"
          value={filter.query}
          data-testid="policy-search"
          aria-label="Search syscalls"
          spellCheck={false}
          onChange={(e) => setQuery(e.target.value)}
        />
        {filter.query === '' && (
          <kbd className="search-key" aria-hidden="true">
            /
          </kbd>
        )}
      </div>
      <label className="inline-field">
        Category
        <select value={filter.category} data-testid="filter-category" onChange={(e) => setCategory(e.target.value as Category | 'all')}>
          <option value="all">all</option>
          {CATEGORIES.map((c) => (
            <option key={c} value={c}>
              {CATEGORY_LABELS[c]}
            </option>
          ))}
        </select>
      </label>
      <label className="inline-field">
        Status
        <select value={filter.status} data-testid="filter-status" onChange={(e) => setStatus(e.target.value as PolicyStatus | 'all')}>
          <option value="all">all</option>
          {(Object.keys(STATUS_LABELS) as PolicyStatus[]).map((st) => (
            <option key={st} value={st}>
              {STATUS_LABELS[st]}
            </option>
          ))}
        </select>
      </label>
      <span className="muted toolbar-count" data-testid="policy-shown">
        {shown === total ? `${total} syscalls` : `${shown} of ${total}`}
      </span>
      <span className="muted keys-hint">↑↓ select · Enter open · / search</span>
    </div>
  );
}
