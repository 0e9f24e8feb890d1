// Test harness of the browser tests: the real temaplan binary on a free
// port with a fresh data directory, and Debian's Chromium driven by
// playwright-core.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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

/** startServer runs the binary and resolves once /readyz answers 200. */
export async function startServer() {
  const port = await freePort();
  const data = mkdtempSync(path.join(os.tmpdir(), 'temaplan-e2e-data-'));
  const url = `http://127.0.0.1:${port}`;
  const proc = spawn(binaryPath(), ['-addr', `127.0.0.1:${port}`, '-data', data], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TEMAPLAN_LOG_LEVEL: process.env.TEMAPLAN_LOG_LEVEL || 'warn' },
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
    await sleep(100);
  }
  return {
    url,
    log: () => log,
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
 * newUser opens a browser context for one person: their display name is
 * already given (the name form is tested on its own), the language bokmål.
 */
export async function newUser(browser, name) {
  const context = await browser.newContext({ locale: 'nb-NO' });
  await context.addInitScript((n) => {
    if (!localStorage.getItem('temaplan.name')) localStorage.setItem('temaplan.name', n);
  }, name);
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error(`[${name}] page error:`, err));
  return { context, page };
}

/** api calls the REST API. */
export async function api(base, method, p, body) {
  const r = await fetch(base + p, {
    method,
    headers: body ? { 'Content-Type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

export async function createPlan(base, title = 'Boligplan 2026–2030', municipality = 'Bodø') {
  return api(base, 'POST', '/api/plans', { title, municipality, type: 'temaplan' });
}

/** content returns the server's text of a section (its Delta's inserts). */
export async function serverText(base, plan, section) {
  const c = await api(base, 'GET', `/api/plans/${plan}/sections/${section}/content`);
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

/** openSection opens a section and waits until its editor is editable. */
export async function openSection(page, base, plan, section) {
  await page.goto(`${base}/plans/${plan}/sections/${section}`);
  await page.locator('.ql-editor[contenteditable="true"]').waitFor({ timeout: 20_000 });
  await waitSaved(page);
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
// describe block, hands them to set, and stops them after its tests.
export function useServerAndBrowser(set) {
  let server;
  let browser;
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    set(server, browser);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });
}

// editingNewPlan creates a plan and opens its first section in a browser
// context per name; it returns the plan, the section id and the users.
export async function editingNewPlan(server, browser, title, names) {
  const plan = await createPlan(server.url, title);
  const section = plan.sections[0].id;
  const users = [];
  for (const name of names) {
    const user = await newUser(browser, name);
    await openSection(user.page, server.url, plan.id, section);
    users.push(user);
  }
  return { plan, section, users };
}
