// Browser performance of the plan page — a program, not a test: it
// reports figures as JSON lines on stdout and judges nothing (a busy
// machine must not fail CI); progress goes to stderr.
//
//   node e2e/perf.mjs            (builds what is stale first, as the tests do)
//   E2E_SKIP_BUILD=1 PERF_RUNS=5 PERF_AUTHORS=20 node e2e/perf.mjs
//   PERF_ONLY=typing PERF_PROFILE=1 node e2e/perf.mjs   (where the time goes)
//   PERF_CSS='…' adds a style sheet to the typing page (to try a change of the CSS)
//
// It starts the real binary with the demo, seeds a plan of 40 sections
// with text in each and 200 comments (50 of them in the section it
// opens) through the REST API and the WebSocket protocol, then measures:
//
//   load    — a cold page load (a new browser context each run, signed in
//             by its refresh cookie) of the first section: navigation start
//             → the app's marks temaplan:editor-ready (the text is in the
//             editor) and temaplan:sidebar-ready (the section's comments
//             are drawn beside it); p50 and max over PERF_RUNS runs.
//   load_warm — the same in new pages of one context after a first load
//             (the assets from the browser's cache).
//   bundle  — the JS and CSS of frontend/dist, raw and gzipped.
//   document — the whole plan as one document (the Tekst tab's toggle):
//             from the click to every section's text in its own editor.
//   typing  — the leader types in the browser while PERF_AUTHORS remote
//             authors (other tabs, over the WebSocket protocol) type and
//             move their cursors in the same section: the input latency
//             (keydown → the next frame), long tasks (PerformanceObserver
//             'longtask'), Event Timing entries, how much of the page
//             outside the text changes per remote op (to show nothing is
//             rendered again as a whole), and that everyone converged.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { DEMO_PASSWORD, DEMO_USERS, api, createPlan, editorText, frontendDir, launchBrowser, serverText, startServer, waitFor } from './harness.mjs';
import { WsAuthor, writeSection } from './wsclient.mjs';

const RUNS = Number(process.env.PERF_RUNS || 5);
const AUTHORS = Number(process.env.PERF_AUTHORS || 20);
const SECTIONS = 40;
const COMMENTS = 200;
const COMMENTS_IN_FIRST = 50;
/** How long the remote authors wait between two ops each (ms, ± a third). */
const AUTHOR_PAUSE = Number(process.env.PERF_AUTHOR_PAUSE || 250);
/** Which measurements to make (bundle, load, document, typing). */
const ONLY = new Set((process.env.PERF_ONLY || 'bundle,load,document,typing').split(','));
/** PERF_PROFILE=1 prints the functions that took the most time in the last load and while typing (to stderr). */
const PROFILE = process.env.PERF_PROFILE === '1';
/** PERF_ASSETS=<dir> serves the JS of another build (vite build --minify false --outDir <dir>/..). */
const ASSETS = process.env.PERF_ASSETS || '';

const log = (...a) => console.error('perf:', ...a);
const out = (o) => console.log(JSON.stringify(o));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function quantile(xs, q) {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}
const round = (x) => (x === null ? null : Math.round(x * 10) / 10);
const stats = (xs) => ({ n: xs.length, p50: round(quantile(xs, 0.5)), p95: round(quantile(xs, 0.95)), max: round(xs.length ? Math.max(...xs) : null) });

/** A paragraph of plan-like text (about 400 characters). */
function paragraph(i) {
  const words = 'kommunen skal arbeide for at innbyggerne har en trygg og god bolig i et godt bomiljø med tilgang til tjenester kollektivtrafikk og grøntområder og tiltakene følges opp hvert år i samarbeid med frivillige organisasjoner og utbyggere'.split(' ');
  const out = [];
  for (let k = 0; out.join(' ').length < 400; k++) out.push(words[(i * 7 + k * 3) % words.length]);
  const s = out.join(' ');
  return s[0].toUpperCase() + s.slice(1) + '.';
}

function flatten(sections) {
  const all = [];
  const walk = (list) => list.forEach((s) => (all.push(s), walk(s.children ?? [])));
  walk(sections);
  return all;
}

