import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CAPTURED_INIT_PID, CONTAINER_START_TRACE } from './captured-trace.js';
import { buildTree, findRuncInits } from './process-tree.js';
import { parseTraceLine, type TraceEvent } from './trace-events.js';

function events(text: string): TraceEvent[] {
  const out: TraceEvent[] = [];
  for (const line of text.split('\n')) {
    const e = parseTraceLine(line);
    if (e && e.kind !== 'lost') out.push(e);
  }
  return out;
}

const CAPTURED = events(CONTAINER_START_TRACE);

test('the captured container start parses completely', () => {
  const lines = CONTAINER_START_TRACE.split('\n').filter((l) => l.trim() !== '');
  assert.equal(CAPTURED.length, lines.length);
});

test('the tree from a real capture holds exactly the container processes, from init exec on', () => {
  const tree = buildTree(CAPTURED, CAPTURED_INIT_PID);
  assert.ok(tree.started);
  assert.deepEqual(
    tree.execs.map((x) => x.filename),
    ['/entrypoint.sh', '/bin/true', '/usr/bin/id', '/bin/true', '/bin/true', '/bin/true', '/bin/true', '/bin/true', '/bin/sleep'],
  );
  // runc's own execs (/proc/self/exe), dockerd's and the docker CLI's are not the container's.
  assert.ok(!tree.execs.some((x) => x.filename.includes('docker') || x.filename.startsWith('/proc/')));
  const [entry, first, id] = tree.execs;
  assert.equal(entry.pid, CAPTURED_INIT_PID);
  assert.equal(entry.ppid, 0);
  assert.equal(entry.comm, 'entrypoint.sh'); // from its later fork events, not the printed "sleep"
  assert.equal(first.ppid, CAPTURED_INIT_PID);
  assert.equal(first.comm, 'true');
  assert.equal(id.comm, 'id');
  assert.ok(tree.execs.slice(0, -1).every((x) => x.endTs !== undefined), 'every exec but the last ended');
  // The capture ends with init's exit (the container was removed): nothing lives.
  assert.equal(tree.live.size, 0);
  assert.equal(tree.execs.at(-1)?.endTs, 3237121160);
});

test('processes that are still running are live, with the program they run', () => {
  // Cut the capture just after the exec of /bin/sleep: init still runs it, its children are gone.
  const cut = CAPTURED.filter((e) => e.ts <= 3236567126);
  const tree = buildTree(cut, CAPTURED_INIT_PID);
  assert.deepEqual([...tree.live], [[CAPTURED_INIT_PID, '/bin/sleep']]);
  assert.equal(tree.execs.at(-1)?.current, true);
  assert.equal(tree.execs[0].current, false);
});

test('a tree rooted at a pid that never exec\'d is empty and not started', () => {
  const tree = buildTree(CAPTURED, 28722); // one of runc init's threads
  assert.equal(tree.started, false);
  assert.deepEqual(tree.execs, []);
});

test('findRuncInits finds the init of a container by runc\'s task names', () => {
  assert.deepEqual(findRuncInits(CAPTURED, 0, Infinity), [CAPTURED_INIT_PID]);
  assert.deepEqual(findRuncInits(CAPTURED, 0, Infinity, '/entrypoint.sh'), [CAPTURED_INIT_PID]);
  assert.deepEqual(findRuncInits(CAPTURED, 0, Infinity, 'entrypoint.sh'), [CAPTURED_INIT_PID]);
  assert.deepEqual(findRuncInits(CAPTURED, 0, Infinity, '/other'), []);
  assert.deepEqual(findRuncInits(CAPTURED, 3236600000, Infinity), []);
});

// Captured from a python3 whose second thread (27187) called execv("/bin/true"): the kernel ends
// the leader first (group_dead=false), then the thread exec's under the leader's pid.
const THREAD_EXEC = `
            true-27186   (  27186) [001] .....  3187.309998: sched_process_exec: filename=/usr/bin/python3 pid=27186 old_pid=27186
            true-27186   (  27186) [001] .....  3187.339245: sched_process_fork: comm=python3 pid=27186 child_comm=python3 child_pid=27187
            true-27186   (  27186) [001] .....  3187.339539: sched_process_exit: comm=python3 pid=27186 prio=120 group_dead=false
            true-27186   (  27186) [000] .....  3187.340473: sched_process_exec: filename=/bin/true pid=27186 old_pid=27187
            true-27186   (  27186) [000] .....  3187.341085: sched_process_exit: comm=true pid=27186 prio=120 group_dead=true
`;

