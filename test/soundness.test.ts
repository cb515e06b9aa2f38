// Soundness on real Debian programs: run each under strace with a realistic workload, analyse
// it with `confine analyze --rootfs /`, and require every syscall strace saw to be in the report.
import assert from 'node:assert/strict';
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { chmodSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { freePort, waitForPort } from './support/net.js';
import { makeTree, mustRun, soundnessSuite, tool, trace, waitFor, type Workload } from './support/workloads.js';

const WORKLOADS: Record<string, Workload> = {
  nginx: {
    program: '/usr/sbin/nginx',
    run: async (dir) => {
      const port = await freePort();
      mkdirSync(join(dir, 'html'));
      writeFileSync(join(dir, 'html', 'index.html'), '<h1>confine</h1>\n');
      writeFileSync(join(dir, 'html', 'big.txt'), 'nginx sends this with sendfile and gzip\n'.repeat(5000));
      // Workers drop to an unprivileged user that must still read the document root.
      chmodSync(dir, 0o755);
      const conf = join(dir, 'nginx.conf');
      writeFileSync(
        conf,
        `daemon off;
master_process on;
worker_processes 2;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log info;
events { worker_connections 64; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  sendfile on;
  keepalive_timeout 10;
  gzip on;
  gzip_types text/plain;
  server {
    listen 127.0.0.1:${port};
    root ${dir}/html;
    location / { index index.html; }
  }
}
`,
      );
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const get = (path: string, method = 'GET', headers: Record<string, string> = {}, body?: string): Promise<number> =>
        new Promise((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port, path, method, headers, agent }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          });
          req.on('error', reject);
          req.end(body);
        });
      return trace('/usr/sbin/nginx', dir, [
        {
          args: ['-p', `${dir}/`, '-c', conf, '-e', join(dir, 'error.log')],
          stopSignal: 'SIGQUIT', // what `nginx -s quit` sends: a graceful shutdown
          expectExit: 0,
          during: async ({ pid }) => {
            await waitForPort(port);
            // One keep-alive connection carries all of these.
            assert.equal(await get('/'), 200);
            assert.equal(await get('/missing'), 404);
            assert.equal(await get('/big.txt', 'GET', { 'Accept-Encoding': 'gzip' }), 200);
            assert.equal(await get('/big.txt', 'GET', { Range: 'bytes=0-99' }), 206);
            assert.equal(await get('/', 'HEAD'), 200);
            assert.equal(await get('/', 'POST', { 'Content-Type': 'text/plain' }, 'x'.repeat(20_000)), 405);
            // Reopen logs and reload the configuration, as log rotation and deploys do.
            process.kill(pid, 'SIGUSR1');
            process.kill(pid, 'SIGHUP');
            await new Promise((r) => setTimeout(r, 500));
            agent.destroy();
            assert.equal(await get('/big.txt'), 200);
            agent.destroy();
          },
        },
      ]);
    },
  },

  'redis-server': {
    program: '/usr/bin/redis-server',
    needs: ['/usr/bin/redis-cli'],
    run: async (dir) => {
      const port = await freePort();
      const conf = join(dir, 'redis.conf');
      writeFileSync(
        conf,
        `port ${port}\nbind 127.0.0.1\ndir ${dir}\ndbfilename dump.rdb\ndaemonize no\nsave ""\nappendonly no\nlogfile ""\n`,
      );
      const cli = (...args: string[]) => mustRun('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args]);
      const info = async (field: string) => {
        const m = new RegExp(`^${field}:(\\S+)`, 'm').exec(await cli('INFO', 'persistence'));
        return m?.[1];
      };
      return trace('/usr/bin/redis-server', dir, [
        {
          args: [conf],
          expectExit: 0,
          during: async ({ exited }) => {
            await waitForPort(port);
            assert.match(await cli('PING'), /PONG/);
            await cli('SET', 'greeting', 'hello');
            assert.match(await cli('GET', 'greeting'), /hello/);
            await cli('INCR', 'counter');
            await cli('LPUSH', 'list', 'a', 'b', 'c');
            await cli('HSET', 'hash', 'field', 'value');
            await cli('EXPIRE', 'greeting', '100');
            // BGSAVE forks a child that writes the snapshot.
            await cli('BGSAVE');
            await waitFor('BGSAVE', async () => (await info('rdb_bgsave_in_progress')) === '0' && (await info('rdb_last_bgsave_status')) === 'ok');
            // Turning on the AOF forks a rewrite child.
            await cli('CONFIG', 'SET', 'appendonly', 'yes');
            await waitFor('AOF rewrite', async () => (await info('aof_rewrite_in_progress')) === '0' && (await info('aof_rewrite_scheduled')) === '0');
            await cli('CONFIG', 'REWRITE');
            assert.match(readFileSync(conf, 'utf8'), /appendonly yes/);
            await tool('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'SHUTDOWN', 'SAVE']);
            await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
          },
        },
      ]);
    },
  },

  curl: {
    program: '/usr/bin/curl',
    run: async (dir) => {
      const page = 'confine test page\n'.repeat(200);
      const server = createServer((req: IncomingMessage, res: ServerResponse) => {
        if (req.url === '/redirect') {
          res.writeHead(302, { Location: '/' }).end();
        } else if (req.url === '/gzip') {
          res.writeHead(200, { 'Content-Encoding': 'gzip', 'Content-Type': 'text/plain' }).end(gzipSync(page));
        } else if (req.url === '/post') {
          req.pipe(res);
        } else if (req.url === '/') {
          res.writeHead(200, { 'Content-Type': 'text/plain' }).end(page);
        } else {
          res.writeHead(404).end('not found\n');
        }
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const port = (server.address() as { port: number }).port;
      const closed = await freePort();
      const base = `http://127.0.0.1:${port}`;
      writeFileSync(join(dir, 'upload.txt'), 'posted body\n'.repeat(1000));
      try {
        return await trace('/usr/bin/curl', dir, [
          { args: ['-sS', '-o', 'root.txt', `${base}/`] },
          // localhost goes through the resolver (and its thread); ::1 is refused, 127.0.0.1 answers.
          { args: ['-sS', '-L', '-o', 'redirected.txt', `http://localhost:${port}/redirect`] },
          { args: ['-sS', '--compressed', '-o', 'gz.txt', `${base}/gzip`] },
          { args: ['-sS', '-X', 'POST', '--data-binary', '@upload.txt', '-o', 'echo.txt', `${base}/post`] },
          // Two URLs on one keep-alive connection.
          { args: ['-sS', '-o', 'one.txt', '-o', 'two.txt', `${base}/`, `${base}/gzip`] },
          { args: ['-sS', '-I', `${base}/missing`] },
          { args: ['-sS', '-f', `${base}/missing`], expectExit: 22 },
          { args: ['-sS', `http://127.0.0.1:${closed}/`], expectExit: 7 },
        ]);
      } finally {
        server.closeAllConnections();
        server.close();
      }
    },
  },

  bash: {
    program: '/usr/bin/bash',
    run: async (dir) => {
      writeFileSync(join(dir, 'lib.sh'), 'shout() { printf "%s!\\n" "$1"; }\n');
      writeFileSync(
        join(dir, 'script.sh'),
        `set -u -o pipefail
trap 'echo "exit trap" >&2' EXIT
got_usr1=0
trap 'got_usr1=1' USR1
kill -USR1 $$
[ "$got_usr1" = 1 ] || exit 3
lines=()
while IFS= read -r line; do lines+=("$line"); done
printf '%s\\n' "\${lines[@]}" | sort | tr a-z A-Z > sorted.txt
count=$(wc -l < sorted.txt)
( mkdir -p sub && cd sub && echo "subshell $BASHPID" > inner.txt )
{ echo one; echo two; } >> grouped.txt 2>&1
exec 3> fd3.txt; echo "via fd 3" >&3; exec 3>&-
cat <<EOF > heredoc.txt
count=$count
EOF
for f in *.txt; do [ -s "$f" ] && echo "$f"; done > list.txt
sleep 0.05 & wait $!
read -r first < sorted.txt
read -r from_proc < <(echo "process substitution")
mapfile -t all < sorted.txt
declare -A seen=([apple]=1)
. ./lib.sh
shout "$first" > shout.txt
printf -v padded '%05d' $(( 6 * 7 ))
umask 022
ulimit -n > /dev/null
cd /tmp && cd - > /dev/null
[ -d sub ] && [ "\${#all[@]}" = 3 ] && [ "$padded" = 00042 ] && [ -n "$from_proc" ] || exit 4
echo done
`,
      );
      return trace('/usr/bin/bash', dir, [{ args: ['script.sh'], input: 'banana\napple\ncherry\n' }]);
    },
  },

  ls: {
    program: '/usr/bin/ls',
    needs: ['/usr/bin/mkfifo'],
    run: async (dir) => {
      const tree = join(dir, 'tree');
      mkdirSync(tree);
      await makeTree(tree);
      return trace('/usr/bin/ls', dir, [
        { args: ['-la', tree] },
        { args: ['-laR', '--color=always', tree] },
        { args: ['-lai', '--time-style=full-iso', '--author', '-h', tree] },
        { args: ['-la', '/etc', '/dev/null', '/proc/self/'] },
        { args: ['-ld', join(tree, 'link-to-a'), join(tree, 'dangling')] },
        { args: ['-la', join(dir, 'no-such-file')], expectExit: 2 },
      ]);
    },
  },

  cp: {
    program: '/usr/bin/cp',
    needs: ['/usr/bin/mkfifo'],
    run: async (dir) => {
      const src = join(dir, 'src');
      mkdirSync(src);
      await makeTree(src);
      return trace('/usr/bin/cp', dir, [
        { args: ['-a', src, join(dir, 'archive-copy')] },
        { args: ['-r', src, join(dir, 'plain-copy')] },
        { args: ['--sparse=always', join(src, 'sparse.img'), join(dir, 'sparse-copy.img')] },
        { args: ['-al', src, join(dir, 'link-copy')] },
        { args: ['-uv', join(src, 'a.txt'), join(dir, 'archive-copy', 'a.txt')] },
        { args: [join(dir, 'no-such-file'), join(dir, 'x')], expectExit: 1 },
      ]);
    },
  },

  tar: {
    program: '/usr/bin/tar',
    needs: ['/usr/bin/mkfifo', '/usr/bin/gzip', '/usr/bin/xz'],
    run: async (dir) => {
      const src = join(dir, 'src');
      mkdirSync(src);
      await makeTree(src);
      mkdirSync(join(dir, 'out-gz'));
      mkdirSync(join(dir, 'out-xz'));
      mkdirSync(join(dir, 'out-plain'));
      return trace('/usr/bin/tar', dir, [
        { args: ['czf', 'tree.tgz', '-C', dir, 'src'] },
        { args: ['tzvf', 'tree.tgz'] },
        { args: ['xzf', 'tree.tgz', '-C', 'out-gz'] },
        { args: ['cJf', 'tree.txz', 'src'] },
        { args: ['xJf', 'tree.txz', '-C', 'out-xz'] },
        { args: ['cf', 'tree.tar', '--sparse', 'src'] },
        { args: ['xpf', 'tree.tar', '-C', 'out-plain', '--same-owner'] },
        { args: ['df', 'tree.tar'] },
        { args: ['xf', 'no-such.tar'], expectExit: 2 },
      ]);
    },
  },

  gzip: {
    program: '/usr/bin/gzip',
    needs: ['/usr/bin/gunzip'],
    run: async (dir) => {
      const text = Array.from({ length: 20_000 }, (_, i) => `line ${i} of a compressible file\n`).join('');
      writeFileSync(join(dir, 'a.txt'), text);
      writeFileSync(join(dir, 'b.txt'), text.slice(0, 5000));
      mkdirSync(join(dir, 'tree'));
      writeFileSync(join(dir, 'tree', 'c.txt'), text.slice(0, 999));
      writeFileSync(join(dir, 'broken.gz'), Buffer.from('\x1f\x8b\x08\x00garbage', 'latin1'));
      return trace('/usr/bin/gzip', dir, [
        { args: ['-k', '-9', 'a.txt'] },
        { args: ['-t', 'a.txt.gz'] },
        { args: ['-l', 'a.txt.gz'] },
        { args: ['-dc', 'a.txt.gz'] },
        { args: ['-c'], input: text },
        { args: ['-r', 'tree'] },
        // gunzip is a shell script that execs gzip -d: only the gzip part counts.
        { command: ['/usr/bin/gunzip', '-f', 'a.txt.gz'] },
        { args: ['-S', '.z', 'b.txt'] },
        { args: ['-d', 'broken.gz'], expectExit: 1 },
      ]);
    },
  },

  openssl: {
    program: '/usr/bin/openssl',
    run: async (dir) => {
      writeFileSync(join(dir, 'data.bin'), Buffer.alloc(100_000, 42));
      return trace('/usr/bin/openssl', dir, [
        { args: ['dgst', '-sha256', 'data.bin'] },
        { args: ['dgst', '-sha512', '-hmac', 'secret', 'data.bin'] },
        { args: ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'rsa.pem'] },
        { args: ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'ec.pem'] },
        { args: ['req', '-x509', '-new', '-key', 'rsa.pem', '-subj', '/CN=confine-test', '-days', '1', '-out', 'cert.pem'] },
        { args: ['x509', '-in', 'cert.pem', '-noout', '-text'] },
        { args: ['enc', '-aes-256-cbc', '-pbkdf2', '-pass', 'pass:confine', '-in', 'data.bin', '-out', 'data.enc'] },
        { args: ['rand', '-hex', '16'] },
        { args: ['x509', '-in', 'no-such.pem'], expectExit: 1 },
      ]);
    },
  },

  python3: {
    program: '/usr/bin/python3',
    needs: ['/usr/bin/cat', '/usr/bin/true'],
    run: async (dir) => {
      writeFileSync(
        join(dir, 'workload.py'),
        `import hashlib, json, os, selectors, shutil, socket, subprocess, sys, tempfile, threading, time
from concurrent.futures import ThreadPoolExecutor

base = sys.argv[1]
data = os.path.join(base, "data")
os.makedirs(data, exist_ok=True)
for i in range(5):
    with open(os.path.join(data, f"f{i}.json"), "w") as f:
        json.dump({"i": i}, f)
total = sum(json.load(open(os.path.join(data, n)))["i"] for n in sorted(os.listdir(data)))
os.rename(os.path.join(data, "f0.json"), os.path.join(data, "g0.json"))
os.symlink("g0.json", os.path.join(data, "link"))
os.chmod(os.path.join(data, "g0.json"), 0o600)
with tempfile.NamedTemporaryFile(dir=base, delete=False) as tmp:
    tmp.write(b"x" * 100000)
shutil.copy(tmp.name, tmp.name + ".copy")
os.unlink(tmp.name)
digest = hashlib.sha256(open(tmp.name + ".copy", "rb").read()).hexdigest()
walked = sum(len(files) for _, _, files in os.walk(base))

srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen()
def serve():
    conn, _ = srv.accept()
    with conn:
        conn.sendall(conn.recv(1024).upper())
server = threading.Thread(target=serve)
server.start()
with socket.create_connection(srv.getsockname()) as c:
    c.sendall(b"hello")
    reply = c.recv(1024)
server.join()
srv.close()
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.bind(("127.0.0.1", 0))
udp.sendto(b"ping", udp.getsockname())
sel = selectors.DefaultSelector()
sel.register(udp, selectors.EVENT_READ)
assert sel.select(timeout=5)
udp.recvfrom(16)
udp.close()

with ThreadPoolExecutor(4) as pool:
    sums = list(pool.map(lambda n: sum(range(n)), range(200)))
event = threading.Event()
threading.Timer(0.01, event.set).start()
assert event.wait(5)

child = subprocess.run([sys.executable, "-c", "print(6 * 7)"], capture_output=True, text=True, check=True).stdout.strip()
subprocess.run(["/usr/bin/true"], check=True)
cat = subprocess.Popen(["/usr/bin/cat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
echoed, _ = cat.communicate(b"through cat")
time.sleep(0.01)
print(json.dumps({"total": total, "digest": digest, "walked": walked, "reply": reply.decode(),
                  "child": child, "echoed": echoed.decode(), "sums": sums[-1], "pid": os.getpid()}))
`,
      );
      return trace('/usr/bin/python3', dir, [{ args: [join(dir, 'workload.py'), dir] }]);
    },
  },

  sshd: {
    program: '/usr/sbin/sshd',
    needs: ['/usr/bin/ssh-keygen', '/usr/bin/ssh-keyscan', '/usr/bin/ssh', '/usr/bin/sftp'],
    run: async (dir) => {
      // sshd refuses to start without its privilege separation directory (systemd makes it at boot).
      mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
      const port = await freePort();
      await mustRun('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_ed25519')]);
      await mustRun('ssh-keygen', ['-q', '-t', 'ecdsa', '-N', '', '-f', join(dir, 'host_ecdsa')]);
      await mustRun('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'client')]);
      writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client.pub')));
      const conf = join(dir, 'sshd_config');
      writeFileSync(
        conf,
        `Port ${port}
ListenAddress 127.0.0.1
HostKey ${dir}/host_ed25519
HostKey ${dir}/host_ecdsa
PidFile ${dir}/sshd.pid
AuthorizedKeysFile ${dir}/authorized_keys
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
LogLevel VERBOSE
Subsystem sftp internal-sftp
`,
      );
      const user = userInfo().username;
      const sshOpts = ['-F', '/dev/null', '-p', String(port), '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'IdentitiesOnly=yes'];
      writeFileSync(join(dir, 'batch'), `put ${join(dir, 'authorized_keys')} ${join(dir, 'uploaded')}\nls ${dir}\n`);
      return trace('/usr/sbin/sshd', dir, [
        {
          args: ['-D', '-e', '-f', conf],
          stopSignal: 'SIGTERM',
          expectExit: 'any',
          during: async () => {
            await waitForPort(port);
            const scan = await mustRun('ssh-keyscan', ['-T', '10', '-p', String(port), '127.0.0.1']);
            assert.match(scan, /ssh-ed25519/);
            const session = await mustRun('ssh', [...sshOpts, '-i', join(dir, 'client'), `${user}@127.0.0.1`, 'echo confine-ok']);
            assert.match(session, /confine-ok/);
            await mustRun('sftp', ['-F', '/dev/null', '-P', String(port), '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'IdentitiesOnly=yes', '-i', join(dir, 'client'), '-b', join(dir, 'batch'), `${user}@127.0.0.1`]);
            // A client with no usable key: the failed-authentication path.
            const denied = await tool('ssh', [...sshOpts, '-o', 'PubkeyAuthentication=no', `${user}@127.0.0.1`, 'true']);
            assert.notEqual(denied.code, 0);
          },
        },
      ]);
    },
  },

  find: {
    program: '/usr/bin/find',
    needs: ['/usr/bin/mkfifo', '/usr/bin/wc', '/usr/bin/cat'],
    run: async (dir) => {
      const tree = join(dir, 'tree');
      mkdirSync(tree);
      await makeTree(tree);
      const ref = join(dir, 'reference');
      writeFileSync(ref, '');
      const past = new Date('2021-06-01T00:00:00Z');
      utimesSync(ref, past, past);
      mkdirSync(join(dir, 'scratch', 'empty1'), { recursive: true });
      mkdirSync(join(dir, 'scratch', 'empty2'));
      return trace('/usr/bin/find', dir, [
        { args: [tree, '-name', '*.txt', '-newer', ref, '-exec', 'cat', '{}', '+'] },
        { args: [tree, '-type', 'f', '-exec', '/usr/bin/wc', '-c', '{}', ';'] },
        { args: [tree, '-maxdepth', '2', '-perm', '-u+x', '-ls'] },
        { args: [tree, '-printf', '%p %s %m %u %TY\\n'] },
        { args: ['-L', tree, '-xtype', 'l', '-print0'] },
        { args: [tree, '-type', 'f', '-user', 'root', '-mtime', '-1', '-execdir', '/usr/bin/wc', '-l', '{}', '+'] },
        { args: [tree, '-regex', '.*/sub', '-prune', '-o', '-type', 'p', '-print'] },
        { args: [join(dir, 'scratch'), '-mindepth', '1', '-empty', '-type', 'd', '-delete'] },
        { args: [join(dir, 'no-such-dir')], expectExit: 1 },
      ]);
    },
  },
};

soundnessSuite(WORKLOADS);
