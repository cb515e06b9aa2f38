// The OCI and Kubernetes exports against the formats' own schemas, vendored unchanged under
// test/schemas/ (see its NOTICE): the runtime-spec's `linux.seccomp` and the
// security-profiles-operator's SeccompProfile CustomResourceDefinition. Every validator is also
// shown a deliberately broken object and must reject it where it is broken, so a validator that
// accepts everything cannot pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type AnySchemaObject, type ValidateFunction } from 'ajv';
import { parseDocument } from 'yaml';
import { exportReport, ociExport, policyEntries, SPO_API_VERSION, type OciSeccomp, type ReviewLike } from './exports.js';
import type { Report, SyscallEntry } from '../graph/report.js';
import { syscallNumber } from '../x86_64/syscall-table.js';
import type { SeccompArg } from './argument-rules.js';
import { REPO_ROOT } from '../../test/support/paths.js';

const SCHEMAS = join(REPO_ROOT, 'test', 'schemas');
const NGINX = '/usr/sbin/nginx';
const LIBC = '/usr/lib/x86_64-linux-gnu/libc.so.6';

function entry(name: string, path: [string, string][], extra: Partial<SyscallEntry> = {}): SyscallEntry {
  return {
    name,
    nr: syscallNumber(name)!,
    programs: [NGINX],
    path: path.map(([object, fn], i) => ({ object, function: fn, address: (0x1000 + i * 16).toString(16), edge: i === 0 ? 'root' : 'call', site: (0x1004 + i * 16).toString(16) })),
    ...extra,
  };
}

/** A report shaped like an nginx image's: plain syscalls, a runtime one, and argument rules of both kinds. */
function nginxReport(): Report {
  const via = (fn: string): [string, string][] => [[NGINX, 'main'], [NGINX, `${fn}@plt`], [LIBC, fn]];
  return {
    tool: 'confine',
    version: 3,
    kernel: '6.11',
    rootfs: '/',
    programs: [{ path: NGINX, objects: [NGINX, LIBC], syscalls: 11, unresolved: 0, warnings: [] }],
    syscalls: [
      entry('read', via('read')),
      entry('write', via('write')),
      entry('openat', via('openat')),
      entry('accept4', [[NGINX, 'main'], [NGINX, 'ngx_event_accept'], [NGINX, 'accept4@plt'], [LIBC, 'accept4']]),
      entry('exit_group', [[NGINX, 'main'], [LIBC, 'exit'], [LIBC, '_exit']]),
      entry('capset', [], { runtime: true }),
      // Value-style rules: one alternative per value (an EQ on the low 32 bits, as MASKED_EQ).
      entry('socket', via('socket'), { args: [{ index: 0, name: 'family', kind: 'value', values: [1, 2, 10] }] }),
      entry('prctl', via('prctl'), { args: [{ index: 0, name: 'option', kind: 'value', values: [15, 38] }] }),
      // A flags-style rule: one MASKED_EQ alternative, none of the disallowed bits set.
      entry('unshare', via('unshare'), { args: [{ index: 0, name: 'unshare_flags', kind: 'flags', values: [0x04000000, 0x0c000000] }] }),
      // Past 32 bits: no rule, the syscall keeps any argument.
      entry('personality', via('personality'), { args: [{ index: 0, name: 'personality', kind: 'value', values: [2 ** 40] }] }),
      // Answered with ENOSYS: an ERRNO rule with its errnoRet in every format.
      entry('clone3', via('clone3'), { enosys: "glibc's __clone_internal falls back to clone" }),
    ].sort((a, b) => a.nr - b.nr),
    unresolved: [],
    warnings: [],
    runtime: { runtime: 'runc', version: '1.1.12', kernel: '6.1.0', syscalls: [{ nr: 126, name: 'capset' }], runs: 3, source: 'kmsg', cached: true },
    stats: { objects: 2, functions: 10, instructions: 100, cachedObjects: 0, seconds: 1 },
  };
}

const REVIEW: Record<string, ReviewLike> = { write: { decision: 'deny', note: 'logs go to a pipe' }, ptrace: { decision: 'allow', note: 'debugging\nsidecar' } };
const TITLE = 'confine-test/nginx:latest';

function assertValid(validate: ValidateFunction, value: unknown, what: string): void {
  assert.ok(validate(value), `${what} fails its schema: ${JSON.stringify(validate.errors, null, 1)}`);
}

/** The validator rejects `value`, and says so at `instancePath` with `keyword` (so it is rejected for the planted fault). */
function assertRejected(validate: ValidateFunction, value: unknown, what: string, instancePath: string, keyword: string): void {
  assert.equal(validate(value), false, `${what} was accepted`);
  assert.ok(
    (validate.errors ?? []).some((e) => e.instancePath === instancePath && e.keyword === keyword),
    `${what}: rejected, but not with ${keyword} at ${instancePath}: ${JSON.stringify(validate.errors)}`,
  );
}

