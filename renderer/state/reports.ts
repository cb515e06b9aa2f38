// Stored reports and the one open in the UI. Opening a report resets what belonged to the last one.
import type { Report, ReportMeta } from '../../electron/api.js';
import { guard } from './errors.js';
import { EMPTY_DETAIL } from './detail.js';
import { EMPTY_EXPLORER } from './explorer.js';
import type { Slice } from './types.js';

export interface ReportsSlice {
  reports: ReportMeta[];
  reportsLoading: boolean;
  currentReportId?: string;
  report?: Report;
  reportLoading: boolean;
  loadReports(): Promise<void>;
  /** Loads a report and makes it current; resolves false if it could not be loaded. */
  openReport(id: string): Promise<boolean>;
  closeReport(): void;
}

export const createReportsSlice: Slice<ReportsSlice> = (set, get, { api }) => ({
  reports: [],
  reportsLoading: false,
  reportLoading: false,
  async loadReports() {
    set({ reportsLoading: true });
    const reports = await guard(get, 'Listing the reports', () => api.listReports());
    set({ reportsLoading: false });
    if (reports) set({ reports: [...reports].sort((a, b) => b.createdAt.localeCompare(a.createdAt)) });
  },
  async openReport(id) {
    if (get().currentReportId === id && get().report) return true;
    set({ reportLoading: true });
    const report = await guard(get, 'Opening the report', () => api.getReport(id));
    set({ reportLoading: false });
    if (!report) return false;
    set({
      currentReportId: id,
      report,
      selectedSyscall: undefined,
      policyFilter: { query: '', category: 'all', status: 'all' },
      detail: EMPTY_DETAIL,
      disasm: {},
      ...EMPTY_EXPLORER,
      exportResult: undefined,
      exportMessage: undefined,
    });
    return true;
  },
  closeReport() {
    set({ currentReportId: undefined, report: undefined, detail: EMPTY_DETAIL, disasm: {}, ...EMPTY_EXPLORER, selectedSyscall: undefined });
  },
});

/** The title of a report: its meta title, else the image or the programs. */
export function reportTitle(meta: ReportMeta | undefined, report: Report | undefined): string {
  if (meta) return meta.title;
  if (report?.image) return report.image.ref;
  if (report) return report.programs.map((p) => p.path).join(', ');
  return '';
}
