// Issue 4 acceptance, end to end on a real analysis: one suite, run by each launcher (browser mode
// against `confine serve`; Electron where its binary exists). Open the app, analyse the nginx test
// image (or the host's nginx when no engine answers), watch progress, open `unlink`, read its path
// graph and disassembly, diff against Docker's default, deny it with a note, reload, export Docker
// JSON and check the file. Screenshots of every view go to e2e/screenshots/ (CI artifacts).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from '../test/support/paths.js';
import { TEST_IMAGES } from '../test/support/engine.js';
import { browserLauncher, electronLauncher, type Launcher, type RunningUi } from './launchers.js';

const SHOTS = join(REPO_ROOT, 'e2e', 'screenshots');
const NOTE = 'e2e: this nginx serves static files and never deletes any';
const id = (testId: string): string => `[data-testid="${testId}"]`;

async function engineHasNginx(): Promise<boolean> {
  try {
    await new Docker().getImage(TEST_IMAGES.nginx).inspect();
    return true;
  } catch {
    return false;
  }
}

function suite(launcher: Launcher): void {
  describe(`the UI (${launcher.name} mode)`, () => {
    const skip = launcher.unavailable();
    const work = mkdtempSync(join(tmpdir(), `confine-e2e-${launcher.name}-`));
    let ui: RunningUi | undefined;
    let page: Page;
    const shot = async (name: string): Promise<void> => {
      mkdirSync(SHOTS, { recursive: true });
      // Let layout and transitions settle so the picture is what a person would see.
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(SHOTS, `${launcher.name}-${name}.png`) });
    };

    /** Starts the analysis the form describes, waits for its job (the newest, listed first) to end, and opens its report. */
    const startAndOpen = async (): Promise<void> => {
      const jobs = await page.locator(id('job')).count();
      await page.click(id('start-analysis'));
      await page.waitForFunction((n) => document.querySelectorAll('[data-testid="job"]').length > n, jobs, { timeout: 30_000 });
      const job = page.locator(id('job')).first();
      await page.waitForFunction(() => document.querySelector('[data-testid="job"]')?.getAttribute('data-outcome') !== 'running', undefined, { timeout: 240_000 });
      assert.equal(await job.getAttribute('data-outcome'), 'done', `the analysis did not finish: ${await job.textContent()}`);
      await job.locator(id('job-open-report')).click();
      await page.waitForSelector(id('policy-table'));
    };

    before(async () => {
      if (skip) return;
      ui = await launcher.start({ cacheDir: join(work, 'cache'), workspace: join(work, 'workspace.json') });
      page = ui.page;
    });
    after(async () => {
      await ui?.close();
      rmSync(work, { recursive: true, force: true });
    });

    test('analyse: start an analysis and watch its progress advance to a report', { timeout: 600_000 }, async (t) => {
      if (skip) return t.skip(skip);
      // The status is 'unknown' until the service has answered.
      await page.waitForSelector(`${id('engine-status')}:not([data-reachable="unknown"])`);
      const engine = (await page.getAttribute(id('engine-status'), 'data-reachable')) === 'true' && (await engineHasNginx());
      if (engine) {
        await page.click(`${id('image-row')}[data-image="${TEST_IMAGES.nginx}"]`);
        await page.fill(id('input-seconds'), '5');
        // Its own network namespace: other tests may run the same image on the host's 18080.
        await page.selectOption(id('input-network'), 'none');
        await page.fill(id('input-programs'), '');
      } else {
        t.diagnostic('no Docker engine with the nginx test image: analysing the host program /usr/sbin/nginx');
        await page.click(id('target-host'));
        await page.fill(id('input-host-programs'), '/usr/sbin/nginx');
      }
      await page.click(id('start-analysis'));
      await page.waitForSelector(`${id('job')}[data-outcome="running"]`);
      // Progress advances: the phase or the counters change while the job runs.
      const seen = new Set<string>();
      let shotTaken = false;
      for (let i = 0; i < 1200; i++) {
        const outcome = await page.getAttribute(id('job'), 'data-outcome');
        if (outcome !== 'running') break;
        const state = `${await page.textContent(id('job-phase')).catch(() => '')}|${await page.textContent(id('job-count')).catch(() => '')}`;
        seen.add(state);
        if (!shotTaken && seen.size >= 2) {
          await shot('images-progress');
          shotTaken = true;
        }
        await page.waitForTimeout(250);
      }
      assert.ok(seen.size >= 2, `progress never advanced: ${[...seen].join(' ; ')}`);
      assert.equal(await page.getAttribute(id('job'), 'data-outcome'), 'done', `the analysis did not finish: ${await page.textContent(id('job'))}`);
      await shot('images-done');
      await page.click(id('job-open-report'));
      await page.waitForSelector(id('policy-table'));
      await shot('policy');
    });

    test('policy and syscall detail: search unlink, open it, the path ends at a syscall site, a node shows disassembly', { timeout: 120_000 }, async (t) => {
      if (skip) return t.skip(skip);
      await page.click(id('nav-policy'));
      await page.waitForSelector(id('policy-table'));
      await page.keyboard.press('/');
      await page.keyboard.type('unlink');
      const row = page.locator(`${id('syscall-row')}[data-syscall="unlink"]`);
      await row.waitFor();
      await shot('policy-search');
      await row.dblclick();
      await page.waitForSelector(`${id('path-graph')} .react-flow__node`);
      assert.equal((await page.textContent(id('syscall-name')))?.trim(), 'unlink');
      // Path nodes are numbered in path order: the last holds the syscall instruction.
      const ids = await page.$$eval('[data-testid^="path-node-"]', (els) => els.map((e) => e.getAttribute('data-testid')!));
      const onPath = ids.map((s) => s.slice('path-node-'.length)).filter((s) => /^\d+$/.test(s)).map(Number);
      assert.ok(onPath.length >= 2, `the path graph has ${onPath.length} node(s)`);
      const last = page.locator(id(`path-node-${Math.max(...onPath)}`));
      assert.match((await last.textContent()) ?? '', /syscall 87/);
      await page.waitForSelector(id('disasm-focus'));
      assert.match((await page.textContent(id('disasm-focus'))) ?? '', /syscall/);
      await shot('syscall-detail');
      // Clicking the first node shows the disassembly around its call.
      await page.click(id('path-node-0'));
      await page.waitForFunction(() => /call|jmp/.test(document.querySelector('[data-testid="disasm-focus"]')?.textContent ?? ''), undefined, { timeout: 30_000 });
      assert.ok((await page.locator(`${id('disasm')} tr, ${id('disasm')} li, ${id('disasm')} div`).count()) > 3, 'no disassembly lines shown');
      await shot('syscall-node-disassembly');
    });

    test('issue 10: unlink\'s path starts at nginx\'s entry; the Sites list shows every site and each one\'s path; searching ngx_ finds syscalls by function', { timeout: 120_000 }, async (t) => {
      if (skip) return t.skip(skip);
      await page.click(id('nav-policy'));
      await page.fill(id('policy-search'), 'unlink');
      await page.locator(`${id('syscall-row')}[data-syscall="unlink"]`).dblclick();
      await page.waitForSelector(`${id('path-graph')} .react-flow__node`);
      assert.match((await page.textContent(id('path-node-0'))) ?? '', /_start/, 'the path does not start at the program entry');
      assert.match((await page.textContent(id('path-text'))) ?? '', /^nginx:_start -> libc:__libc_start_main -> nginx:main -> /);
      await page.waitForSelector(id('sites-list'));
      // write is made in several places: each site is listed once and its path can be shown.
      await page.click(id('nav-policy'));
      await page.fill(id('policy-search'), 'write');
      await page.locator(`${id('syscall-row')}[data-syscall="write"]`).dblclick();
      await page.waitForSelector(id('sites-list'));
      const rows = page.locator(id('site-row'));
      const n = await rows.count();
      assert.ok(n >= 2, `write has ${n} site(s) listed`);
      const keys = await rows.evaluateAll((els) => els.map((e) => `${e.getAttribute('data-object')}:${e.getAttribute('data-address')}`));
      assert.equal(new Set(keys).size, n, 'a site is listed twice');
      assert.match((await page.textContent(id('sites-list'))) ?? '', new RegExp(`${n} reachable sites`));
      // A site in another function (two syscall instructions of one function share the path's text).
      const fns = await rows.evaluateAll((els) => els.map((e) => e.querySelectorAll('td')[2]?.textContent ?? ''));
      const other = fns.findIndex((f) => f !== fns[0]);
      const pick = other > 0 ? other : 1;
      const before = await page.textContent(id('path-text'));
      await rows.nth(pick).locator(id('site-show')).click();
      await page.waitForSelector(`${id('site-row')}.selected:nth-child(${pick + 1})`);
      if (other > 0) {
        await page.waitForFunction((b) => document.querySelector('[data-testid="path-text"]')?.textContent !== b, before, { timeout: 10_000 });
        assert.ok(((await page.textContent(id('path-text'))) ?? '').includes(fns[other]), 'the path shown does not end in the chosen site\'s function');
      }
      await shot('syscall-sites');
      // Search by function: no syscall is named ngx_*, so every match comes from nginx's own functions on a path.
      await page.click(id('nav-policy'));
      await page.fill(id('policy-search'), 'ngx_');
      const found = await page.$$eval('[data-testid="syscall-row"]', (els) => els.map((e) => e.getAttribute('data-syscall')!));
      assert.ok(found.includes('unlink'), `ngx_ does not find unlink: ${found.join(' ')}`);
      await page.fill(id('policy-search'), '');
      const all = await page.locator(id('syscall-row')).count();
      assert.ok(found.length < all, 'ngx_ matched every syscall');
      await shot('policy-search-function');
      // By library: the libc brings most; choosing it searches the policy for it.
      const libc = page.locator(`${id('library-row')}[data-object$="/libc.so.6"]`);
      await libc.waitFor();
      assert.ok(Number((await libc.locator('td').nth(1).textContent()) ?? '0') > 50, 'the libc brings fewer than 50 syscalls');
      await libc.locator('button').click();
      assert.equal(await page.inputValue(id('policy-search')), 'libc.so.6');
      await page.locator(id('by-library')).scrollIntoViewIfNeeded();
      await shot('policy-by-library');
      await page.fill(id('policy-search'), '');
    });

    test("issue 11: the kernel CVE panel judges the table against the policy and Docker's default", { timeout: 120_000 }, async (t) => {
      if (skip) return t.skip(skip);
      await page.click(id('nav-policy'));
      await page.waitForSelector(id('cve-panel'));
      const rows = await page.$$eval('[data-testid="cve-row"]', (rs) => rs.map((r) => ({ id: r.getAttribute('data-cve')!, policy: r.querySelector('[data-testid="cve-policy"]')?.getAttribute('data-status'), docker: r.querySelector('[data-testid="cve-docker"]')?.getAttribute('data-status') })));
      assert.ok(rows.length >= 28, `${rows.length} CVEs shown`);
      // nginx makes no keyctl: denied here as in Docker's default.
      assert.deepEqual(rows.find((r) => r.id === 'CVE-2016-0728'), { id: 'CVE-2016-0728', policy: 'denied', docker: 'denied' });
      assert.match((await page.textContent(id('cve-count-policy'))) ?? '', /blocks \d+ of \d+/);
      await page.selectOption(id('cve-filter'), 'open');
      const open = await page.$$eval('[data-testid="cve-row"]', (rs) => rs.map((r) => r.querySelector('[data-testid="cve-policy"]')?.getAttribute('data-status')));
      assert.ok(open.every((s) => s === 'open'), `the open filter shows ${open.join(' ')}`);
      await page.locator(id('cve-panel')).scrollIntoViewIfNeeded();
      await shot('cves');
      await page.selectOption(id('cve-filter'), 'all');
    });

    test('issue 11: a syscall page lists the allowed values of its restricted arguments by name, each with where it comes from; removing one tightens the export', { timeout: 120_000 }, async (t) => {
      if (skip) return t.skip(skip);
      await page.click(id('nav-policy'));
      await page.fill(id('policy-search'), 'madvise');
      const row = page.locator(`${id('syscall-row')}[data-syscall="madvise"]`);
      await row.waitFor();
      await row.dblclick();
      await page.waitForSelector(id('argument-rules'));
      const values = await page.$$eval('[data-testid="argument-value"]', (rs) => rs.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent ?? '')));
      // glibc's malloc_trim gives MADV_DONTNEED: a name, its raw value, and a source in libc.
      const dontneed = values.find((v) => v[0] === 'MADV_DONTNEED');
      assert.ok(dontneed, `MADV_DONTNEED is not listed: ${JSON.stringify(values)}`);
      assert.equal(dontneed[1], '0x4');
      assert.match(dontneed[2], /^libc\.so\.6:\S+ at 0x[0-9a-f]+$/);
      assert.match(dontneed[3], / -> /);
      await page.locator(id('argument-rules')).scrollIntoViewIfNeeded();
      await shot('argument-rules');
      // The reviewer removes MADV_DONTNEED: marked on the page, and the export follows.
      const dontneedRow = page.locator(`${id('argument-value')}[data-value="4"]`);
      await dontneedRow.locator(id('argument-remove')).click();
      await page.waitForSelector(`${id('argument-value')}[data-value="4"][data-removed="true"]`);
      await page.click(id('nav-review'));
      await page.click(id('export-format-docker'));
      await page.click(id('export-preview'));
      await page.waitForFunction(() => /madvise/.test(document.querySelector('[data-testid="export-text"]')?.textContent ?? ''));
      const exported = JSON.parse((await page.textContent(id('export-text'))) ?? '{}') as { syscalls: { names: string[]; args?: { index: number; valueTwo: number }[] }[] };
      const madvise = exported.syscalls.filter((r) => r.names.includes('madvise'));
      assert.ok(madvise.length > 0 && madvise.every((r) => r.args?.[0].index === 2), `madvise is not restricted in the export: ${JSON.stringify(madvise)}`);
      assert.ok(!madvise.some((r) => r.args?.[0].valueTwo === 4), 'the removed MADV_DONTNEED is still allowed');
      // Restored, it is allowed again.
      await page.click(id('nav-policy'));
      await page.fill(id('policy-search'), 'madvise');
      await page.locator(`${id('syscall-row')}[data-syscall="madvise"]`).dblclick();
      await page.locator(`${id('argument-value')}[data-value="4"]`).locator(id('argument-restore')).click();
      await page.waitForSelector(`${id('argument-value')}[data-value="4"][data-removed="false"]`);
      await page.click(id('nav-policy'));
      await page.fill(id('policy-search'), '');
    });

    test('call graph explorer: roots, search, expand callers and callees', { timeout: 120_000 }, async (t) => {
      if (skip) return t.skip(skip);
      await page.click(id('nav-explorer'));
      await page.click(id('explorer-roots'));
      await page.waitForSelector(`${id('explorer-graph')} .react-flow__node`);
      // A function every nginx analysis reaches (it is on unlink's path above).
      await page.fill(id('explorer-search'), 'ngx_init_cycle');
      const hit = page.locator(id('explorer-result'), { hasText: 'ngx_init_cycle' }).first();
      await hit.waitFor({ timeout: 30_000 });
      await hit.click();
      const shown = async (): Promise<number> => page.locator(`${id('explorer-graph')} .react-flow__node`).count();
      const before = await shown();
      await page.click(id('expand-callees'));
      await page.waitForFunction((n) => document.querySelectorAll('[data-testid="explorer-graph"] .react-flow__node').length > n, before, { timeout: 30_000 });
      await page.click(id('expand-callers'));
      await page.waitForTimeout(800);
      assert.ok((await shown()) > before + 1, 'expanding added no functions');
      await shot('call-graph');
    });

    test("diff against Docker's default profile shows counts", { timeout: 120_000 }, async (t) => {
      if (skip) return t.skip(skip);
      await page.click(id('nav-diff'));
      const left = await page.$eval(`${id('diff-left')} optgroup[label^="Reports"] option`, (o) => (o as HTMLOptionElement).value);
      await page.selectOption(id('diff-left'), left);
      const right = await page.$$eval(`${id('diff-right')} option`, (os) => os.map((o) => (o as HTMLOptionElement).value));
      const dockerDefault = right.find((v) => v.includes('docker-default'));
      assert.ok(dockerDefault, `docker-default is not offered: ${right.join(', ')}`);
      await page.selectOption(id('diff-right'), dockerDefault);
      await page.click(id('diff-run'));
      await page.waitForSelector(id('diff-table'));
      const counts: Record<string, number> = {};
      for (const side of ['added', 'removed', 'common']) counts[side] = Number(((await page.textContent(id(`diff-count-${side}`))) ?? '').replace(/\D/g, ''));
      assert.ok(counts.common > 50, `common ${counts.common}`);
      assert.ok(counts.added > 100, `Docker's default allows far more than nginx needs: added ${counts.added}`);
      // Docker's own argument rules are shown, not reduced to "in profile" (issue 11).
      assert.match((await page.textContent(`${id('diff-row')}[data-syscall="socket"] ${id('diff-right-args')}`)) ?? '', /arg0 != 0x28/);
      await shot('diff');
    });

    test('review: deny unlink with a note; the note survives a reload', { timeout: 120_000 }, async (t) => {
      if (skip) return t.skip(skip);
      await page.click(id('nav-policy'));
      await page.fill(id('policy-search'), 'unlink');
      await page.locator(`${id('syscall-row')}[data-syscall="unlink"]`).dblclick();
      await page.waitForSelector(id('review-controls'));
      await page.fill(id('review-note'), NOTE);
      await page.click(id('review-deny'));
      await page.waitForSelector(`${id('review-controls')}[data-decision="deny"]`);
      await page.reload();
      await page.click(id('nav-review'));
      const row = page.locator(`${id('review-row')}[data-syscall="unlink"]`);
      await row.waitFor();
      assert.equal(await row.getAttribute('data-decision'), 'deny');
      assert.match((await row.textContent()) ?? '', new RegExp(NOTE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
      await shot('review');
    });

    test('export Docker JSON: valid, and it reflects the review', { timeout: 120_000 }, async (t) => {
      if (skip) return t.skip(skip);
      if (!ui!.downloads) return t.skip('the desktop app saves through a native dialog, which a test cannot drive');
      await page.click(id('nav-review'));
      await page.click(id('export-format-docker'));
      await page.click(id('export-preview'));
      await page.waitForSelector(id('export-text'));
      await shot('export');
      const [download] = await Promise.all([page.waitForEvent('download'), page.click(id('export-save'))]);
      const file = join(work, download.suggestedFilename());
      await download.saveAs(file);
      const profile = JSON.parse(readFileSync(file, 'utf8')) as { defaultAction: string; architectures: string[]; syscalls: { names: string[]; action: string }[] };
      assert.equal(profile.defaultAction, 'SCMP_ACT_ERRNO');
      assert.deepEqual(profile.architectures, ['SCMP_ARCH_X86_64']);
      const allowed = new Set(profile.syscalls.filter((r) => r.action === 'SCMP_ACT_ALLOW').flatMap((r) => r.names));
      assert.ok(!allowed.has('unlink'), 'the denied unlink is still allowed in the export');
      for (const n of ['accept4', 'read', 'epoll_wait']) assert.ok(allowed.has(n), `${n} missing from the export`);
    });

    test('issue 12: per-program policies, the raw BPF export of a program, and a hardened image built from the Policy page', { timeout: 600_000 }, async (t) => {
      if (skip) return t.skip(skip);
      await page.click(id('nav-policy'));
      const row = page.locator(`${id('program-row')}[data-program="/usr/sbin/nginx"]`);
      await row.waitFor();
      const own = Number(await row.locator(id('program-own')).textContent());
      const filter = Number(await row.locator(id('program-filter')).textContent());
      assert.ok(own > 50 && filter > 50, `nginx's counts look wrong: its code ${own}, its filter ${filter}`);
      await row.scrollIntoViewIfNeeded();
      await shot('program-policies');
      if (ui!.downloads) {
        const [download] = await Promise.all([page.waitForEvent('download'), row.locator(id('program-bpf')).click()]);
        const file = join(work, download.suggestedFilename());
        await download.saveAs(file);
        const bytes = readFileSync(file);
        assert.match(download.suggestedFilename(), /usr-sbin-nginx\.seccomp\.bpf$/);
        assert.ok(bytes.length > 0 && bytes.length % 8 === 0, `not a BPF program: ${bytes.length} bytes`);
        assert.deepEqual([bytes.readUInt16LE(0), bytes.readUInt32LE(4)], [0x20, 4], 'the program does not start by loading the architecture');
      }
      if ((await page.locator(id('harden-form')).count()) === 0) return t.diagnostic('a host analysis: no hardened image to build');
      const tag = `confine-test/e2e-hardened-${launcher.name}:test`;
      try {
        await page.fill(id('harden-tag'), tag);
        assert.equal(await page.locator(`${id('harden-program')}[data-program="/usr/sbin/nginx"]`).isChecked(), true, 'nginx, the running server, is not chosen by default');
        await page.click(id('harden-build'));
        await page.waitForSelector(id('harden-result'), { timeout: 300_000 });
        assert.match((await page.textContent(id('harden-run-line'))) ?? '', new RegExp(`docker run --security-opt seccomp=\\S+ ${tag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
        assert.match((await page.textContent(id('harden-result'))) ?? '', /\/usr\/sbin\/nginx: \d+ syscalls in its own filter/);
        await shot('hardened');
        const inspect = spawnSync('docker', ['image', 'inspect', '-f', '{{index .Config.Labels "org.confine.hardened"}}', tag], { encoding: 'utf8' });
        assert.equal(inspect.status, 0, `the hardened image is not in the engine: ${inspect.stderr}`);
        assert.match(inspect.stdout, /"program":"\/usr\/sbin\/nginx"/);
      } finally {
        spawnSync('docker', ['rmi', '-f', tag]);
      }
    });

    // Issue 9 in the UI.
    test('issue 9 item 4: Back and Forward move through views inside the app; an unresolved site has a URL that survives a reload', { timeout: 120_000 }, async (t) => {
      if (skip) return t.skip(skip);
      await page.click(id('nav-policy'));
      await page.fill(id('policy-search'), 'unlink');
      await page.locator(`${id('syscall-row')}[data-syscall="unlink"]`).dblclick();
      await page.waitForSelector(id('syscall-name'));
      await page.click(id('nav-review'));
      await page.waitForSelector(id('export-panel'));
      await page.goBack();
      await page.waitForFunction(() => document.querySelector('[data-testid="syscall-name"]')?.textContent?.trim() === 'unlink');
      assert.match(page.url(), /#\/syscall\?.*nr=87/);
      await page.goBack();
      await page.waitForSelector(`${id('app')}[data-view="policy"]`);
      assert.ok(page.url().startsWith('http://127.0.0.1'), `Back left the app: ${page.url()}`);
      await page.goForward();
      await page.waitForFunction(() => document.querySelector('[data-testid="syscall-name"]')?.textContent?.trim() === 'unlink');
      await page.click(id('nav-policy'));
      const open = page.locator(id('unresolved-open')).first();
      if ((await open.count()) === 0) return t.diagnostic('no unresolved site in this report: the site URL was not checked');
      await open.click();
      await page.waitForSelector(id('unresolved-header'));
      assert.match(page.url(), /#\/syscall\?.*site=0/);
      const reason = await page.textContent(id('unresolved-reason'));
      // Item 9: an unresolved site can be reviewed like a syscall.
      await page.fill(id('review-note'), 'e2e: the number comes from the setxid broadcast, covered by setuid');
      await page.click(id('review-allow'));
      await page.waitForSelector(`${id('review-controls')}[data-decision="allow"]`);
      await page.reload();
      await page.waitForSelector(id('unresolved-header'));
      assert.equal(await page.textContent(id('unresolved-reason')), reason);
      assert.equal(await page.getAttribute(id('review-controls'), 'data-decision'), 'allow');
      await shot('unresolved-site-reviewed');
    });

    test('issue 9 item 3: every first open of a path graph is fitted after layout: all nodes in view, edges drawn', { timeout: 300_000 }, async (t) => {
      if (skip) return t.skip(skip);
      await page.click(id('nav-policy'));
      await page.fill(id('policy-search'), '');
      // Syscalls with a path of nginx's (runtime-only ones have no graph).
      const names = (await page.$$eval('[data-testid="syscall-row"]', (rows) => rows.filter((r) => /nginx/.test(r.querySelector('.col-programs')?.textContent ?? '')).map((r) => r.getAttribute('data-syscall')!))).slice(0, 16);
      assert.ok(names.length >= 8, `only ${names.length} rows`);
      for (const name of names) {
        await page.click(id('nav-policy'));
        await page.fill(id('policy-search'), name);
        await page.locator(`${id('syscall-row')}[data-syscall="${name}"]`).dblclick();
        const graph = page.locator(`${id('path-graph')}[data-fitted="true"]`);
        await graph.waitFor({ timeout: 30_000 });
        const box = (await graph.boundingBox())!;
        const nodes = graph.locator('.react-flow__node');
        const n = await nodes.count();
        for (let k = 0; k < n; k++) {
          const b = await nodes.nth(k).boundingBox();
          assert.ok(b && b.x >= box.x - 1 && b.y >= box.y - 1 && b.x + b.width <= box.x + box.width + 1 && b.y + b.height <= box.y + box.height + 1, `${name}: node ${k} of ${n} is outside the view`);
        }
        if (n > 1) assert.ok((await graph.locator('.react-flow__edge').count()) >= 1, `${name}: ${n} nodes and no edge drawn`);
      }
      await shot('syscall-fitted');
    });

    test('issue 9 items 5 and 9: a risky syscall is marked with its reason; a note is saved by Enter alone, marked unsaved until then, and survives a reload', { timeout: 120_000 }, async (t) => {
      if (skip) return t.skip(skip);
      await page.click(id('nav-policy'));
      await page.fill(id('policy-search'), '');
      const risky = page.locator(`${id('syscall-row')}:has(${id('risk-mark')})`);
      assert.ok((await risky.count()) > 0, 'no allowed syscall of nginx is marked risky');
      const name = (await risky.first().getAttribute('data-syscall'))!;
      assert.match((await risky.first().locator(id('risk-mark')).getAttribute('title')) ?? '', /^risky: .{10,}/);
      await risky.first().scrollIntoViewIfNeeded();
      await shot('policy-risk-marks');
      await risky.first().dblclick();
      await page.waitForSelector(id('syscall-risk'));
      await page.fill(id('review-note'), `e2e: ${name} reviewed by note only`);
      await page.waitForSelector(id('review-unsaved'));
      await shot('syscall-unsaved-note');
      await page.press(id('review-note'), 'Enter');
      await page.waitForSelector(id('review-unsaved'), { state: 'detached' });
      // 'saving…' until the service confirms.
      await page.waitForFunction(() => /note saved, no decision yet/.test(document.querySelector('[data-testid="review-state"]')?.textContent ?? ''), undefined, { timeout: 10_000 });
      await page.reload();
      await page.click(id('nav-review'));
      const row = page.locator(`${id('review-row')}[data-syscall="${name}"]`);
      await row.waitFor();
      assert.match((await row.textContent()) ?? '', /note only/);
      assert.match((await row.textContent()) ?? '', /reviewed by note only/);
    });

    test('issue 9 items 1 and 2: bad host paths give the CLI\'s one-line error at the form; a host report\'s export says it is not a container policy', { timeout: 300_000 }, async (t) => {
      if (skip) return t.skip(skip);
      await page.click(id('nav-images'));
      await page.click(id('target-host'));
      for (const [p, why] of [
        ['/etc', '/etc: not a program: a directory, not a regular file'],
        ['/etc/passwd', '/etc/passwd: not a program: neither an ELF file nor a #! script'],
        ['/nonexistent/program', '/nonexistent/program: no such file on this machine'],
      ]) {
        await page.fill(id('input-host-programs'), p);
        await page.click(id('start-analysis'));
        await page.waitForSelector(id('form-error'));
        assert.equal((await page.textContent(id('form-error')))?.trim(), why);
      }
      await shot('images-bad-path');
      await page.fill(id('input-host-programs'), '/usr/bin/true');
      await startAndOpen();
      await page.click(id('nav-review'));
      await page.waitForSelector(id('export-scope'));
      await page.click(id('export-format-docker'));
      await page.click(id('export-preview'));
      await page.waitForSelector(id('export-text'));
      const profile = JSON.parse((await page.textContent(id('export-text'))) ?? '{}') as { comment?: string };
      assert.match(profile.comment ?? '', /^Not a container policy/);
      await shot('export-host-not-a-container-policy');
    });

    test('issue 9 item 6: a review survives re-analysis of the same program, what changed is marked, and the export carries the deny note', { timeout: 300_000 }, async (t) => {
      if (skip) return t.skip(skip);
      // One path, two versions of the program at it: sleep first (it calls pause), then true (it never does).
      const app = join(work, 'app-versions', 'app');
      mkdirSync(join(work, 'app-versions'), { recursive: true });
      copyFileSync('/usr/bin/sleep', app);
      const analyse = async (): Promise<void> => {
        await page.click(id('nav-images'));
        await page.click(id('target-host'));
        await page.fill(id('input-host-programs'), app);
        await startAndOpen();
      };
      await analyse();
      await page.fill(id('policy-search'), 'pause');
      await page.locator(`${id('syscall-row')}[data-syscall="pause"]`).dblclick();
      await page.fill(id('review-note'), 'e2e: the app never waits for a signal');
      await page.click(id('review-deny'));
      await page.waitForSelector(`${id('review-controls')}[data-decision="deny"]`);
      copyFileSync('/usr/bin/true', app);
      await analyse();
      await page.click(id('nav-review'));
      const row = page.locator(`${id('review-row')}[data-syscall="pause"]`);
      await row.waitFor();
      assert.equal(await row.getAttribute('data-decision'), 'deny');
      assert.match((await row.textContent()) ?? '', /the app never waits for a signal/);
      assert.equal(await row.getAttribute('data-changed'), 'true');
      assert.match((await row.locator(id('review-changed')).getAttribute('title')) ?? '', /no longer found by the analysis/);
      assert.ok(((await page.textContent(id('review-subject'))) ?? '').includes(`host · ${app}`), 'the review is kept for the program\'s path');
      await shot('review-changed-since-review');
      await page.click(id('export-format-docker'));
      await page.click(id('export-preview'));
      await page.waitForSelector(id('export-text'));
      const profile = JSON.parse((await page.textContent(id('export-text'))) ?? '{}') as { deniedByReview?: string[] };
      assert.deepEqual(profile.deniedByReview, ['pause (34): denied by review: e2e: the app never waits for a signal']);
    });
  });
}

suite(browserLauncher);
suite(electronLauncher);
