// The kernel CVE panel's model: counts and filters over a report's verdicts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filterCves } from './cve-model.js';
import { cveSummary, type CveRow } from '../../electron/api.js';

const rows: CveRow[] = [
  { id: 'CVE-2016-0728', summary: 'keyring refcount', needs: 'keyctl(arg 0: KEYCTL_JOIN_SESSION_KEYRING)', sources: ['https://nvd.nist.gov/vuln/detail/CVE-2016-0728'], policy: { status: 'denied', how: 'keyctl denied' }, dockerDefault: { status: 'denied', how: 'keyctl denied' } },
  { id: 'CVE-2017-7308', summary: 'AF_PACKET ring', needs: 'socket(arg 0: AF_PACKET)', sources: ['https://nvd.nist.gov/vuln/detail/CVE-2017-7308'], policy: { status: 'argument', how: 'socket(arg 0: AF_PACKET) refused by its argument rule' }, dockerDefault: { status: 'open', how: 'allowed: socket(arg 0: AF_PACKET)' } },
  { id: 'CVE-2018-18955', summary: 'user namespace mapping', needs: 'a new user namespace', sources: ['https://nvd.nist.gov/vuln/detail/CVE-2018-18955'], policy: { status: 'open', how: 'allowed: clone3' }, dockerDefault: { status: 'argument', how: 'user-namespace: unshare denied' } },
  { id: 'CVE-2022-0847', summary: 'Dirty Pipe', needs: 'splice or sendfile', sources: ['https://nvd.nist.gov/vuln/detail/CVE-2022-0847'], policy: { status: 'open', how: 'allowed: sendfile' } },
];

test('counts: blocked by each policy, by how, and what only Docker blocks', () => {
  const c = cveSummary(rows);
  assert.equal(c.total, 4);
  assert.deepEqual(c.policy, { denied: 1, argument: 1, open: 2 });
  assert.deepEqual(c.dockerDefault, { denied: 1, argument: 1, open: 1 });
  assert.deepEqual(c.dockerOnly, ['CVE-2018-18955']);
});

test('filters and search', () => {
  const ids = (f: Parameters<typeof filterCves>[1], q?: string): string[] => filterCves(rows, f, q).map((r) => r.id);
  assert.deepEqual(ids('all'), rows.map((r) => r.id));
  assert.deepEqual(ids('open'), ['CVE-2018-18955', 'CVE-2022-0847']);
  assert.deepEqual(ids('blocked'), ['CVE-2016-0728', 'CVE-2017-7308']);
  assert.deepEqual(ids('docker-only'), ['CVE-2018-18955']);
  assert.deepEqual(ids('all', 'af_packet'), ['CVE-2017-7308']);
  assert.deepEqual(ids('open', 'KEYCTL'), []);
});
