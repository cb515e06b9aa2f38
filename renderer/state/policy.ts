// The policy table: filter, search, sort and the keyboard-driven selection over the visible rows.
import type { Category } from '../syscall-categories.js';
import {
  categoryChart,
  countStatuses,
  filterRows,
  moveSelection,
  nextSort,
  policyRows,
  sortRows,
  type CategoryBar,
  type PolicyFilter,
  type PolicyRow,
  type PolicyStatus,
  type SelectionMove,
  type SortKey,
  type SortSpec,
  type StatusCounts,
} from './policy-model.js';
import { currentReviews } from './reviews.js';
import type { ConfineState, Slice } from './types.js';

export interface PolicySlice {
  policyFilter: PolicyFilter;
  policySort: SortSpec;
  /** The selected syscall (by name, so it survives filtering and sorting). */
  selectedSyscall?: string;
  setPolicyQuery(query: string): void;
  setCategoryFilter(category: Category | 'all'): void;
  setStatusFilter(status: PolicyStatus | 'all'): void;
  sortPolicyBy(key: SortKey): void;
  selectSyscall(name: string | undefined): void;
  /** Arrow keys, Page Up/Down, Home/End over the visible rows. */
  moveSyscallSelection(move: SelectionMove): void;
}

/** Memoised on the inputs' identities: the table, the header and the chart share one computation. */
function memo<A extends unknown[], R>(fn: (...a: A) => R): (...a: A) => R {
  let last: { args: A; result: R } | undefined;
  return (...args: A) => {
    if (last && last.args.length === args.length && last.args.every((x, i) => x === args[i])) return last.result;
    const result = fn(...args);
    last = { args, result };
    return result;
  };
}

const rowsMemo = memo((report: ConfineState['report'], reviews: ReturnType<typeof currentReviews>) => (report ? policyRows(report, reviews) : []));
const visibleMemo = memo((rows: PolicyRow[], filter: PolicyFilter, sort: SortSpec) => sortRows(filterRows(rows, filter), sort));
const countsMemo = memo((rows: PolicyRow[]): StatusCounts => countStatuses(rows));
const chartMemo = memo((rows: PolicyRow[]): CategoryBar[] => categoryChart(rows));

/** Every row of the current report, review applied. */
export function selectPolicyRows(s: ConfineState): PolicyRow[] {
  return rowsMemo(s.report, currentReviews(s));
}

/** The rows the table shows, in its order. */
export function selectVisibleRows(s: ConfineState): PolicyRow[] {
  return visibleMemo(selectPolicyRows(s), s.policyFilter, s.policySort);
}

export function selectStatusCounts(s: ConfineState): StatusCounts {
  return countsMemo(selectPolicyRows(s));
}

export function selectCategoryChart(s: ConfineState): CategoryBar[] {
  return chartMemo(selectPolicyRows(s));
}

export const createPolicySlice: Slice<PolicySlice> = (set, get) => ({
  policyFilter: { query: '', category: 'all', status: 'all' },
  policySort: { key: 'nr', dir: 'asc' },
  setPolicyQuery(query) {
    set((s) => ({ policyFilter: { ...s.policyFilter, query } }));
  },
  setCategoryFilter(category) {
    set((s) => ({ policyFilter: { ...s.policyFilter, category } }));
  },
  setStatusFilter(status) {
    set((s) => ({ policyFilter: { ...s.policyFilter, status } }));
  },
  sortPolicyBy(key) {
    set((s) => ({ policySort: nextSort(s.policySort, key) }));
  },
  selectSyscall(name) {
    set({ selectedSyscall: name });
  },
  moveSyscallSelection(move) {
    const names = selectVisibleRows(get()).map((r) => r.name);
    set({ selectedSyscall: moveSelection(names, get().selectedSyscall, move) });
  },
});
