// The service layer: ConfineApi implemented once, for every transport (Electron IPC, the web host's
// WebSocket). Arguments arrive as plain JSON from the UI, so every method checks what it is given.
import { cacheLayout } from '../../analysis/cache/layout.js';
import { readFileSync } from 'node:fs';
import type Docker from 'dockerode';
import type {
  AnalysisRequest,
  ConfineApi,
  ConfineEvents,
  Disassembly,
  EngineStatus,
  ExportFormat,
  ExportResult,
  GraphNode,
  HardenSummary,
  HostInfo,
  ImageInfo,
  PolicyDiff,
  PolicyRef,
  ProfileMeta,
  Report,
  ReportMeta,
  ReviewDecision,
  Subgraph,
  Workspace,
} from '../api.js';
import { allowedByEntries, allowedEntries, exportReport, policyEntries, renderPolicy } from '../../analysis/policy/exports.js';
import { harden } from '../../analysis/harden/harden.js';
import { bpfExport } from './bpf-export.js';
import { reviewBasis, reviewSubject } from '../../analysis/policy/review.js';
import { JobManager } from './jobs.js';
import { checkNamedPrograms, checkRequest } from '../../analysis/request.js';
import { InputError } from '../../analysis/errors.js';
import { LIMITS } from '../../analysis/limits/limits.js';
import { checkReportId, ReportStore } from './reports.js';
import { disassembleAt, type FunctionHint } from './disasm.js';
import { ProfileStore } from './profiles.js';
import { diffPolicies, shortReason, type PolicySide } from './diff.js';
import { WorkspaceStore } from './workspace.js';
import { dockerOptions, engineStatus, listImages, makeDocker } from './docker.js';

export interface ServiceOptions {
  /** Root of the cache: facts/, images/, runtime/, reports/ and profiles/ live below it. */
  cacheDir: string;
  /** The review workspace file. */
  workspaceFile: string;
  docker?: Docker;
  /** Pushes an event to the UI. */
  emit: <E extends keyof ConfineEvents>(event: E, data: ConfineEvents[E]) => void;
  transport?: HostInfo['transport'];
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

function text(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new Error(`${what} must be text`);
  return v;
}

function optionalLimit(v: unknown, fallback: number, max: number): number {
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new Error('limit must be a whole number');
  return Math.min(v, max);
}

const EXPORT_FORMATS: readonly ExportFormat[] = ['docker', 'oci', 'kubernetes', 'bpf'];
/** Programs one hardenImage call may name (an image's servers are a handful). */
const MAX_HARDENED = 64;

export class ConfineService implements ConfineApi {
  readonly reports: ReportStore;
  readonly profiles: ProfileStore;
  readonly workspace: WorkspaceStore;
  private readonly jobs: JobManager;
  private readonly docker: Docker | undefined;
  private readonly dockerError: string | undefined;
  private readonly version = packageVersion();

  constructor(readonly opts: ServiceOptions) {
    const d = makeDocker(opts.docker);
    this.docker = d.docker;
    this.dockerError = d.error;
    this.reports = new ReportStore(cacheLayout(opts.cacheDir).reports);
    this.profiles = new ProfileStore(cacheLayout(opts.cacheDir).profiles);
    this.workspace = new WorkspaceStore(opts.workspaceFile);
    this.migrateReviews();
    this.jobs = new JobManager({ cacheDir: opts.cacheDir, reportsDir: this.reports.dir, docker: dockerOptions(opts.docker), emit: opts.emit });
  }

  /** Version-1 workspaces kept reviews per report id: move them to the report's subject. */
  private migrateReviews(): void {
    try {
      this.workspace.migrate((key) => {
        let report: Report;
        try {
          report = this.reports.get(checkReportId(key));
        } catch {
          return undefined;
        }
        return { subject: reviewSubject(report), basis: (name) => reviewBasis(report, key, name) };
      });
    } catch {
      // A workspace that cannot be written says so at the first review; reading still works.
    }
  }

  /** The review subject of a stored report. */
  private subjectOf(id: string): { subject: string; report: Report } {
    const report = this.reports.get(id);
    return { subject: reviewSubject(report), report };
  }

  async hostInfo(): Promise<HostInfo> {
    const transport = this.opts.transport ?? 'web';
    return { transport, nativeSave: transport === 'electron', version: this.version };
  }

