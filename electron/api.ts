// The one typed contract between the UI and the engine. The service layer (electron/service/)
// implements it once; two transports carry it: Electron IPC (preload + contextBridge) and the
// WebSocket of `confine serve`. The renderer only ever sees `ConfineApi` and `ConfineEvents`, so it
// cannot tell which transport it has. Types only, plus the method list transports validate against:
// nothing here may import Node or Electron.
import type { EdgeKind, PathStep, Report, SyscallEntry } from '../analysis/graph/report.js';
import type { AnalysisRequest } from '../analysis/request.js';
import type { ReviewBasis } from '../analysis/policy/review.js';
import type { CveRow, CveStatus, CveSummary, CveVerdict } from '../analysis/policy/cve-verdicts.js';

export type { EdgeKind, PathStep, Report, SyscallEntry };
/** The kernel CVE verdicts a report carries (report.cves), and what they add up to. */
export type { CveRow, CveStatus, CveSummary, CveVerdict };
export { cveSummary, isBlocked } from '../analysis/policy/cve-verdicts.js';
/** Names of x86-64 syscall numbers (the pinned table): part of the contract, so the UI needs no other module. */
export { syscallName } from '../analysis/x86_64/syscall-table.js';

/** Whether the Docker engine answers, and where the service looked for it. */
export interface EngineStatus {
  reachable: boolean;
  /** DOCKER_HOST syntax, e.g. unix:///var/run/docker.sock. */
  endpoint: string;
  error?: string;
}

/** An image in the local engine. */
export interface ImageInfo {
  id: string;
  /** repo:tag names; empty for untagged images. */
  tags: string[];
  size: number;
  /** ISO 8601. */
  created: string;
}

/** What to analyse, and how (one shape for the CLI and the UI, checked by analysis/request.ts). */
export type { AnalysisRequest, AnalysisTarget } from '../analysis/request.js';
export type { RunSettings } from '../analysis/profile/run-settings.js';

/** Streamed while a job runs. */
export interface JobProgress {
  jobId: string;
  /** image | phase1 | runtime | load | objects | graph | done */
  phase: string;
  file?: string;
  done?: number;
  total?: number;
  /** objects: the dlopen round of this batch (absent for the program and what it links). */
  round?: number;
  elapsedMs: number;
}

/** Sent once when a job ends, however it ends. */
export interface JobFinished {
  jobId: string;
  reportId?: string;
  error?: string;
  cancelled?: boolean;
}

/** A stored analysis. */
export interface ReportMeta {
  id: string;
  /** The image reference, tarball path or host program list. */
  title: string;
  createdAt: string;
  syscalls: number;
  programs: number;
  unresolved: number;
}

/** A function of a program's call graph (one graph per analysed program). */
export interface GraphNode {
  /** Stable within one (report, program) graph. */
  id: number;
  object: string;
  /** Function entry, hex without 0x. */
  address: string;
  name: string;
  /** Syscall numbers made by a syscall instruction inside this function. */
  syscalls: number[];
  /** The function is a program root (entry point, init function, ...): why. */
  root?: string;
}

export interface GraphEdge {
  from: number;
  to: number;
  kind: EdgeKind;
  /** The call/jump instruction (hex) in `from`. */
  site: string;
}

/** Part of a call graph: what the UI renders (never the whole graph). */
export interface Subgraph {
  program: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** More neighbours exist than were returned. */
  truncated: boolean;
}

export interface DisasmLine {
  /** hex without 0x */
  address: string;
  /** hex bytes, space separated */
  bytes: string;
  text: string;
  /** The instruction the caller asked about (a call site or the syscall). */
  focus?: boolean;
}

export interface Disassembly {
  object: string;
  function?: string;
  lines: DisasmLine[];
}

/** A policy that is not an analysis: an imported Docker JSON profile or a built-in one. */
export interface ProfileMeta {
  id: string;
  name: string;
  /** docker-default is built in; others were imported; recording = a dynamic recording. */
  kind: 'builtin' | 'imported' | 'recording';
  syscalls: number;
}

export type PolicyRef = { kind: 'report'; id: string } | { kind: 'profile'; id: string };