test('an exec from a non-leader thread keeps the process and its parent', () => {
  const fork = parseTraceLine('            bash-27000   (  27000) [001] .....  3187.300000: sched_process_fork: comm=bash pid=27000 child_comm=bash child_pid=27186');
  const exec = parseTraceLine('            bash-27000   (  27000) [001] .....  3187.200000: sched_process_exec: filename=/bin/bash pid=27000 old_pid=27000');
  assert.ok(fork && fork.kind !== 'lost' && exec && exec.kind !== 'lost');
  const tree = buildTree([exec, fork, ...events(THREAD_EXEC)], 27000);
  const [bash, python, viaThread] = tree.execs;
  assert.equal(bash.filename, '/bin/bash');
  assert.deepEqual([python.filename, python.pid, python.ppid], ['/usr/bin/python3', 27186, 27000]);
  assert.deepEqual([viaThread.filename, viaThread.pid, viaThread.ppid], ['/bin/true', 27186, 27000]);
  assert.equal(python.endTs, 3187340473, 'python3 ended at the exec, not when its leader thread left');
  assert.equal(viaThread.endTs, 3187341085);
  assert.deepEqual([...tree.live], [[27000, '/bin/bash']]);
});

test('a reused pid leaves the tree when its exit was missed, and a pid reused before init is not init', () => {
  const e = (line: string): TraceEvent => {
    const ev = parseTraceLine(line);
    assert.ok(ev && ev.kind !== 'lost', line);
    return ev;
  };
  const tree = buildTree(
    [
      // pid 500 lived before the container (and exec'd): not the init yet.
      e('  x-500 [000] ..... 1.000000: sched_process_exec: filename=/usr/bin/host-thing pid=500 old_pid=500'),
      e('  x-500 [000] ..... 1.100000: sched_process_exit: comm=host-thing pid=500 prio=120 group_dead=true'),
      e('  r-499 [000] ..... 2.000000: sched_process_fork: comm=runc:[1:CHILD] pid=499 child_comm=runc:[1:CHILD] child_pid=500'),
      e('  s-500 [000] ..... 2.100000: sched_process_exec: filename=/init pid=500 old_pid=500'),
      e('  s-500 [000] ..... 2.200000: sched_process_fork: comm=init pid=500 child_comm=init child_pid=501'),
      // 501's exit was lost; the pid comes back forked by a host process: it is not ours any more.
      e('  h-900 [000] ..... 3.000000: sched_process_fork: comm=host pid=900 child_comm=host child_pid=501'),
      e('  h-501 [000] ..... 3.100000: sched_process_exec: filename=/usr/bin/host-child pid=501 old_pid=501'),
    ],
    500,
  );
  assert.deepEqual(
    tree.execs.map((x) => x.filename),
    ['/init'],
  );
  assert.deepEqual([...tree.live.keys()], [500]);
});

test('an exec of /proc/self/exe (a shell running its applets) runs the program that was running', () => {
  // The capture up to the entrypoint's first child, then that child re-execs itself the way
  // busybox sh runs `cat`, and execs /bin/true through it.
  const cut = CAPTURED.filter((e) => e.ts <= 3236545295);
  const more = events(`
            sh-28754   (  28754) [001] .....  3236.546000: sched_process_exec: filename=/proc/self/exe pid=28754 old_pid=28754
           cat-28754   (  28754) [001] .....  3236.546400: sched_process_exec: filename=/proc/thread-self/exe pid=28754 old_pid=28754`);
  assert.equal(more.length, 2);
  const tree = buildTree([...cut, ...more], CAPTURED_INIT_PID);
  assert.deepEqual(
    tree.execs.map((x) => x.filename),
    ['/entrypoint.sh', '/entrypoint.sh', '/entrypoint.sh'],
  );
  assert.equal(tree.live.get(28754), '/entrypoint.sh');
});