/** Mutates a deep copy. */
function broken<T>(value: T, change: (copy: T) => void): T {
  const copy = structuredClone(value);
  change(copy);
  return copy;
}

/** The runtime-spec validators: the whole `linux` object, and its `seccomp` member. */
function ociValidators(): { linux: ValidateFunction; seccomp: ValidateFunction } {
  // Strict mode (unknown keywords are errors, so no rule of the schema is silently skipped). The
  // schema files carry no $id: each is registered under its file name, which is what their relative
  // $refs ("defs-linux.json#/definitions/Syscall") resolve against. config-linux.json's top level is
  // a holder, {"linux": <schema>} (runtime-spec's config-schema.json refers to config-linux.json#/linux),
  // not a schema: its `linux` member is registered as the file's schema. The files are written for
  // draft-04 but use nothing whose meaning changed in Ajv's default draft (draft-07).
  const ajv = new Ajv({ strict: true, allErrors: true });
  for (const f of ['defs.json', 'defs-linux.json']) ajv.addSchema(JSON.parse(readFileSync(join(SCHEMAS, 'oci', f), 'utf8')) as AnySchemaObject, f);
  const configLinux = JSON.parse(readFileSync(join(SCHEMAS, 'oci', 'config-linux.json'), 'utf8')) as { linux: AnySchemaObject };
  ajv.addSchema(configLinux.linux, 'config-linux.json');
  return { linux: ajv.compile({ $ref: 'config-linux.json' }), seccomp: ajv.compile({ $ref: 'config-linux.json#/properties/seccomp' }) };
}

test('the OCI export is a valid runtime-spec linux.seccomp, and broken ones are rejected', () => {
  const { linux, seccomp } = ociValidators();
  const report = nginxReport();
  const rendered = exportReport(report, { format: 'oci', title: TITLE, review: REVIEW });
  const oci = JSON.parse(rendered.text) as OciSeccomp;
  assert.deepEqual(oci, ociExport(policyEntries(report, REVIEW)), 'the file is the linux.seccomp object alone');

  // What the test covers: one rule of plain names, three socket and two prctl alternatives, one flags rule.
  const rules = (n: string): OciSeccomp['syscalls'] => oci.syscalls.filter((s) => s.names.includes(n));
  assert.deepEqual(oci.syscalls[0].names, ['accept4', 'capset', 'exit_group', 'openat', 'personality', 'ptrace', 'read']);
  assert.equal(rules('socket').length, 3);
  assert.equal(rules('prctl').length, 2);
  assert.deepEqual(rules('unshare').map((r) => r.args), [[{ index: 0, value: ~0x0c000000 >>> 0, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }]]);
  assert.deepEqual(rules('socket')[2].args, [{ index: 0, value: 0xffffffff, valueTwo: 10, op: 'SCMP_CMP_MASKED_EQ' }]);

  assertValid(seccomp, oci, 'the OCI export');
  assertValid(linux, { seccomp: oci }, 'linux: {seccomp: <the OCI export>}');
  assertValid(seccomp, ociExport([]), 'the empty OCI export');

  const argRule = oci.syscalls.findIndex((s) => s.names.includes('unshare'));
  const faults: [string, OciSeccomp, string, string][] = [
    ['no defaultAction', broken(oci, (o) => delete (o as Partial<OciSeccomp>).defaultAction), '', 'required'],
    ['an op not in the enum', broken(oci, (o) => ((o.syscalls[argRule].args![0] as { op: string }).op = 'SCMP_CMP_MASKED')), `/syscalls/${argRule}/args/0/op`, 'enum'],
    ['an unknown action', broken(oci, (o) => ((o.syscalls[0] as { action: string }).action = 'SCMP_ACT_PERMIT')), '/syscalls/0/action', 'enum'],
    ['an unknown architecture', broken(oci, (o) => (o.architectures = ['SCMP_ARCH_AMD64'])), '/architectures/0', 'enum'],
    ['a rule without names', broken(oci, (o) => (o.syscalls[0].names = [])), '/syscalls/0/names', 'minItems'],
    ['a negative value', broken(oci, (o) => (o.syscalls[argRule].args![0].value = -1)), `/syscalls/${argRule}/args/0/value`, 'minimum'],
    ['an argument without index', broken(oci, (o) => delete (o.syscalls[argRule].args![0] as Partial<SeccompArg>).index), `/syscalls/${argRule}/args/0`, 'required'],
    ['defaultErrnoRet past uint32', broken(oci, (o) => (o.defaultErrnoRet = 2 ** 32)), '/defaultErrnoRet', 'maximum'],
  ];
  for (const [what, value, at, keyword] of faults) assertRejected(seccomp, value, what, at, keyword);
  assertRejected(linux, { seccomp: faults[1][1] }, 'linux with a bad op', `/seccomp/syscalls/${argRule}/args/0/op`, 'enum');
  console.log(`OCI export: ${oci.syscalls.length} rules valid against runtime-spec config-linux.json linux.seccomp; ${faults.length + 1} broken variants rejected`);
});