async function seed(server) {
  let plan = await createPlan(server, 'Ytelsesplan med 40 deler');
  let sections = flatten(plan.sections);
  while (sections.length < SECTIONS) {
    await api(server, 'leader', 'POST', `/api/plans/${plan.id}/sections`, { parent: '', index: -1, title: `Tillegg ${sections.length + 1}`, kind: 'section', seq: plan.seq });
    plan = await api(server, 'leader', 'GET', `/api/plans/${plan.id}`);
    sections = flatten(plan.sections);
  }
  sections = sections.slice(0, SECTIONS);
  log(`plan ${plan.id}: ${flatten(plan.sections).length} sections; writing their text`);
  const versions = new Map();
  for (const [i, s] of sections.entries()) {
    versions.set(s.id, await writeSection(server, 'leader', plan.id, s.id, [paragraph(i), paragraph(i + 1), paragraph(i + 2)]));
  }
  log(`${COMMENTS} comments`);
  for (let c = 0; c < COMMENTS; c++) {
    const s = c < COMMENTS_IN_FIRST ? sections[0] : sections[1 + ((c - COMMENTS_IN_FIRST) % (sections.length - 1))];
    const text = await serverText(server, plan.id, s.id);
    // A word at a place of its own, spread over the text.
    const at = Math.floor(((c * 37) % 97) / 97 * (text.length - 20));
    const start = text.indexOf(' ', at) + 1;
    const end = text.indexOf(' ', start);
    await api(server, c % 3 === 0 ? 'steering' : 'member', 'POST', `/api/plans/${plan.id}/comments`, {
      section: s.id,
      v: versions.get(s.id),
      index: start,
      length: end - start,
      body: `Kommentar ${c + 1}: er «${text.slice(start, end)}» det rette ordet her?`,
    });
  }
  return { plan, sections };
}

/** signedIn opens a fresh browser context (cold cache) with a session cookie of the leader. */
async function signedIn(browser, server) {
  const context = await browser.newContext({ locale: 'nb-NO', viewport: { width: 1400, height: 1000 } });
  if (ASSETS) {
    // Another build's JS (e.g. unminified, for readable profiles).
    const files = readdirSync(ASSETS).filter((f) => f.endsWith('.js'));
    const stem = (f) => f.replace(/-[\w-]{8}\.js$/, '');
    await context.route('**/assets/*.js', (r) => {
      const want = path.basename(new URL(r.request().url()).pathname);
      const f = files.find((x) => x === want) ?? files.find((x) => stem(x) === stem(want));
      return f ? r.fulfill({ contentType: 'text/javascript', body: readFileSync(path.join(ASSETS, f), 'utf8') }) : r.continue();
    });
  }
  const r = await context.request.post(`${server.url}/api/auth/login`, { data: { email: DEMO_USERS.leader.email, password: DEMO_PASSWORD } });
  if (!r.ok()) throw new Error(`login: ${r.status()}`);
  return context;
}

// loadOnce opens the section in a new page of context and returns when
// the app's marks came, and when the requests on the way ended.
async function loadOnce(context, url, profile) {
  const page = await context.newPage();
  const cdp = profile ? await context.newCDPSession(page) : null;
  if (cdp) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.start');
  }
  await page.goto(url);
  const m = await page.waitForFunction(
    () => {
      const e = performance.getEntriesByName('temaplan:editor-ready')[0];
      const s = performance.getEntriesByName('temaplan:sidebar-ready')[0];
      if (!e || !s) return null;
      const nav = performance.getEntriesByType('navigation')[0];
      // When the requests on the way ended (the first of each).
      const end = (re) => performance.getEntriesByType('resource').find((r) => re.test(new URL(r.name).pathname))?.responseEnd ?? null;
      return {
        editor: e.startTime,
        sidebar: s.startTime,
        items: s.detail?.items ?? null,
        dcl: nav?.domContentLoadedEventEnd ?? null,
        js: end(/^\/assets\/index-.*\.js$/),
        refresh: end(/^\/api\/auth\/refresh$/),
        plan: end(/^\/api\/plans\/[^/]+$/),
        comments: end(/^\/api\/plans\/[^/]+\/comments$/),
        cards: document.querySelectorAll('[data-testid="comments-panel"] .review-list > li').length,
      };
    },
    null,
    { timeout: 30_000, polling: 'raf' },
  );
  const v = await m.jsonValue();
  if (cdp) printProfile((await cdp.send('Profiler.stop')).profile, 'loading');
  await page.close();
  return { ...v, ready: Math.max(v.editor, v.sidebar) };
}