  engineStatus(): Promise<EngineStatus> {
    return engineStatus(this.docker, this.dockerError);
  }

  listImages(): Promise<ImageInfo[]> {
    return listImages(this.docker, this.dockerError);
  }

  async startAnalysis(req: AnalysisRequest): Promise<{ jobId: string }> {
    const request = checkRequest(req);
    // Host programs are checked at once, as the CLI checks them: the UI shows the same line.
    if (request.target.kind === 'host') checkNamedPrograms('/', request.target.programs);
    return { jobId: this.jobs.start(request) };
  }

  async cancelAnalysis(jobId: string): Promise<void> {
    this.jobs.cancel(text(jobId, 'the job id'));
  }

  async listReports(): Promise<ReportMeta[]> {
    return this.reports.list();
  }

  async getReport(reportId: string): Promise<Report> {
    return this.reports.get(checkReportId(reportId));
  }

  async searchFunctions(reportId: string, program: string, query: string, limit?: number): Promise<GraphNode[]> {
    return this.reports.graph(checkReportId(reportId), text(program, 'the program')).search(text(query, 'the query'), optionalLimit(limit, 50, 1000));
  }

  async roots(reportId: string, program: string): Promise<Subgraph> {
    return this.reports.graph(checkReportId(reportId), text(program, 'the program')).roots();
  }

  async neighbours(reportId: string, program: string, node: number, direction: 'callers' | 'callees', limit?: number): Promise<Subgraph> {
    if (direction !== 'callers' && direction !== 'callees') throw new Error('direction is callers or callees');
    return this.reports.graph(checkReportId(reportId), text(program, 'the program')).neighbours(node, direction, optionalLimit(limit, 100, 2000));
  }

  async pathGraph(reportId: string, nr: number): Promise<Subgraph> {
    const report = this.reports.get(checkReportId(reportId));
    const entry = report.syscalls.find((s) => s.nr === nr);
    if (!entry) throw new Error(`report ${reportId} does not allow syscall ${nr}`);
    if (entry.path.length === 0) return { program: entry.programs[0] ?? '', nodes: [], edges: [], truncated: false };
    // The merged path comes from one of the programs that make the call: the one whose graph holds every step.
    const graphs = this.reports.graphPrograms(reportId);
    const order = [...entry.programs.filter((p) => graphs.includes(p)), ...graphs.filter((p) => !entry.programs.includes(p))];
    for (const program of order) {
      const sub = this.reports.graph(reportId, program).pathSubgraph(entry.path);
      if (sub) return sub;
    }
    throw new Error(`the path of ${entry.name} does not match the stored call graphs of report ${reportId}`);
  }

  async disassemble(reportId: string, object: string, address: string, context?: number): Promise<Disassembly> {
    const report = this.reports.get(checkReportId(reportId));
    text(object, 'the object');
    if (object === '[vdso]') throw new Error('the vDSO is modelled from its exported entry points: it has no code in the rootfs to show');
    if (!report.programs.some((p) => p.objects.includes(object))) throw new Error(`${object} is not an object of report ${reportId}`);
    const addr = parseInt(text(address, 'the address').replace(/^0x/i, ''), 16);
    let hint: FunctionHint | undefined;
    let names: ((t: number) => string | undefined) | undefined;
    for (const program of this.reports.graphPrograms(reportId)) {
      const idx = this.reports.graph(reportId, program);
      if (!idx.data.objects.includes(object)) continue;
      const at = Number.isFinite(addr) ? idx.functionAt(object, addr) : undefined;
      if (at) hint = { entry: idx.data.entry[at.id], name: idx.data.name[at.id], ...(at.next !== undefined ? { next: at.next } : {}) };
      names = (t) => {
        const n = idx.nodeAt(object, t);
        return n === undefined ? undefined : idx.data.name[n];
      };
      break;
    }
    return disassembleAt(report.rootfs, object, address, optionalLimit(context, 24, 500), hint, names);
  }

  async listProfiles(): Promise<ProfileMeta[]> {
    return this.profiles.list();
  }

  async importProfile(name: string, json: string): Promise<ProfileMeta> {
    return this.profiles.import(name, json);
  }

