// Test harness of the browser tests: the real temaplan binary on a free
// port with a fresh data directory and the demo users (-demo), and
// Debian's Chromium driven by playwright-core. People sign in through the
// login page, each in a browser context of their own; the tests' own REST
// calls carry a demo user's access token.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const frontendDir = fileURLToPath(new URL('..', import.meta.url));
export const repoRoot = path.resolve(frontendDir, '..');

export function binaryPath() {
  return process.env.TEMAPLAN_BIN || path.join(os.tmpdir(), 'temaplan-e2e', 'temaplan');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** DEMO_PASSWORD is the password the test server gives every demo user. */
export const DEMO_PASSWORD = 'e2e-demo-passord';

/** DEMO_PLAN is the plan the demo seeds, with every demo user in their role. */
export const DEMO_PLAN = 'demo-temaplan-bolig';

/**
 * DEMO_USERS are the accounts -demo seeds (cmd/temaplan/demo.go), by the
 * role they hold in the demo plan; admin is the municipality's administrator.
 */
export const DEMO_USERS = {
  leader: { email: 'leader@demo.no', name: 'Lene Leder' },
  member: { email: 'member@demo.no', name: 'Mats Medlem' },
  finance: { email: 'finance@demo.no', name: 'Frida Økonomi' },
  reader: { email: 'reader@demo.no', name: 'Rolf Leser' },
  steering: { email: 'steering@demo.no', name: 'Siri Styring' },
  political: { email: 'political@demo.no', name: 'Per Politiker' },
  admin: { email: 'admin@demo.no', name: 'Anne Admin' },
};

/** nb is the bokmål message catalogue, for texts the UI shows. */
export const nb = JSON.parse(readFileSync(path.join(frontendDir, 'src', 'i18n', 'nb.json'), 'utf8'));

/**
 * startServer runs the binary with the demo (its users get DEMO_PASSWORD)
 * and resolves once /readyz answers 200. opts.env adds environment
 * variables: an object, or a function of the server's URL that returns one.
 * opts.demoClock adds -demo-clock: the administrator may then move the
 * server's clock forward (POST /api/demo/clock {advance_days}, advanceClock).
 */
export async function startServer(opts = {}) {
  const port = await freePort();
  const data = mkdtempSync(path.join(os.tmpdir(), 'temaplan-e2e-data-'));
  const url = `http://127.0.0.1:${port}`;
  const extraEnv = typeof opts.env === 'function' ? opts.env(url) : (opts.env ?? {});
  const args = ['-addr', `127.0.0.1:${port}`, '-data', data, '-demo'];
  if (opts.demoClock) args.push('-demo-clock');
  const proc = spawn(binaryPath(), args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      TEMAPLAN_DEMO_PASSWORD: DEMO_PASSWORD,
      TEMAPLAN_LOG_LEVEL: process.env.TEMAPLAN_LOG_LEVEL || 'warn',
      ...extraEnv,
    },
  });
  let log = '';
  proc.stdout.on('data', (b) => (log += b));
  proc.stderr.on('data', (b) => (log += b));
  let exited = false;
  proc.on('exit', () => (exited = true));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) throw new Error(`temaplan exited before it was ready:\n${log}`);
    try {
      const r = await fetch(`${url}/readyz`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`temaplan not ready after 30 s:\n${log}`);
    }
    await sleep(50);
  }
  return {
    url,
    log: () => log,
    /** Access tokens of the API calls made from the tests, by demo user. */
    tokens: new Map(),
    /** The demo users' account ids, once asked for (userIds). */
    ids: null,
    async stop() {
      if (!exited) {
        proc.kill('SIGTERM');
        const until = Date.now() + 10_000;
        while (!exited && Date.now() < until) await sleep(50);
        if (!exited) proc.kill('SIGKILL');
      }
      rmSync(data, { recursive: true, force: true });
    },
  };
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    headless: true,
  });
}

/**
 * newContext opens a browser context in bokmål with nobody signed in; page
 * errors are printed with the label.
 */
export async function newContext(browser, label, opts = {}) {
  const context = await browser.newContext({ locale: 'nb-NO', ...opts });
  context.on('page', (page) => page.on('pageerror', (err) => console.error(`[${label}] page error:`, err)));
  return context;
}

/**
 * loginAs signs a demo user in through the login page, in a fresh browser
 * context (or the one given), and returns that context and its page at
 * `path` (the login page leads back there). `who` is a key of DEMO_USERS.
 */