function loadReport(metric, runs) {
  const ready = runs.map((r) => r.ready);
  out({
    metric,
    runs: runs.length,
    sections: SECTIONS,
    comments: COMMENTS,
    comments_in_section: runs[0].cards,
    ready_ms: { p50: round(quantile(ready, 0.5)), max: round(Math.max(...ready)) },
    editor_ready_ms: stats(runs.map((r) => r.editor)),
    sidebar_ready_ms: stats(runs.map((r) => r.sidebar)),
    dom_content_loaded_ms: stats(runs.map((r) => r.dcl)),
    // The way there: the entry chunk, the session, the plan, the comments (p50 of when each ended).
    path_p50_ms: Object.fromEntries(['js', 'dcl', 'refresh', 'plan', 'comments', 'editor', 'sidebar'].map((k) => [k, round(quantile(runs.map((r) => r[k]).filter((x) => x !== null), 0.5))])),
    each_ms: ready.map(round),
  });
}

// measureLoad loads the section cold (a new context each run: no cache,
// the first visit) and warm (new pages of one context after a first
// load: the assets from the cache, as for someone who was here before).
async function measureLoad(browser, server, plan, section) {
  const url = `${server.url}/plans/${plan.id}/sections/${section.id}`;
  const cold = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await signedIn(browser, server);
    const r = await loadOnce(context, url, PROFILE && i === RUNS - 1);
    log(`cold load ${i + 1}: editor ${r.editor.toFixed(0)} ms, sidebar ${r.sidebar.toFixed(0)} ms (${r.cards} cards)`);
    cold.push(r);
    await context.close();
  }
  loadReport('load', cold);
  const context = await signedIn(browser, server);
  await loadOnce(context, url, false);
  const warm = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await loadOnce(context, url, false);
    log(`warm load ${i + 1}: editor ${r.editor.toFixed(0)} ms, sidebar ${r.sidebar.toFixed(0)} ms`);
    warm.push(r);
  }
  await context.close();
  loadReport('load_warm', warm);
}

// measureDocument opens the plan page, turns on the whole-plan document
// and waits until every section's text is in its editor (p50 and max of
// PERF_RUNS, each in a new context).
async function measureDocument(browser, server, plan) {
  const times = [];
  let parts = 0;
  for (let i = 0; i < RUNS; i++) {
    const context = await signedIn(browser, server);
    const page = await context.newPage();
    await page.goto(`${server.url}/plans/${plan.id}`);
    await page.locator('nav.outline .outline-tree > ol').waitFor({ timeout: 30_000 });
    await page.locator('.conn[data-state="open"]').waitFor({ timeout: 30_000 });
    const r = await page.evaluate(
      () =>
        new Promise((resolve) => {
          const t0 = performance.now();
          document.querySelector('[data-testid="document-mode"]').click();
          const check = () => {
            const all = document.querySelectorAll('[data-testid="document-view"] [data-testid="doc-section"]');
            const loaded = document.querySelectorAll('[data-testid="document-view"] .save-status:not([data-state="loading"])');
            if (all.length > 0 && loaded.length === all.length) resolve({ ms: performance.now() - t0, parts: all.length });
            else requestAnimationFrame(check);
          };
          requestAnimationFrame(check);
        }),
    );
    log(`document ${i + 1}: ${r.ms.toFixed(0)} ms (${r.parts} sections)`);
    times.push(r.ms);
    parts = r.parts;
    await context.close();
  }
  out({ metric: 'document', runs: times.length, sections: parts, all_texts_ms: stats(times), each_ms: times.map(round) });
}