  private side(ref: PolicyRef): PolicySide {
    if (!ref || typeof ref !== 'object') throw new Error('a policy is a report or a profile');
    if (ref.kind === 'report') {
      const id = checkReportId(ref.id);
      const { report, subject } = this.subjectOf(id);
      const entries = allowedEntries(policyEntries(report, this.workspace.reviewsOf(subject)));
      const reasons = new Map(entries.map((e) => [e.name, shortReason(e.reason)]));
      let label = id;
      try {
        label = this.reports.meta(id).title;
      } catch {
        // The id is label enough.
      }
      return { label, reasons, allowed: allowedByEntries(entries) };
    }
    if (ref.kind === 'profile') {
      const p = this.profiles.get(text(ref.id, 'the profile id'));
      const why = `in profile ${p.meta.name}`;
      return { label: p.meta.name, reasons: new Map([...p.names].map((n) => [n, why])), allowed: p.allowed };
    }
    throw new Error('a policy is a report or a profile');
  }

  async diff(left: PolicyRef, right: PolicyRef): Promise<PolicyDiff> {
    return diffPolicies(this.side(left), this.side(right));
  }

  async getWorkspace(): Promise<Workspace> {
    return this.workspace.get();
  }

  async setReview(reportId: string, syscall: string, decision: ReviewDecision | null, note: string): Promise<Workspace> {
    const id = checkReportId(reportId);
    const { report, subject } = this.subjectOf(id);
    const n = note ?? '';
    if (typeof n !== 'string') throw new Error('the note must be text');
    if (n.length > LIMITS.noteChars) throw new InputError('note', `${n.length} characters, the limit noteChars = ${LIMITS.noteChars}`);
    const key = text(syscall, 'the syscall');
    return this.workspace.set(subject, key, decision, n, reviewBasis(report, id, key));
  }

  async exportPolicy(reportId: string, format: ExportFormat, program?: string): Promise<ExportResult> {
    const id = checkReportId(reportId);
    if (!EXPORT_FORMATS.includes(format)) throw new Error(`the export format is one of ${EXPORT_FORMATS.join(', ')}`);
    const { report, subject } = this.subjectOf(id);
    if (program !== undefined && !report.programs.some((p) => p.path === text(program, 'the program') && !p.error && p.objects.length > 0)) throw new InputError(program, 'is not an analysed program of this report');
    let title = id;
    try {
      title = this.reports.meta(id).title;
    } catch {
      // Keep the id.
    }
    const review = this.workspace.reviewsOf(subject);
    if (format === 'bpf') return bpfExport(report, title, review, this.opts.cacheDir, program);
    return exportReport(report, { format, title, review, program, source: `report ${id}` });
  }

  async hardenImage(reportId: string, programs: string[], tag: string): Promise<HardenSummary> {
    const id = checkReportId(reportId);
    if (!Array.isArray(programs) || programs.length > MAX_HARDENED) throw new Error(`the programs are a list of at most ${MAX_HARDENED} paths`);
    const named = programs.map((p) => text(p, 'a program'));
    const { report, subject } = this.subjectOf(id);
    if (!this.docker) throw new Error(`the Docker engine is not reachable: ${this.dockerError ?? 'no engine'}`);
    const r = await harden({ docker: this.docker, report, programs: named, tag: text(tag, 'the tag'), cacheDir: this.opts.cacheDir, review: this.workspace.reviewsOf(subject) });
    const profile = renderPolicy('docker', r.containerWide, `${r.tag} (hardened ${report.image?.ref ?? ''})`);
    return {
      tag: r.tag,
      imageId: r.imageId,
      programs: r.programs.map((p) => ({ program: p.program, file: p.file, allowed: p.allowed, own: p.policy.own, execs: p.policy.execs, covers: p.policy.covers.length, addedForLauncher: p.policy.addedForLauncher })),
      skipped: r.skipped,
      warnings: r.warnings,
      containerWideBefore: r.containerWideBefore,
      launcherSyscalls: r.launcherSyscalls,
      profile,
      runLine: `docker run --security-opt seccomp=${profile.filename} ${r.tag}`,
    };
  }

  async saveExport(_result: ExportResult): Promise<string | null> {
    throw new Error('saving to a file is only in the desktop app; the browser downloads the export instead');
  }

  /** Cancels running jobs and waits for them to end. */
  async close(): Promise<void> {
    await this.jobs.close();
  }
}