interface CrdVersion {
  name: string;
  served: boolean;
  schema: { openAPIV3Schema: AnySchemaObject };
}
interface Crd {
  kind: string;
  spec: { group: string; names: { kind: string }; versions: CrdVersion[] };
}
interface SpoArg {
  index: number;
  value?: number;
  valueTwo?: number;
  op: string;
}
interface SeccompProfile {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: { defaultAction: string; architectures: string[]; syscalls: { action: string; names: string[]; args?: SpoArg[] }[]; [other: string]: unknown };
}

/** Parses YAML as kubectl does (sigs.k8s.io/yaml reads YAML 1.1), failing on any error or warning. */
function readYaml<T>(text: string, what: string): T {
  const doc = parseDocument(text, { version: '1.1' });
  assert.deepEqual([...doc.errors, ...doc.warnings].map((e) => e.message), [], `${what} is not clean YAML`);
  // YAML 1.2 readers (most tools) must read the same thing: no yes/no/on/off or octal ambiguity.
  assert.deepEqual(doc.toJS(), parseDocument(text).toJS(), `${what} reads differently as YAML 1.1 and 1.2`);
  return doc.toJS() as T;
}

/**
 * A validator per served version of the CRD's openAPIV3Schema. The schema's OpenAPI extensions are
 * declared to Ajv rather than switched off with `strict: false`, so a keyword Ajv would not check
 * (say x-kubernetes-validations, CEL rules, in a newer CRD) fails compilation instead of being
 * skipped: x-kubernetes-list-type enforces what the API server does for `set` (no duplicate items)
 * and `map` (no two items with the same x-kubernetes-list-map-keys); the int32/int64 formats check
 * their ranges; date-time only appears under status, which an export never writes, and is not checked.
 */
function spoValidators(crd: Crd): Map<string, { schema: AnySchemaObject; validate: ValidateFunction }> {
  const ajv = new Ajv({
    strict: true,
    allErrors: true,
    formats: {
      int32: { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 },
      int64: { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 63) && n < 2 ** 63 },
      'date-time': true,
    },
  });
  ajv.addKeyword({ keyword: 'x-kubernetes-list-map-keys', schemaType: 'array' });
  ajv.addKeyword({
    keyword: 'x-kubernetes-list-type',
    type: 'array',
    schemaType: 'string',
    validate: (kind: string, data: unknown[], parent?: AnySchemaObject) => {
      if (kind === 'atomic') return true;
      const keys = kind === 'map' ? ((parent?.['x-kubernetes-list-map-keys'] as string[] | undefined) ?? []) : [];
      const key = (x: unknown): string => JSON.stringify(kind === 'map' ? keys.map((k) => (x as Record<string, unknown>)[k]) : x);
      return new Set(data.map(key)).size === data.length;
    },
  });
  return new Map(crd.spec.versions.filter((v) => v.served).map((v) => [v.name, { schema: v.schema.openAPIV3Schema, validate: ajv.compile(v.schema.openAPIV3Schema) }]));
}

/**
 * Fields the schema does not declare. The API server prunes them from a CRD object (and kubectl's
 * default strict field validation refuses the object): they are not schema errors, so Ajv, which
 * allows additional properties here, does not report them.
 */
function unknownFields(schema: AnySchemaObject, value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return schema.items ? value.flatMap((v, i) => unknownFields(schema.items as AnySchemaObject, v, `${path}/${i}`)) : [];
  if (value === null || typeof value !== 'object' || !schema.properties || schema.additionalProperties || schema['x-kubernetes-preserve-unknown-fields']) return [];
  const props = schema.properties as Record<string, AnySchemaObject>;
  return Object.entries(value).flatMap(([k, v]) => (k in props ? unknownFields(props[k], v, `${path}/${k}`) : [`${path}/${k}`]));
}