export interface DiffRow {
  name: string;
  nr?: number;
  side: 'added' | 'removed' | 'common';
  /** Why the left / right policy has it (the first steps of a justification path, a review note, "in profile"). */
  leftReason?: string;
  rightReason?: string;
  /** The argument conditions a side allows it under, as one line; absent: any arguments. */
  leftArgs?: string;
  rightArgs?: string;
  /** Both allow it, under different argument conditions. */
  argsDiffer?: boolean;
}

/** added = only on the right, removed = only on the left. */
export interface PolicyDiff {
  left: string;
  right: string;
  added: number;
  removed: number;
  common: number;
  /** Common syscalls whose argument conditions differ. */
  argsDiffer: number;
  rows: DiffRow[];
}

export type ReviewDecision = 'allow' | 'deny';

export interface ReviewEntry {
  /** Absent for a note kept before any decision (saved on Enter or when the field loses focus). */
  decision?: ReviewDecision;
  note: string;
  updatedAt: string;
  /** What the reviewer saw (absent in workspaces written before it was kept): reviewChanges() compares it with a later report. */
  basis?: ReviewBasis;
}

/**
 * Reviews are kept per subject (reviewSubject(report): the image's name, or the analysed directory
 * and programs), so they survive re-analysis; keys are syscall names, siteReviewKey()s or argumentReviewKey()s.
 */
export { reviewSubject, reviewBasis, reviewChanges, siteReviewKey, argumentReviewKey, parseArgumentReviewKey, type ReviewBasis } from '../analysis/policy/review.js';
/** Which restricted argument an export enforces for a syscall (the one a review can tighten). */
export { enforcedArgument } from '../analysis/policy/argument-rules.js';
/** Syscalls an export leaves out because the review removed every value of their enforced argument. */
export { valueDenials } from '../analysis/policy/exports.js';
/** The policy an export writes (review applied), and the entries of it that let a call run. */
export { allowedEntries, policyEntries } from '../analysis/policy/exports.js';
/** A justification path as one line, as the CLI and the exports print it. */
export { pathText } from '../analysis/policy/path-text.js';
/** Names of argument values (AF_PACKET, PROT_READ|PROT_EXEC …), checked against the kernel's headers: part of the contract, like syscallName. */
export { valueText } from '../analysis/args/value-names.js';

/** The user's review, kept in a JSON workspace file (stable key order, readable in a git diff). */
export interface Workspace {
  path: string;
  /** subject -> syscall name (or site key) -> review */
  reviews: Record<string, Record<string, ReviewEntry>>;
}

/** 'bpf': the raw seccomp BPF program the kernel loads (libseccomp's compilation), base64 in `text`. */
export type ExportFormat = 'docker' | 'oci' | 'kubernetes' | 'bpf';

export interface ExportResult {
  format: ExportFormat;
  /** Suggested file name. */
  filename: string;
  mime: string;
  /** The file; for a binary one (raw BPF), its bytes in base64. */
  text: string;
  encoding?: 'base64';
}

/** A hardened program of a `hardenImage` build: its own filter against the container-wide policy. */
export interface HardenedProgramSummary {
  program: string;
  /** Its file in the image, where the launcher now is. */
  file: string;
  /** Syscalls its own filter allows, and how many its code needs. */
  allowed: number;
  own: number;
  /** It can exec: its filter covers every analysed program. */
  execs: boolean;
  covers: number;
  addedForLauncher: string[];
}

/** What `hardenImage` built (as `confine harden` prints it). */
export interface HardenSummary {
  tag: string;
  imageId: string;
  programs: HardenedProgramSummary[];
  skipped: string[];
  /** What the filters rest on that the analysis could not prove. */
  warnings: string[];
  /** Allowed syscalls of the analysis's container-wide policy, and what the launcher adds to it. */
  containerWideBefore: number;
  launcherSyscalls: string[];
  /** The container-wide profile the hardened image runs under (Docker JSON), and how to run it with it. */
  profile: ExportResult;
  runLine: string;
}

export { launchedPolicy, LAUNCHER_SYSCALLS, type LaunchedPolicy } from '../analysis/policy/launched-policy.js';