export async function loginAs(server, browser, who, { path: to = '/', context, contextOptions } = {}) {
  const user = DEMO_USERS[who];
  if (!user) throw new Error(`loginAs: no demo user ${who}`);
  context ??= await newContext(browser, who, contextOptions);
  const page = await context.newPage();
  await page.goto(server.url + to);
  await page.getByTestId('login-email').fill(user.email);
  await page.getByTestId('login-password').fill(DEMO_PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('current-user').filter({ hasText: user.name }).waitFor();
  return { context, page, who, name: user.name };
}

/** ApiFailure is a refused API call, with the server's status and code. */
export class ApiFailure extends Error {
  constructor(method, p, status, body) {
    super(`${method} ${p}: ${status} ${JSON.stringify(body)}`);
    this.status = status;
    this.code = body?.error?.code;
  }
}

/** token returns an access token of a demo user for the tests' own API calls. */
export async function token(server, who) {
  const have = server.tokens.get(who);
  if (have) return have;
  const r = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: DEMO_USERS[who].email, password: DEMO_PASSWORD }),
  });
  const body = await r.json();
  if (!r.ok) throw new ApiFailure('POST', '/api/auth/login', r.status, body);
  server.tokens.set(who, body.access_token);
  return body.access_token;
}

/** api calls the REST API as a demo user and returns the answer's JSON; a refusal throws an ApiFailure. */
export async function api(server, who, method, p, body) {
  const headers = { Authorization: `Bearer ${await token(server, who)}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(server.url + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  const data = text ? JSON.parse(text) : null;
  if (!r.ok) throw new ApiFailure(method, p, r.status, data);
  return data;
}

/** advanceClock moves the server's clock days forward (a server started with demoClock). */
export function advanceClock(server, days) {
  return api(server, 'admin', 'POST', '/api/demo/clock', { advance_days: days });
}

/** userIds returns the demo users' account ids by role (DEMO_USERS keys). */
export async function userIds(server) {
  if (server.ids) return server.ids;
  const { items } = await api(server, 'admin', 'GET', '/api/admin/users');
  const ids = {};
  for (const [who, u] of Object.entries(DEMO_USERS)) {
    const a = items.find((x) => x.email === u.email);
    if (!a) throw new Error(`no account ${u.email}`);
    ids[who] = a.id;
  }
  server.ids = ids;
  return ids;
}

/** The demo roles a new plan gives, besides its leader. */
export const PLAN_ROLES = ['member', 'finance', 'reader', 'steering', 'political'];

/**
 * createPlan creates a plan from the template as the administrator, with
 * the demo leader as its leader and the other demo users (`members`) in
 * their roles; it returns the plan as the administrator sees it.
 */
export async function createPlan(server, title = 'Boligplan 2026–2030', { type = 'temaplan', members = PLAN_ROLES } = {}) {
  const ids = await userIds(server);
  let plan = await api(server, 'admin', 'POST', '/api/plans', { title, type, leader: ids.leader });
  for (const role of members) {
    plan = await api(server, 'admin', 'PUT', `/api/plans/${plan.id}/members/${ids[role]}`, { roles: [role] });
  }
  return plan;
}

/** transition asks for a phase step as a demo user (lock, return, approve, submit). */
export function transition(server, who, plan, action, comment) {
  return api(server, who, 'POST', `/api/plans/${plan}/transitions`, comment === undefined ? { action } : { action, comment });
}

/** serverText returns the server's text of a section (its Delta's inserts). */
export async function serverText(server, plan, section) {
  const c = await api(server, 'admin', 'GET', `/api/plans/${plan}/sections/${section}/content`);
  return (c.data?.ops ?? []).map((op) => (typeof op.insert === 'string' ? op.insert : '')).join('');
}

/**
 * editorText returns the text of the page's editor as Quill's Delta holds
 * it: one line per block, each ending with a newline.
 */
export function editorText(page) {
  return page.evaluate(() => {
    const root = document.querySelector('.ql-editor');
    if (!root) return null;
    const lines = [];
    const blocks = root.querySelectorAll('p, h1, h2, h3, h4, h5, h6, li, td, blockquote, pre');
    for (const b of blocks) {
      if (b.querySelector('p, h1, h2, h3, h4, h5, h6, li, td, blockquote, pre')) continue;
      lines.push(b.textContent.replace(/\uFEFF/g, ''));
    }
    return lines.join('\n') + '\n';
  });
}

/** saveStatus returns the editor's save status text. */
export function saveStatus(page) {
  return page.locator('.save-status').textContent();
}

/** sectionPath is the page of a section. */
export function sectionPath(plan, section) {
  return `/plans/${plan}/sections/${section}`;
}

/**
 * waitEditor waits until the page's editor has loaded its text with
 * nothing unsaved, and is editable (the leader in a writing phase) or
 * read-only as asked.
 */
export async function waitEditor(page, { editable = true, timeout = 20_000 } = {}) {
  await page.locator(`.editor[data-readonly="${!editable}"] .ql-editor[contenteditable="${editable}"]`).waitFor({ timeout });
  await waitSaved(page, timeout);
}

/** openSection opens a section and waits for its editor (see waitEditor). */
export async function openSection(page, server, plan, section, opts) {
  await page.goto(server.url + sectionPath(plan, section));
  await waitEditor(page, opts);
}

/** waitSaved waits until the editor has no unacknowledged changes. */
export async function waitSaved(page, timeout = 20_000) {
  await page.locator('.editor[data-pending="false"] .save-status[data-state="saved"]').waitFor({ timeout });
}

/** waitFor polls fn until it returns a truthy value. */
export async function waitFor(fn, { timeout = 20_000, interval = 100, message = 'condition' } = {}) {
  const until = Date.now() + timeout;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > until) throw new Error(`timed out waiting for ${message} (last: ${JSON.stringify(last)})`);
    await sleep(interval);
  }
}

/** placeCaret puts the caret at a random place in the editor's text. */
export function placeCaret(page, random) {
  return page.evaluate((r) => {
    const root = document.querySelector('.ql-editor');
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const spots = [];
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      for (let i = 0; i <= n.data.length; i++) spots.push([n, i]);
    }
    const sel = document.getSelection();
    if (spots.length === 0) {
      const p = root.querySelector('p') ?? root;
      sel.setBaseAndExtent(p, 0, p, 0);
    } else {
      const [node, offset] = spots[Math.floor(r * spots.length)];
      sel.setBaseAndExtent(node, offset, node, offset);
    }
  }, random);
}

/** seeded returns a small deterministic random generator (mulberry32). */
export function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}


/**
 * axeViolations runs axe-core (WCAG 2.1 A and AA rules) on the page and
 * returns the violations as "rule: target" lines. The page's context must
 * be created with bypassCSP, since axe is injected as a script.
 */
export async function axeViolations(page) {
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  return result;
}

// useServerAndBrowser starts one server and one browser for the enclosing
// describe block, hands them to set, and stops them after its tests;
// serverOpts go to startServer.
export function useServerAndBrowser(set, serverOpts) {
  let server;
  let browser;
  before(async () => {
    server = await startServer(serverOpts);
    browser = await launchBrowser();
    set(server, browser);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });
}

// editingNewPlan creates a plan (createPlan) and signs in each of `whos`
// (keys of DEMO_USERS; a name twice is the same person in two browsers)
// at its first section, waiting until the editor is ready: editable for
// the leader, read-only for everybody else. It returns the plan, the
// section id and the people (loginAs).
export async function editingNewPlan(server, browser, title, whos) {
  const plan = await createPlan(server, title);
  const section = plan.sections[0].id;
  const users = [];
  for (const who of whos) {
    const user = await loginAs(server, browser, who, { path: sectionPath(plan.id, section) });
    await waitEditor(user.page, { editable: who === 'leader' });
    users.push(user);
  }
  return { plan, section, users };
}

/**
 * textBoxes returns the viewport boxes of the first occurrence of `text`
 * in the page's editor (within one text node): the whole of it, its
 * first and its last character; null when it is not there.
 */
export function textBoxes(page, text) {
  return page.evaluate((text) => {
    const root = document.querySelector('.ql-editor');
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const i = n.data.indexOf(text);
      if (i < 0) continue;
      const r = document.createRange();
      const box = (a, b) => {
        r.setStart(n, a);
        r.setEnd(n, b);
        const { left, right, top, bottom } = r.getBoundingClientRect();
        return { left, right, top, bottom };
      };
      return { whole: box(i, i + text.length), first: box(i, i + 1), last: box(i + text.length - 1, i + text.length) };
    }
    return null;
  }, text);
}

/** markBox is the viewport box of the first element matching selector, or null. */
export function markBox(page, selector) {
  return page.evaluate((selector) => {
    const mark = document.querySelector(selector);
    if (!mark) return null;
    const { left, right, top, bottom } = mark.getBoundingClientRect();
    return { left, right, top, bottom };
  }, selector);
}

/**
 * stableBoxes is textBoxes once two measures 50 ms apart agree: a page
 * still settling (a peer's cursor arriving, a banner) moves the text.
 */
async function stableBoxes(page, text) {
  let b = await textBoxes(page, text);
  for (let i = 0; i < 40; i++) {
    await page.waitForTimeout(50);
    const again = await textBoxes(page, text);
    if (JSON.stringify(again) === JSON.stringify(b)) break;
    b = again;
  }
  return b;
}

/**
 * mouseSelect selects `text` in the page's editor with the mouse, as a
 * person does: a click on the left half of its first character, a
 * shift-click on the right half of its last, each where the character is
 * when it is clicked. (A plain drag is not exact: once it crosses a word,
 * Chromium extends it by words, and a word before the line's end takes
 * the line break along.) It works in a read-only editor too.
 */
export async function mouseSelect(page, text) {
  let b = await stableBoxes(page, text);
  assert.ok(b, `"${text}" is in the editor`);
  await page.mouse.click(b.first.left + 1, (b.first.top + b.first.bottom) / 2);
  b = await stableBoxes(page, text);
  await page.keyboard.down('Shift');
  await page.mouse.click(b.last.right - 1, (b.last.top + b.last.bottom) / 2);
  await page.keyboard.up('Shift');
  assert.equal(await page.evaluate(() => document.getSelection().toString()), text, 'the mouse selected exactly the text');
}
