// Universal design, page by page: every page of the app, as the person
// who uses it (the login and password pages and the accessibility
// statement signed out; the plan's pages as the leader, a member, finance
// and the steering group; the administration as the administrator), with
// real content — text, comments, a suggestion, a privacy finding, a long
// sentence, measures, indicators, milestones, a version. axe-core (from
// its npm package) runs every rule it has on each page; a serious or
// critical violation fails the page. Each page's violations by impact go
// to test-results/a11y/results.json and a full-page screenshot to
// test-results/screenshots/<page>.png (CI keeps test-results/).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEMO_PLAN, api, createPlan, frontendDir, loginAs, nb, newContext, sectionPath, transition, useServerAndBrowser, waitEditor } from './harness.mjs';
import { writeSection } from './wsclient.mjs';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
const AXE_VERSION = require('axe-core/package.json').version;

const RESULTS = path.join(frontendDir, 'test-results', 'a11y');

/** The plan page's views, read from pages/views.ts. */
const VIEW_NAMES = [...readFileSync(path.join(frontendDir, 'src', 'pages', 'views.ts'), 'utf8').match(/VIEW_NAMES: ViewName\[\] = \[([^\]]*)\]/)[1].matchAll(/'(\w+)'/g)].map((m) => m[1]);
/** Who a view is checked as (else the leader). */
const VIEW_USERS = { okonomi: 'finance', hoering: 'steering', logg: 'steering' };
const SHOTS = path.join(frontendDir, 'test-results', 'screenshots');

/** The rules run: WCAG 2.0/2.1 A and AA, and axe's best practices (headings, landmarks). */
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

/** audit runs axe on the page and returns its violations, each with its impact and targets. */
async function audit(page) {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async (tags) => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  }, TAGS);
}

/** settle waits until the page has stopped loading: no busy region, fonts in, two frames drawn. */
async function settle(page) {
  await page.waitForLoadState('networkidle').catch(() => {});
  await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'), null, { timeout: 15_000 });
  await page.evaluate(() => document.fonts.ready.then(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))));
}

const TEXT = [
  'Kommunen skal sørge for at alle innbyggere har et trygt og godt sted å bo.',
  'Det bor 3 familier i kommunale boliger som venter på en større leilighet.',
  'Planen beskriver hvordan kommunen, i samarbeid med frivillige organisasjoner, boligbyggelag, private utbyggere og statlige etater som Husbanken, over de neste fire årene skal arbeide systematisk og målrettet for at flere vanskeligstilte husstander skal kunne eie eller leie en egnet bolig i et godt bomiljø.',
  'Tiltakene følges opp i årlige rapporter til kommunestyret.',
];