test('the Kubernetes export is a valid security-profiles-operator SeccompProfile, and broken ones are rejected', () => {
  const crd = readYaml<Crd>(readFileSync(join(SCHEMAS, 'spo', 'seccompprofile.yaml'), 'utf8'), 'the vendored CRD');
  assert.equal(crd.kind, 'CustomResourceDefinition');
  const validators = spoValidators(crd);

  const rendered = exportReport(nginxReport(), { format: 'kubernetes', title: TITLE, review: REVIEW });
  const profile = readYaml<SeccompProfile>(rendered.text, 'the Kubernetes export');

  // The resource the CRD defines, at a version it serves.
  assert.equal(profile.apiVersion, SPO_API_VERSION);
  const [group, version] = profile.apiVersion.split('/');
  assert.equal(group, crd.spec.group);
  assert.equal(profile.kind, crd.spec.names.kind);
  assert.ok(validators.has(version), `the CRD serves ${[...validators.keys()].join(', ')}, not ${version}`);
  // metadata is the API server's ObjectMeta, not in the CRD's schema: a cluster-scoped name is a DNS-1123 subdomain.
  assert.match(profile.metadata.name, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/);
  assert.ok(profile.metadata.name.length <= 253);

  // What the test covers: as for OCI (the argument rules have the same shape).
  const rules = (n: string): SeccompProfile['spec']['syscalls'] => profile.spec.syscalls.filter((s) => s.names.includes(n));
  assert.equal(rules('socket').length, 3);
  assert.equal(rules('prctl').length, 2);
  assert.deepEqual(rules('unshare').map((r) => r.args), [[{ index: 0, value: ~0x0c000000 >>> 0, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }]]);
  assert.ok(rules('read')[0].names.length > 1, 'the plain rule lists several names');

  // Valid against its own version's schema and, relabelled, against every other served version's
  // (the CRD converts between them with strategy None: the same fields under another apiVersion).
  for (const [name, { schema, validate }] of validators) {
    const asVersion = { ...profile, apiVersion: `${group}/${name}` };
    assertValid(validate, asVersion, `the Kubernetes export as ${name}`);
    assert.deepEqual(unknownFields(schema, asVersion), [], `fields ${name} does not declare`);
  }
  assertValid(validators.get(version)!.validate, readYaml(exportReport({ ...nginxReport(), syscalls: [] }, { format: 'kubernetes', title: TITLE }).text, 'the empty export'), 'the empty Kubernetes export');

  const { schema, validate } = validators.get(version)!;
  const argRule = profile.spec.syscalls.findIndex((s) => s.names.includes('unshare'));
  const plain = profile.spec.syscalls.findIndex((s) => s.names.includes('read'));
  const arg0 = `/spec/syscalls/${argRule}/args/0`;
  const faults: [string, SeccompProfile, string, string][] = [
    ['no defaultAction', broken(profile, (p) => delete (p.spec as Partial<SeccompProfile['spec']>).defaultAction), '/spec', 'required'],
    ['no spec', broken(profile, (p) => delete (p as Partial<SeccompProfile>).spec), '', 'required'],
    ['an op not in the enum', broken(profile, (p) => (p.spec.syscalls[argRule].args![0].op = 'SCMP_CMP_MASKED')), `${arg0}/op`, 'enum'],
    ['an argument without index', broken(profile, (p) => delete (p.spec.syscalls[argRule].args![0] as Partial<SpoArg>).index), arg0, 'required'],
    ['a negative value', broken(profile, (p) => (p.spec.syscalls[argRule].args![0].value = -1)), `${arg0}/value`, 'minimum'],
    ['a fractional index', broken(profile, (p) => (p.spec.syscalls[argRule].args![0].index = 0.5)), `${arg0}/index`, 'type'],
    ['seven argument conditions', broken(profile, (p) => (p.spec.syscalls[argRule].args = Array.from({ length: 7 }, (_, i) => ({ index: i, value: 0, valueTwo: 0, op: 'SCMP_CMP_EQ' })))), `/spec/syscalls/${argRule}/args`, 'maxItems'],
    ['a name twice in a set', broken(profile, (p) => p.spec.syscalls[plain].names.push('read')), `/spec/syscalls/${plain}/names`, 'x-kubernetes-list-type'],
    ['an unknown architecture', broken(profile, (p) => (p.spec.architectures = ['SCMP_ARCH_AMD64'])), '/spec/architectures/0', 'enum'],
  ];
  for (const [what, value, at, keyword] of faults) assertRejected(validate, value, what, at, keyword);
  // A field the CRD does not have (the OCI format's defaultErrnoRet) would be pruned or refused.
  assert.deepEqual(unknownFields(schema, broken(profile, (p) => (p.spec.defaultErrnoRet = 1))), ['/spec/defaultErrnoRet']);
  console.log(
    `Kubernetes export: ${profile.apiVersion} ${profile.kind} with ${profile.spec.syscalls.length} rules valid against the CRD's openAPIV3Schema of ${[...validators.keys()].join(' and ')}; ${faults.length + 1} broken variants rejected`,
  );
});