/** What the transport can do beyond the contract. */
export interface HostInfo {
  transport: 'electron' | 'web';
  /** Electron shows a native save dialog (saveExport); the browser downloads instead. */
  nativeSave: boolean;
  version: string;
}

/** Every request the UI can make. Each method resolves with plain JSON data or rejects with an Error whose message is for the user. */
export interface ConfineApi {
  hostInfo(): Promise<HostInfo>;
  engineStatus(): Promise<EngineStatus>;
  listImages(): Promise<ImageInfo[]>;
  startAnalysis(req: AnalysisRequest): Promise<{ jobId: string }>;
  cancelAnalysis(jobId: string): Promise<void>;
  listReports(): Promise<ReportMeta[]>;
  getReport(reportId: string): Promise<Report>;
  /** Functions whose name contains `query` (case-insensitive), best matches first. */
  searchFunctions(reportId: string, program: string, query: string, limit?: number): Promise<GraphNode[]>;
  /** The program's roots (entry points and friends), to start exploring from. */
  roots(reportId: string, program: string): Promise<Subgraph>;
  /** Callers or callees of one function. */
  neighbours(reportId: string, program: string, node: number, direction: 'callers' | 'callees', limit?: number): Promise<Subgraph>;
  /** The justification path of a syscall as a graph (nodes in path order; the last one holds the syscall site). */
  pathGraph(reportId: string, nr: number): Promise<Subgraph>;
  /** Instructions around `address` in `object` (of the analysed rootfs). */
  disassemble(reportId: string, object: string, address: string, context?: number): Promise<Disassembly>;
  listProfiles(): Promise<ProfileMeta[]>;
  importProfile(name: string, json: string): Promise<ProfileMeta>;
  diff(left: PolicyRef, right: PolicyRef): Promise<PolicyDiff>;
  getWorkspace(): Promise<Workspace>;
  /**
   * Reviews `syscall` (or a site key) in the subject of report `reportId`, keeping what that report
   * shows as the basis. decision null with an empty note removes the review; with a note, keeps the note alone.
   */
  setReview(reportId: string, syscall: string, decision: ReviewDecision | null, note: string): Promise<Workspace>;
  /**
   * The policy of a report with its review applied, in a format. With `program`: that program's
   * policy, as a container profile (its code and the runtime base set) or, for 'bpf', the filter
   * `confine harden` installs for it (its code, and the launcher's calls).
   */
  exportPolicy(reportId: string, format: ExportFormat, program?: string): Promise<ExportResult>;
  /** `confine harden` for the report's engine image: builds `tag` with each program under its own filter. */
  hardenImage(reportId: string, programs: string[], tag: string): Promise<HardenSummary>;
  /** Electron only: native save dialog; resolves with the chosen path, or null when cancelled. */
  saveExport(result: ExportResult): Promise<string | null>;
}

/** Events pushed to the UI. */
export interface ConfineEvents {
  progress: JobProgress;
  finished: JobFinished;
}

export type ApiMethod = keyof ConfineApi;
export type EventName = keyof ConfineEvents;

/** Every method name: transports refuse anything else. */
export const API_METHODS: readonly ApiMethod[] = [
  'hostInfo',
  'engineStatus',
  'listImages',
  'startAnalysis',
  'cancelAnalysis',
  'listReports',
  'getReport',
  'searchFunctions',
  'roots',
  'neighbours',
  'pathGraph',
  'disassemble',
  'listProfiles',
  'importProfile',
  'diff',
  'getWorkspace',
  'setReview',
  'exportPolicy',
  'hardenImage',
  'saveExport',
] as const;

export const EVENT_NAMES: readonly EventName[] = ['progress', 'finished'] as const;

/** The shape preload exposes as `window.confine` and the WebSocket client implements: one generic call plus events. */
export interface ConfineBridge {
  invoke<M extends ApiMethod>(method: M, ...args: Parameters<ConfineApi[M]>): ReturnType<ConfineApi[M]>;
  on<E extends EventName>(event: E, listener: (data: ConfineEvents[E]) => void): () => void;
}