describe('accessibility of every page', () => {
  let server;
  let browser;
  useServerAndBrowser(
    (s, b) => {
      server = s;
      browser = b;
    },
    { demoClock: true },
  );

  /** The section with text, comments and a suggestion, and a second one. */
  let first;
  let second;
  /** Signed-in pages by demo user, reused from page to page. */
  const pages = new Map();
  const results = [];

  before(async () => {
    const plan = await api(server, 'leader', 'GET', `/api/plans/${DEMO_PLAN}`);
    first = plan.sections[0].id;
    second = plan.sections[1].id;
    const v = await writeSection(server, 'leader', DEMO_PLAN, first, TEXT);
    await writeSection(server, 'leader', DEMO_PLAN, second, ['Boligsosialt arbeid handler om mer enn boliger.']);
    const at = (s) => TEXT.join('\n').indexOf(s);
    await api(server, 'member', 'POST', `/api/plans/${DEMO_PLAN}/comments`, { section: first, v, index: at('trygt og godt'), length: 'trygt og godt'.length, body: 'Kan vi si noe om hva «godt» betyr her?' });
    await api(server, 'steering', 'POST', `/api/plans/${DEMO_PLAN}/comments`, { section: first, v, index: at('årlige rapporter'), length: 'årlige rapporter'.length, body: 'Bra, @Lene Leder: ta med økonomien også.' });
    await api(server, 'member', 'POST', `/api/plans/${DEMO_PLAN}/suggestions`, { section: first, v, index: at('neste fire årene'), length: 'neste fire årene'.length, text: 'fire neste årene', body: 'Mer naturlig ordstilling.' });
    await api(server, 'leader', 'POST', `/api/plans/${DEMO_PLAN}/versions`, { name: 'Første utkast' }).catch(() => {});
  });

  after(() => {
    mkdirSync(RESULTS, { recursive: true });
    const summary = { axe: AXE_VERSION, tags: TAGS, pages: results };
    writeFileSync(path.join(RESULTS, 'results.json'), JSON.stringify(summary, null, 2) + '\n');
  });

  /** as returns a page signed in as a demo user (null: signed out). */
  async function as(who) {
    if (pages.has(who)) return pages.get(who);
    let page;
    if (who === null) {
      const context = await newContext(browser, 'visitor', { bypassCSP: true, viewport: { width: 1280, height: 900 } });
      page = await context.newPage();
    } else {
      const context = await newContext(browser, who, { bypassCSP: true, viewport: { width: 1280, height: 900 } });
      ({ page } = await loginAs(server, browser, who, { context }));
    }
    pages.set(who, page);
    return page;
  }

  /**
   * check opens a page as `who` (path, then ready(page) waits for what
   * must be there), runs axe, saves the screenshot and the results, and
   * fails on a serious or critical violation.
   */
  async function check(name, who, to, ready, extra) {
    const page = await as(who);
    if (to !== null) await page.goto(server.url + to);
    await ready(page);
    if (extra) await extra(page);
    await settle(page);
    const violations = await audit(page);
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
    const byImpact = { critical: [], serious: [], moderate: [], minor: [] };
    for (const v of violations) (byImpact[v.impact] ?? byImpact.minor).push(v);
    results.push({
      page: name,
      user: who ?? 'signed out',
      path: new URL(page.url()).pathname,
      counts: Object.fromEntries(Object.entries(byImpact).map(([k, list]) => [k, list.length])),
      violations: byImpact,
    });
    const bad = [...byImpact.critical, ...byImpact.serious].map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.join(', ')}`);
    assert.deepEqual(bad, [], `${name}: serious or critical violations`);
  }

  const heading = (page, name) => page.getByRole('heading', { level: 1, name }).waitFor();
  const editorReady = (opts) => async (page) => {
    await waitEditor(page, opts);
    await page.locator('[data-testid="comments-panel"] .review-list > li').first().waitFor();
  };

  // Signed out.
  it('login', () => check('login', null, '/logg-inn', (p) => p.getByTestId('login-email').waitFor()));
  it('forgot password', () => check('forgot-password', null, '/glemt-passord', (p) => p.getByTestId('forgot-email').waitFor()));
  it('set password (a link without its token)', () => check('set-password', null, '/nytt-passord', (p) => p.getByTestId('password-heading').waitFor()));
  it('accessibility statement', () => check('accessibility-statement', null, '/tilgjengelighet', (p) => p.getByTestId('a11y-statement').waitFor()));

  // The plans.
  it('plan list', () => check('plan-list', 'leader', '/', (p) => p.getByRole('row', { name: /Temaplan om bolig/ }).waitFor()));
  it('plan page', () => check('plan', 'leader', `/plans/${DEMO_PLAN}`, (p) => p.getByTestId('phase-banner').waitFor()));
  it('section editor with comments and a suggestion', () => check('section-editor', 'leader', sectionPath(DEMO_PLAN, first), editorReady()));
  it('section history and authorship', () =>
    check('section-history', 'leader', sectionPath(DEMO_PLAN, first), editorReady(), async (p) => {
      await p.getByTestId('history-button').click();
      await p.locator('.history-slot li').first().waitFor();
      await p.getByTestId('authorship-toggle').click();
      await p.getByTestId('authorship-legend').waitFor();
    }));
  it('section checks marked in the text', () =>
    check('section-checks', 'leader', sectionPath(DEMO_PLAN, first), editorReady(), async (p) => {
      await p.getByTestId('check-personvern').click();
      await p.locator('[data-testid="check-mark-privacy"]').first().waitFor();
      await p.getByTestId('check-klarsprak').click();
    }));
  it('comment composer of a member, on a selection', () =>
    check('comment-composer', 'member', sectionPath(DEMO_PLAN, first), editorReady({ editable: false }), async (p) => {
      await p.evaluate(() => {
        const root = document.querySelector('.ql-editor');
        const text = root.querySelector('p').firstChild;
        document.getSelection().setBaseAndExtent(text, 0, text, 8);
      });
      await p.getByTestId('comment-button').click();
      await p.getByTestId('comment-composer').waitFor();
    }));
  it('suggestion composer of a member', () =>
    check('suggestion-composer', 'member', null, async (p) => {
      await p.getByTestId('comment-cancel').click();
      await p.evaluate(() => {
        const text = document.querySelector('.ql-editor p').firstChild;
        document.getSelection().setBaseAndExtent(text, 0, text, 8);
      });
      await p.getByTestId('suggest-button').click();
      await p.getByTestId('suggestion-composer').waitFor();
    }));
  it('section read by a reader', () => check('section-reader', 'reader', sectionPath(DEMO_PLAN, second), (p) => waitEditor(p, { editable: false })));

  // Every view of the plan page (the tabs of pages/views.ts, so a new view
  // is checked without being added here), as the person it is for.
  for (const name of VIEW_NAMES) {
    it(`view ${name}`, () =>
      check(`view-${name}`, VIEW_USERS[name] ?? 'leader', `/plans/${DEMO_PLAN}/${name}`, async (p) => {
        await p.locator('.section-pane h2').first().waitFor();
        if (name === 'personvern') await p.locator('[data-testid="privacy-open"] [data-testid="finding"]').first().waitFor();
      }));
  }

  // The person's own settings, and a page that does not exist.
  it('notification settings', () => check('notifications', 'leader', '/varsler', (p) => p.getByTestId('notify-save').waitFor()));
  it('not found', () => check('not-found', 'leader', '/finnes-ikke', (p) => heading(p, nb['notfound.heading'])));

  // The administration.
  it('administration: users', () => check('admin-users', 'admin', '/admin', (p) => p.getByTestId('users-table').waitFor()));
  it('administration: plans', () => check('admin-plans', 'admin', '/admin/planer', (p) => p.getByRole('row', { name: /Temaplan om bolig/ }).first().waitFor()));
  it('administration: settings', () => check('admin-settings', 'admin', '/admin/innstillinger', (p) => p.locator('form').first().waitFor()));

  // The approval: the lock dialog, then the locked plan as the steering group and the leader.
  it('lock dialog of the steering group', () =>
    check('lock-dialog', 'steering', `/plans/${DEMO_PLAN}`, (p) => p.getByTestId('action-lock').waitFor(), async (p) => {
      // The privacy finding must be accepted first: the leader does so over the API.
      const privacy = await api(server, 'leader', 'GET', `/api/plans/${DEMO_PLAN}/privacy`);
      for (const f of privacy.findings.filter((x) => !x.accepted)) {
        const { seq } = await api(server, 'leader', 'GET', `/api/plans/${DEMO_PLAN}`);
        await api(server, 'leader', 'POST', `/api/plans/${DEMO_PLAN}/privacy/${f.id}/accept`, { seq, reason: 'Tallet er offentlig kjent.' });
      }
      await p.getByTestId('action-lock').click();
      await p.getByTestId('lock-dialog').waitFor();
    }));
  it('locked plan, as the steering group', () =>
    check('plan-locked-steering', 'steering', null, async (p) => {
      await p.getByTestId('lock-dialog-confirm').click();
      await p.locator('[data-testid="phase-banner"][data-phase="review"]').waitFor();
    }));
  it('locked plan, the leader’s read-only editor', () => check('section-locked-leader', 'leader', sectionPath(DEMO_PLAN, first), editorReady({ editable: false })));

  // The hearing: a plan approved for it, the steering group's Høring view,
  // then the public page (no login, server-rendered) and the view while it runs.
  let hearingPlan;
  it('Høring of an approved plan, as the steering group', async () => {
    hearingPlan = await createPlan(server, 'Høringsplanen');
    await writeSection(server, 'leader', hearingPlan.id, hearingPlan.sections[0].id, ['Planen legges ut til offentlig ettersyn.']);
    await transition(server, 'leader', hearingPlan.id, 'submit');
    await transition(server, 'steering', hearingPlan.id, 'lock');
    await transition(server, 'steering', hearingPlan.id, 'approve');
    await transition(server, 'political', hearingPlan.id, 'approve');
    await check('view-hoering-approved', 'steering', `/plans/${hearingPlan.id}/hoering`, (p) => p.locator('.section-pane h2').first().waitFor());
  });
  it('the public hearing page, signed out', async () => {
    await api(server, 'steering', 'PUT', `/api/plans/${hearingPlan.id}/hearing`, { form: 'Digitalt og på rådhuset.' });
    await api(server, 'steering', 'POST', `/api/plans/${hearingPlan.id}/hearing/start`, { weeks: 6 });
    const { path: publicPath } = await api(server, 'leader', 'GET', `/api/plans/${hearingPlan.id}/hearing`);
    assert.match(publicPath, /^\/h\//);
    await check('public-hearing', null, publicPath, (p) => p.locator('h1').first().waitFor());
  });
  it('Høring while it runs, as the leader', () =>
    check('view-hoering-running', 'leader', `/plans/${hearingPlan.id}/hoering`, (p) => p.locator('.section-pane h2').first().waitFor()));

  // Fase 3: a response, the deadline passed (the demo clock) and the
  // hearing closed: Høring with the assessment form and the
  // merknadsbehandling; Vedtak with the decision form, then adopted.
  it('Høring in processing, as the leader', async () => {
    const h = await api(server, 'leader', 'GET', `/api/plans/${hearingPlan.id}/hearing`);
    const posted = await fetch(server.url + h.path, { method: 'POST', body: new URLSearchParams({ name: 'Kari Innbygger', text: 'Planen bør nevne eldre.' }) });
    assert.equal(posted.status, 200);
    const days = Math.ceil((Date.parse(`${h.hearing.deadline}T00:00:00Z`) - Date.now()) / 86_400_000) + 2;
    await api(server, 'admin', 'POST', '/api/demo/clock', { advance_days: days });
    await api(server, 'steering', 'POST', `/api/plans/${hearingPlan.id}/hearing/close`);
    await check('view-hoering-processing', 'leader', `/plans/${hearingPlan.id}/hoering`, (p) => p.getByTestId('assessment-form').first().waitFor());
  });
  it('Vedtak with the decision form, as the leader', async () => {
    const { items } = await api(server, 'leader', 'GET', `/api/plans/${hearingPlan.id}/hearing/responses`);
    for (const r of items) await api(server, 'leader', 'PUT', `/api/plans/${hearingPlan.id}/hearing/responses/${r.id}/assessment`, { outcome: 'partly', reason: 'Delvis innarbeidet.' });
    await transition(server, 'steering', hearingPlan.id, 'lock');
    await transition(server, 'steering', hearingPlan.id, 'approve');
    await check('view-vedtak-decision', 'leader', `/plans/${hearingPlan.id}/vedtak`, (p) => p.getByTestId('decision-form').waitFor());
  });
  it('Vedtak of the adopted plan, as the leader', async () => {
    const { today } = await api(server, 'leader', 'GET', `/api/plans/${hearingPlan.id}/hearing`);
    await api(server, 'leader', 'POST', `/api/plans/${hearingPlan.id}/decision`, { date: today, body: 'Kommunestyret', case_number: '2026/123', amendments: '' });
    await check('view-vedtak-adopted', 'leader', `/plans/${hearingPlan.id}/vedtak`, (p) => p.getByTestId('adopted').waitFor());
  });

  it('leaves a locked plan locked (sanity of the run)', async () => {
    const plan = await api(server, 'leader', 'GET', `/api/plans/${DEMO_PLAN}`);
    assert.equal(plan.phase, 'review');
    await transition(server, 'steering', DEMO_PLAN, 'return', 'Takk, noen endringer trengs.');
  });
});
