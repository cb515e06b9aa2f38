import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter, parseTraceLine } from './trace-events.js';

// Lines captured from trace_pipe on this project's test VM (Linux 6.18, Debian 12), some with
// record-tgid on ("(tgid)" column) and some without.
const REAL = {
  fork: '            bash-3788    [001] .....  2707.723845: sched_process_fork: comm=bash pid=3788 child_comm=bash child_pid=3793',
  exec: '             cat-3793    [001] .....  2707.731591: sched_process_exec: filename=/usr/bin/cat pid=3793 old_pid=3793',
  exit: '             cat-3793    [001] .....  2707.732737: sched_process_exit: comm=cat pid=3793 prio=120 group_dead=true',
  execResched: '              ls-3797    [001] .N...  2707.736136: sched_process_exec: filename=/usr/bin/ls pid=3797 old_pid=3797',
  runcChild: '  runc:[1:CHILD]-9707    (   9707) [001] .....  2792.284941: sched_process_fork: comm=runc:[1:CHILD] pid=9707 child_comm=runc:[1:CHILD] child_pid=9708',
  // The task name in front is the pid's name when printed (after the exec), the field is the one at the event.
  initThread: '           sleep-9708    (   9708) [001] .....  2792.286583: sched_process_fork: comm=runc:[2:INIT] pid=9708 child_comm=runc:[2:INIT] child_pid=9709',
  threadExit: '   runc:[2:INIT]-9712    (   9708) [000] .....  2792.574022: sched_process_exit: comm=runc:[2:INIT] pid=9712 prio=120 group_dead=false',
  entrypoint: '           sleep-9708    (   9708) [000] .....  2792.574979: sched_process_exec: filename=/entrypoint.sh pid=9708 old_pid=9708',
  dashInName: ' memfd:sealed-91-14069   [000] .....  2748.201391: sched_process_fork: comm=memfd:sealed-91 pid=14069 child_comm=memfd:sealed-91 child_pid=5642',
  spaceInName: '       my prog-2-27123   (  27123) [000] .....  3185.410132: sched_process_exit: comm=my prog-2 pid=27123 prio=120 group_dead=true',
  spaceInPath: '       my prog-2-27123   (  27123) [000] .....  3185.409530: sched_process_exec: filename=/tmp/tmp.IifZkrdljX/my prog-2 pid=27123 old_pid=27123',
  // A non-leader thread of python3 (27187) exec'd /bin/true: the leader ends first, then the thread takes its pid.
  threadExec: '            true-27186   (  27186) [000] .....  3187.340473: sched_process_exec: filename=/bin/true pid=27186 old_pid=27187',
  fdExec: ' runc:[0:PARENT]-5610    [001] .....  2747.696349: sched_process_exec: filename=/dev/fd/6 pid=5610 old_pid=5610',
};

test('parses fork, exec and exit lines as this kernel prints them', () => {
  assert.deepEqual(parseTraceLine(REAL.fork), { kind: 'fork', ts: 2707723845, tgid: undefined, comm: 'bash', pid: 3788, childComm: 'bash', childPid: 3793 });
  assert.deepEqual(parseTraceLine(REAL.exec), { kind: 'exec', ts: 2707731591, tgid: undefined, filename: '/usr/bin/cat', pid: 3793, oldPid: 3793 });
  assert.deepEqual(parseTraceLine(REAL.exit), { kind: 'exit', ts: 2707732737, tgid: undefined, comm: 'cat', pid: 3793, groupDead: true });
  assert.equal(parseTraceLine(REAL.execResched)?.kind, 'exec');
  assert.deepEqual(parseTraceLine(REAL.fdExec), { kind: 'exec', ts: 2747696349, tgid: undefined, filename: '/dev/fd/6', pid: 5610, oldPid: 5610 });
});

test('takes names from the event fields (not the printed task name) and reads the tgid column', () => {
  assert.deepEqual(parseTraceLine(REAL.runcChild), {
    kind: 'fork',
    ts: 2792284941,
    tgid: 9707,
    comm: 'runc:[1:CHILD]',
    pid: 9707,
    childComm: 'runc:[1:CHILD]',
    childPid: 9708,
  });
  const thread = parseTraceLine(REAL.initThread);
  assert.equal(thread?.kind === 'fork' && thread.comm, 'runc:[2:INIT]');
  assert.deepEqual(parseTraceLine(REAL.threadExit), { kind: 'exit', ts: 2792574022, tgid: 9708, comm: 'runc:[2:INIT]', pid: 9712, groupDead: false });
  assert.deepEqual(parseTraceLine(REAL.entrypoint), { kind: 'exec', ts: 2792574979, tgid: 9708, filename: '/entrypoint.sh', pid: 9708, oldPid: 9708 });
});

test('task names with dashes and spaces do not shift the fields', () => {
  const f = parseTraceLine(REAL.dashInName);
  assert.equal(f?.kind === 'fork' && `${f.comm}|${f.pid}|${f.childPid}`, 'memfd:sealed-91|14069|5642');
  const x = parseTraceLine(REAL.spaceInName);
  assert.equal(x?.kind === 'exit' && `${x.comm}|${x.pid}|${x.groupDead}`, 'my prog-2|27123|true');
  const e = parseTraceLine(REAL.spaceInPath);
  assert.deepEqual(e, { kind: 'exec', ts: 3185409530, tgid: 27123, filename: '/tmp/tmp.IifZkrdljX/my prog-2', pid: 27123, oldPid: 27123 });
  assert.deepEqual(parseTraceLine(REAL.threadExec), { kind: 'exec', ts: 3187340473, tgid: 27186, filename: '/bin/true', pid: 27186, oldPid: 27187 });
});

test('unknown tgids, lost-event markers, older exit format, headers and other events', () => {
  const u = parseTraceLine('           <...>-77      (-------) [001] .....  10.5: sched_process_exit: comm=x pid=77 prio=120 group_dead=true');
  assert.equal(u?.kind === 'exit' && u.tgid, undefined);
  assert.equal(u?.kind === 'exit' && u.ts, 10500000);
  assert.deepEqual(parseTraceLine('CPU:1 [LOST 123 EVENTS]'), { kind: 'lost', cpu: 1, count: 123 });
  const old = parseTraceLine('   cat-1 [000] d..2 5.000001: sched_process_exit: comm=cat pid=1 prio=120');
  assert.deepEqual(old, { kind: 'exit', ts: 5000001, tgid: undefined, comm: 'cat', pid: 1, groupDead: undefined });
  assert.equal(parseTraceLine('# tracer: nop'), undefined);
  assert.equal(parseTraceLine('#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION'), undefined);
  assert.equal(parseTraceLine('            bash-1 [000] .....  1.000000: sched_switch: prev_comm=bash prev_pid=1'), undefined);
  assert.equal(parseTraceLine(''), undefined);
});

test('LineSplitter keeps an unfinished line for the next chunk', () => {
  const s = new LineSplitter();
  assert.deepEqual(s.push('a\nb'), ['a']);
  assert.deepEqual(s.push('c\nd\n'), ['bc', 'd']);
  assert.deepEqual(s.push(''), []);
});
