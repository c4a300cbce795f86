// The supervisor page in headless Chromium during a real drill (real
// coordinator, booth agents and supervisor, `gradcap drill --live`): log in,
// see a scan within 1 s, acknowledge an alert, drop the stream and resume it
// with exactly the coordinator's state, a college lead who cannot see another
// college (page and API), closing a college. The drill holds at its `hold`
// steps until this test writes a line to its stdin. Screenshots go to
// $ARTIFACTS_DIR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const GRADCAP = process.env.GRADCAP_BIN;
const ARTIFACTS = process.env.ARTIFACTS_DIR;
const INFO = '信息工程学院';
const ECON = '经济管理学院';

function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => { const { port } = server.address(); server.close(() => resolve(port)); });
  });
}

// The drill's stderr, line by line, with waits for a line matching a pattern.
class Lines {
  constructor(stream) {
    this.lines = []; this.waiters = []; let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      partial += chunk;
      let nl;
      while ((nl = partial.indexOf('\n')) >= 0) {
        const line = partial.slice(0, nl); partial = partial.slice(nl + 1);
        this.lines.push(line);
        this.waiters = this.waiters.filter((w) => { const m = line.match(w.re); if (m) w.resolve(m); return !m; });
      }
    });
  }
  wait(re, ms = 30000) {
    for (const line of this.lines) { const m = line.match(re); if (m && !this.used?.has(line)) { this.mark(line); return Promise.resolve(m); } }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no drill line ${re} within ${ms} ms:\n${this.lines.slice(-20).join('\n')}`)), ms);
      this.waiters.push({ re, resolve: (m) => { clearTimeout(timer); this.mark(m.input); resolve(m); } });
    });
  }
  mark(line) { (this.used ??= new Set()).add(line); }
}

const BROWSER_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function browser(work, name) {
  return chromium.launchPersistentContext(mkdtempSync(path.join(work, `profile-${name}-`)), {
    executablePath: '/usr/bin/chromium', headless: true, args: BROWSER_ARGS, viewport: { width: 1280, height: 900 },
  });
}

async function logIn(page, url, user) {
  await page.goto(url);
  await page.waitForSelector('#login-form');
  await page.fill('#login-user', user);
  await page.fill('#login-password', `pw-${user}`);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#view:not([hidden])');
  await page.waitForFunction(() => window.gradcap.state.seq > 0 && document.querySelector('.link.live'));
}

// What the page shows, without what depends on the moment it was rendered.
function essentials(s) {
  const booths = Object.values(s.booths).map((b) => ({ key: b.key, queue: b.queue.map((q) => q.shooting_no),
    current: b.current_shooting_no, recent: b.recent.map((p) => [p.shooting_no, p.verdict]), online: b.online }))
    .sort((a, b) => a.key.localeCompare(b.key));
  const alerts = Object.values(s.alerts).map((a) => [a.key, a.acknowledged]).sort();
  const colleges = Object.values(s.colleges).map((c) => [c.college, c.scanned, c.photographed, c.waiting, c.closed]).sort();
  return { booths, alerts, colleges };
}

test('the supervisor page runs the floor of a drill', { timeout: 150000 }, async () => {
  assert.ok(GRADCAP, 'GRADCAP_BIN is set');
  const work = mkdtempSync(path.join(tmpdir(), 'gradcap-browser-'));
  const users = path.join(work, 'users.json');
  const addUser = (...args) => execFileSync(GRADCAP, ['users', 'add', '--users', users, ...args],
    { input: `pw-${args[1]}\n` });
  addUser('--name', 'office', '--role', 'office');
  addUser('--name', 'econlead', '--role', 'college', '--college', ECON);
  const port = await freePort();
  const drill = spawn(GRADCAP, ['drill', path.join(here, 'floor.json'), '--live', `127.0.0.1:${port}`,
    '--users', users, '--json'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let report = '';
  drill.stdout.on('data', (d) => { report += d; });
  const exited = new Promise((resolve) => drill.on('exit', resolve));
  const lines = new Lines(drill.stderr);
  const go = () => drill.stdin.write('\n');
  const contexts = [];
  try {
    const [, url] = await lines.wait(/supervisor view at (\S+)/);
    const [, admin] = await lines.wait(/coordinator admin socket at (\S+),/);
    await lines.wait(/step 0: holding/);

    const office = await browser(work, 'office');
    contexts.push(office);
    const page = office.pages()[0] ?? await office.newPage();
    await page.goto(url);
    await page.waitForSelector('#login-form');
    // A wrong password is refused with a clear message.
    await page.fill('#login-user', 'office');
    await page.fill('#login-password', 'wrong');
    await page.click('#login-form button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#login-error').textContent.includes('wrong'));
    await page.screenshot({ path: path.join(ARTIFACTS, '01-login-refused.png') });
    await logIn(page, url, 'office');
    await page.waitForSelector('[data-booth="B1"]');
    await page.waitForSelector('[data-booth="B2"]');

    // A scan at the booth is on screen within a second.
    go();
    await lines.wait(/step 1 played/);
    const played = Date.now();
    await page.waitForSelector('[data-booth="B1"] li[data-shooting-no="1"]', { timeout: 5000 });
    const shownAfter = Date.now() - played;
    assert.ok(shownAfter < 1000, `the scan took ${shownAfter} ms to appear`);
    await page.screenshot({ path: path.join(ARTIFACTS, '02-scan.png'), fullPage: true });

    // The duplicate scan's alert, acknowledged with a note.
    await lines.wait(/step 5: holding/);
    const alert = page.locator('li[data-kind="duplicate_scan"]');
    await alert.waitFor();
    await alert.locator('.ack-note').fill('her friend scanned it');
    await page.screenshot({ path: path.join(ARTIFACTS, '03-alert.png'), fullPage: true });
    await alert.locator('button.ack').click();
    await page.waitForSelector('li.acked[data-kind="duplicate_scan"]');
    assert.match(await page.locator('li.acked[data-kind="duplicate_scan"] .acked-by').textContent(),
      /office.*by office: her friend scanned it/);

    // The stream drops while the floor goes on; resumed, the page holds exactly the coordinator's state.
    go();
    await lines.wait(/step 6: holding/);
    await page.evaluate(() => window.gradcap.dropStream());
    const seqAtDrop = await page.evaluate(() => window.gradcap.state.seq);
    go();
    await lines.wait(/step 11: holding/);
    assert.equal(await page.evaluate(() => window.gradcap.state.seq), seqAtDrop, 'nothing arrived while dropped');
    await page.evaluate(() => window.gradcap.resumeStream());
    await page.waitForFunction(async () => {
      const r = await fetch('/api/snapshot');
      const s = await r.json();
      return window.gradcap.state.seq === s.seq && window.gradcap.state.run === s.run;
    }, null, { polling: 200, timeout: 10000 });
    const shown = await page.evaluate(() => window.gradcap.state);
    const fresh = await page.evaluate(async () => (await fetch('/api/snapshot')).json());
    const asMaps = { booths: Object.fromEntries(fresh.booths.map((b) => [b.key, b])),
      alerts: Object.fromEntries(fresh.alerts.map((a) => [a.key, a])),
      colleges: Object.fromEntries(fresh.colleges.map((c) => [c.key, c])) };
    assert.deepEqual(essentials(shown), essentials(asMaps));
    for (const booth of ['B1', 'B2']) {
      const coordinator = JSON.parse(execFileSync(GRADCAP, ['booth', booth, '--coordinator', admin, '--json']));
      const queue = (coordinator.state.queue ?? []).map((q) => q.shooting_no);
      const onPage = await page.locator(`[data-booth="${booth}"] ol.queue li`).evaluateAll(
        (items) => items.map((li) => Number(li.dataset.shootingNo)));
      assert.deepEqual(onPage, queue, `booth ${booth}: the page shows the coordinator's queue`);
    }
    await page.screenshot({ path: path.join(ARTIFACTS, '04-resumed.png'), fullPage: true });

    // A college lead sees their college only, in the page and through the API.
    go();
    await lines.wait(/step 12: holding/);
    const econ = await browser(work, 'econ');
    contexts.push(econ);
    const leadPage = econ.pages()[0] ?? await econ.newPage();
    await leadPage.setViewportSize({ width: 390, height: 844 });  // a phone
    await logIn(leadPage, url, 'econlead');
    await leadPage.waitForSelector('[data-booth="B2"]');
    // B1 is shared (经济管理学院 shoots there in the afternoon): the lead sees it, without the
    // other college's students waiting there now.
    await leadPage.waitForSelector('[data-booth="B1"]');
    assert.equal(await leadPage.locator('[data-booth="B1"] ol.queue li').count(), 0);
    assert.equal(await page.locator('[data-booth="B1"] ol.queue li').count() > 0, true);
    assert.deepEqual(await leadPage.locator('.college').evaluateAll((c) => c.map((e) => e.dataset.college)), [ECON]);
    const leaked = await leadPage.evaluate((info) => document.body.innerText.split('\n').filter((l) => l.includes(info)), INFO);
    assert.deepEqual(leaked, [], 'the college lead sees nothing of another college');
    const api = await leadPage.evaluate(async (info) => {
      const me = await (await fetch('/api/me')).json();
      const booth = (await fetch('/api/booths/B1')).status;  // shared: answered, scoped
      const college = (await fetch(`/api/colleges/${encodeURIComponent(info)}`)).status;
      const close = (await fetch(`/api/colleges/${encodeURIComponent(info)}/close`, { method: 'POST',
        headers: { 'X-CSRF-Token': me.csrf, 'Content-Type': 'application/json' }, body: '{}' })).status;
      const snapshot = JSON.stringify(await (await fetch('/api/snapshot')).json());
      return { booth, college, close, leaks: snapshot.includes(info) };
    }, INFO);
    assert.deepEqual(api, { booth: 200, college: 403, close: 403, leaks: false });
    await leadPage.screenshot({ path: path.join(ARTIFACTS, '05-college-lead-phone.png'), fullPage: true });

    // Closing a college while a student still waits needs a reason; then it is closed.
    go();
    await lines.wait(/step 13: holding/);
    const card = page.locator(`.college[data-college="${INFO}"]`);
    await card.locator('button.close').click();
    await card.locator('.close-result').filter({ hasText: /wait|等待|override/ }).waitFor();
    await card.locator('input.override').fill('S2021002 went to the clinic');
    await card.locator('button.close').click();
    await card.locator('.closed').waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, '06-closed.png'), fullPage: true });

    go();
    drill.stdin.end();
    assert.equal(await exited, 0, lines.lines.slice(-20).join('\n'));
    const done = JSON.parse(report);
    const info = done.reconciliation.find((c) => c.college === INFO);
    assert.equal(info.closed, true);
    assert.equal(info.override_used, true);
  } finally {
    for (const c of contexts) await c.close().catch(() => {});
    if (drill.exitCode === null) drill.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  }
});
