// Soundness on statically linked programs from Debian packages: busybox-static (non-PIE,
// stripped, a multi-call binary whose applets sit in a table of absolute pointers, its shell
// re-exec'ing itself through /proc/self/exe) and tini-static, each under strace with a workload.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, httpGet, waitForPort } from './support/net.js';
import { makeTree, soundnessSuite, trace, type Workload } from './support/workloads.js';

const BUSYBOX = '/bin/busybox';

// dash built -static from `apt-get source dash` by the test-image builder (e2e/images/builds/).
const BUILDS = '/var/cache/confine-test-images';
const builtDash = existsSync(BUILDS)
  ? readdirSync(BUILDS)
      .filter((d) => d.startsWith('builds-'))
      .map((d) => join(BUILDS, d, 'dash-static'))
      .find((p) => existsSync(p))
  : undefined;

const SCRIPT = `set -e
mkdir -p a/b/c; umask 022; ls -la a > list.txt; wc -l list.txt; cat list.txt | sort | uniq | head -n 2
cp -a tree copy; mv copy moved; rm -r moved; rmdir a/b/c
echo hi | tr h H | sed s/i/o/; sleep 0.05; touch f; chmod 600 f; ln -s f l; readlink l; stat -c %s f
find tree -type f -name '*.txt' | xargs cat > /dev/null; tar cf t.tar tree; tar tf t.tar > /dev/null; gzip -k t.tar; gunzip -c t.tar.gz | md5sum
date > /dev/null; id; uname -a; df . > /dev/null; ps > /dev/null; kill -0 $$; env > /dev/null; hostname > /dev/null
cd tree; pwd; cd ..; test -d tree && echo dir; expr 1 + 2; printf '%s\\n' done`;

const WORKLOADS: Record<string, Workload> = {
  'busybox-static: sh running applets (re-exec through /proc/self/exe), httpd serving': {
    program: BUSYBOX,
    expect: ['bind', 'listen', 'accept', 'chdir', 'umask'],
    run: async (dir) => {
      await makeTree(join(dir, 'tree'));
      const www = join(dir, 'www');
      mkdirSync(www);
      writeFileSync(join(www, 'index.html'), '<h1>busybox</h1>\n');
      const port = await freePort();
      return trace(BUSYBOX, dir, [
        { args: ['sh', '-c', SCRIPT] },
        {
          args: ['httpd', '-f', '-p', `127.0.0.1:${port}`, '-h', www],
          during: async () => {
            await waitForPort(port);
            assert.equal((await httpGet(port, '/')).status, 200);
            assert.equal((await httpGet(port, '/missing')).status, 404);
          },
          expectExit: 'any',
        },
      ]);
    },
  },
  'tini-static: a subreaper init running a child': {
    program: '/usr/bin/tini-static',
    needs: ['/bin/sh'],
    run: (dir) => trace('/usr/bin/tini-static', dir, [{ args: ['-s', '--', '/bin/sh', '-c', 'sleep 0.1 & wait; exit 3'], expectExit: 3 }]),
  },
  'dash, built -static from its Debian source package (by e2e/images/build.sh)': {
    program: builtDash ?? join(BUILDS, 'builds-*/dash-static (run e2e/images/build.sh)'),
    expect: ['chdir', 'umask', 'pipe2', 'wait4'],
    run: async (dir) => {
      await makeTree(join(dir, 'tree'));
      return trace(builtDash!, dir, [{ args: ['-c', 'umask 022; cd tree && for f in *; do echo "$f"; done | /bin/cat >../list; cd ..; read first <list; test -n "$first"; x=$(echo sub); echo "$x"; trap "echo bye" EXIT'] }]);
    },
  },
};

soundnessSuite(WORKLOADS);
