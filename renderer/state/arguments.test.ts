// The argument rules panel's model: values by their header names, flag bits, and where each comes from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { argumentRows } from './argument-model.js';
import type { SyscallEntry } from '../../electron/api.js';

const step = (object: string, fn: string) => ({ object, function: fn, address: '1000', edge: 'call' as const });

test('values by name, with their source and path; flags show the allowed bits', () => {
  const socket: Pick<SyscallEntry, 'name' | 'args'> = {
    name: 'socket',
    args: [{ index: 0, name: 'family', kind: 'value', values: [2, 17], from: [{ value: 2, object: '/usr/sbin/nginx', function: 'ngx_open_listening_sockets', address: '4a2b0', path: [step('/usr/sbin/nginx', '_start'), step('/usr/sbin/nginx', 'ngx_open_listening_sockets')] }] }],
  };
  const [family] = argumentRows(socket);
  assert.equal(family.name, 'family');
  assert.deepEqual(family.values.map((v) => v.text), ['AF_INET', 'AF_PACKET']);
  assert.equal(family.values[0].source, 'nginx:ngx_open_listening_sockets at 0x4a2b0');
  assert.match(family.values[0].path!, /_start -> .*ngx_open_listening_sockets/);
  assert.equal(family.values[1].source, undefined, 'a value without a recorded source says nothing');
  const [prot] = argumentRows({ name: 'mprotect', args: [{ index: 2, name: 'prot', kind: 'flags', values: [1, 3] }] });
  assert.equal(prot.allowedBits, 'PROT_READ|PROT_WRITE');
  assert.deepEqual(prot.values.map((v) => v.text), ['PROT_READ', 'PROT_READ|PROT_WRITE']);
  assert.deepEqual(argumentRows({ name: 'read' }), []);
});

test('the enforced argument and the values a review removed', () => {
  const socket: Pick<SyscallEntry, 'name' | 'args'> = {
    name: 'socket',
    args: [
      { index: 0, name: 'family', kind: 'value', values: [1, 2, 10] },
      { index: 1, name: 'type', kind: 'value', values: [1, 2] },
    ],
  };
  const [family, type] = argumentRows(socket, { 'arg:socket:0:10': { decision: 'deny', note: '', updatedAt: '' }, 'arg:socket:0:2': { note: 'a note only', updatedAt: '' } });
  assert.equal(family.enforced, true);
  assert.equal(family.removable, true);
  assert.equal(type.enforced, false, 'the export restricts the first usable argument only');
  assert.equal(type.removable, false);
  const [prot] = argumentRows({ name: 'mprotect', args: [{ index: 2, name: 'prot', kind: 'flags', values: [1, 3] }] });
  assert.deepEqual([prot.enforced, prot.removable], [true, false], 'a flags rule allows bits: no single value to remove');
  assert.deepEqual(family.values.map((v) => [v.key, v.removed]), [['arg:socket:0:1', false], ['arg:socket:0:2', false], ['arg:socket:0:10', true]]);
});
