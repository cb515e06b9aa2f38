// The raw seccomp BPF export: the container-wide policy, or one program's own filter as
// `confine harden` installs it, compiled by libseccomp (analysis/policy/bpf-compile.ts). The bytes
// travel base64-encoded in the export's text, as every export goes over the same JSON contract.
import type { ExportResult } from '../api.js';
import type { Report } from '../../analysis/graph/report.js';
import { compileBpf } from '../../analysis/policy/bpf-compile.js';
import { fileStem, policyEntries, type ReviewLike } from '../../analysis/policy/exports.js';
import { launcherPolicy, programFilter } from '../../analysis/harden/program-filter.js';
import { programProfileName } from '../../analysis/policy/per-program.js';

export async function bpfExport(report: Report, title: string, review: Record<string, ReviewLike>, cacheDir: string, program?: string): Promise<ExportResult> {
  const entries = program === undefined ? policyEntries(report, review) : programFilter(report, program, undefined, review, await launcherPolicy(cacheDir)).policy.entries;
  const bytes = await compileBpf(entries);
  const filename = `${fileStem(title)}${program === undefined ? '' : `.${programProfileName(program)}`}.seccomp.bpf`;
  return { format: 'bpf', filename, mime: 'application/octet-stream', text: bytes.toString('base64'), encoding: 'base64' };
}