function measureBundle() {
  const dir = path.join(frontendDir, 'dist', 'assets');
  // The entry chunk and its style sheet are what every page loads first;
  // the views' chunks come when a view is opened.
  const html = readFileSync(path.join(frontendDir, 'dist', 'index.html'), 'utf8');
  const initial = new Set([...html.matchAll(/\/assets\/([^"]+\.(?:js|css))"/g)].map((m) => m[1]));
  const sizes = {};
  const add = (key, raw, gz) => {
    sizes[key] ??= { bytes: 0, gzip_bytes: 0, files: 0 };
    sizes[key].bytes += raw;
    sizes[key].gzip_bytes += gz;
    sizes[key].files++;
  };
  for (const f of readdirSync(dir)) {
    const kind = f.endsWith('.js') ? 'js' : f.endsWith('.css') ? 'css' : null;
    if (!kind) continue;
    const b = readFileSync(path.join(dir, f));
    const gz = gzipSync(b, { level: 9 }).length;
    add(`${kind}_all`, b.length, gz);
    if (initial.has(f)) add(`${kind}_initial`, b.length, gz);
  }
  out({ metric: 'bundle', ...sizes });
}

async function measureTyping(browser, server, plan, section) {
  const context = await signedIn(browser, server);
  const page = await context.newPage();
  await page.goto(`${server.url}/plans/${plan.id}/sections/${section.id}`);
  await page.locator('.editor[data-readonly="false"] .ql-editor[contenteditable="true"]').waitFor({ timeout: 30_000 });
  await page.locator('[data-testid="comments-panel"] .review-list > li').first().waitFor();
  if (process.env.PERF_CSS) await page.addStyleTag({ content: process.env.PERF_CSS });

  log(`${AUTHORS} remote authors join`);
  const authors = [];
  for (let i = 0; i < AUTHORS; i++) {
    const a = await WsAuthor.connect(server, 'leader');
    a.subscribePlan(plan.id);
    await a.subscribe(plan.id, section.id);
    authors.push(a);
  }
  const base = authors[0].length(section.id);

  // Watch the page: long tasks, Event Timing, keydown → next frame, and
  // what changes outside the text.
  await page.evaluate(() => {
    const w = window;
    w.__perf = { longtasks: [], events: [], keys: [], mutations: {} };
    new PerformanceObserver((l) => l.getEntries().forEach((e) => w.__perf.longtasks.push(e.duration))).observe({ type: 'longtask' });
    new PerformanceObserver((l) => l.getEntries().forEach((e) => w.__perf.events.push({ name: e.name, duration: e.duration }))).observe({ type: 'event', durationThreshold: 16 });
    document.addEventListener(
      'keydown',
      (e) => {
        const t0 = e.timeStamp;
        requestAnimationFrame(() => w.__perf.keys.push(performance.now() - t0));
      },
      true,
    );
    const areas = { sidebar: '[data-testid="comments-panel"] .review-list', outline: '.outline-tree', presence: '.presence', banner: '[data-testid="phase-banner"]', overlay: '.review-marks, .review-overlay' };
    for (const [name, sel] of Object.entries(areas)) {
      const el = document.querySelector(sel);
      w.__perf.mutations[name] = el ? 0 : null;
      if (el) new MutationObserver((recs) => (w.__perf.mutations[name] += recs.reduce((n, r) => n + r.addedNodes.length + r.removedNodes.length, 0))).observe(el, { childList: true, subtree: true });
    }
  });

  const cdp = PROFILE ? await context.newCDPSession(page) : null;
  if (cdp) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.start');
  }

  // The remote authors type words at places of the text they have seen,
  // and send their cursor after each, as a tab does.
  let running = true;
  let sent = 0;
  const rand = (() => {
    let s = 42;
    return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  })();
  const loops = authors.map(async (a, i) => {
    await sleep(i * (AUTHOR_PAUSE / AUTHORS));
    while (running) {
      const at = Math.floor(rand() * (base - 1));
      a.insert(section.id, at, `ord${i} `);
      sent++;
      a.presence(plan.id, section.id, at + 5, 0);
      await sleep(AUTHOR_PAUSE * (2 / 3 + rand() * (2 / 3)));
    }
  });

  // The leader types at the end of the text meanwhile.
  await sleep(1000);
  const remoteBefore = authors[0].remoteOps;
  const typed = ' Lederen skriver videre mens tjue andre skriver i samme del av planen, og teksten skal flyte uten hakk.';
  const t0 = Date.now();
  try {
    await page.locator('.ql-editor').focus({ timeout: 60_000 });
    await page.keyboard.press('Control+End');
    await page.keyboard.type(typed, { delay: 60 });
  } catch (e) {
    running = false;
    if (cdp) printProfile((await cdp.send('Profiler.stop')).profile, 'typing');
    throw e;
  }
  const seconds = (Date.now() - t0) / 1000;
  const remoteDuring = authors[0].remoteOps - remoteBefore;
  running = false;
  await Promise.all(loops);
  await Promise.all(authors.map((a) => a.idle(section.id)));
  const perf = await page.evaluate(() => window.__perf);
  if (cdp) printProfile((await cdp.send('Profiler.stop')).profile, 'typing');

  // Everyone converged on the server's text, the leader's words in it once.
  await page.locator('.editor[data-pending="false"] .save-status[data-state="saved"]').waitFor({ timeout: 30_000 });
  const server_ = await serverText(server, plan.id, section.id);
  const converged = await waitFor(async () => (await editorText(page)) === server_, { timeout: 30_000, message: 'the editor to show the server text' }).catch(() => false);
  for (const a of authors) a.close();
  const keydowns = perf.events.filter((e) => e.name === 'keydown' || e.name === 'keypress' || e.name === 'input');
  const per100 = (n) => (n === null ? null : round((n / Math.max(1, remoteDuring)) * 100));
  out({
    metric: 'typing',
    remote_authors: AUTHORS,
    remote_ops_sent: sent,
    remote_ops_while_typing: remoteDuring,
    remote_ops_per_s: round(remoteDuring / seconds),
    local_keys: typed.length,
    input_latency_ms: stats(perf.keys),
    long_tasks: { count: perf.longtasks.length, total_ms: round(perf.longtasks.reduce((a, b) => a + b, 0)), max_ms: round(perf.longtasks.length ? Math.max(...perf.longtasks) : 0), per_s: round(perf.longtasks.length / seconds) },
    slow_input_events: { count: keydowns.length, max_ms: round(keydowns.length ? Math.max(...keydowns.map((e) => e.duration)) : 0) },
    dom_changes_per_100_remote_ops: Object.fromEntries(Object.entries(perf.mutations).map(([k, v]) => [k, per100(v)])),
    converged,
    typed_once: server_.split('Lederen skriver videre').length === 2,
  });
  await context.close();
}

// printProfile prints the functions with the most self time of a CPU profile.
function printProfile(profile, what) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  profile.samples.forEach((id, i) => {
    const f = nodes.get(id).callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}:${f.columnNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 30);
  log(`CPU profile while ${what} (self time):\n${top.map(([k, ms]) => `${ms.toFixed(1).padStart(8)} ms  ${k}`).join('\n')}`);
}

async function main() {
  if (process.env.E2E_SKIP_BUILD !== '1') {
    const r = spawnSync(process.execPath, [path.join(frontendDir, 'e2e', 'build.mjs')], { stdio: ['ignore', 2, 2] });
    if (r.status !== 0) process.exit(1);
  }
  if (ONLY.has('bundle')) measureBundle();
  if (!ONLY.has('load') && !ONLY.has('typing') && !ONLY.has('document')) return;
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    const { plan, sections } = await seed(server);
    if (ONLY.has('load')) await measureLoad(browser, server, plan, sections[0]);
    if (ONLY.has('document')) await measureDocument(browser, server, plan);
    if (ONLY.has('typing')) await measureTyping(browser, server, plan, sections[0]);
  } finally {
    await browser.close();
    await server.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
