// The plan list and plan creation, in bokmål: a first visit shows the
// login page, the administrator's list shows the demo plan, the form
// creates a plan, and the plan page shows exactly the template "Temaplan
// om bolig" and follows structure changes live. The leader changes the
// structure from the plan page.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEMO_PASSWORD,
  DEMO_PLAN,
  api,
  axeViolations,
  createPlan,
  loginAs,
  newContext,
  sectionPath,
  useServerAndBrowser,
  userIds,
  waitEditor,
  waitFor,
} from './harness.mjs';

const area = (title) => [
  title,
  [
    ['Analysedel', [['Situasjonsbeskrivelse', []], ['Utviklingstrekk', []], ['Vurdering av virkemidler og behov', []]]],
    ['Handlingsdel', [['Mål', []], ['Strategier', []], ['Tiltak', []]]],
  ],
];

const TEMPLATE = [
  ['Innledning', []],
  ['Føringer', [['Nasjonale føringer', []], ['Regionale føringer', []], ['Lokale føringer', []]]],
  area('Generell boligutvikling'),
  area('Boligsosiale forhold'),
  area('Organisering og boligforvaltning'),
  ['Målekort og oppfølging', []],
  ['Økonomiske konsekvenser', []],
];

function outline(page) {
  return page.evaluate(() => {
    const read = (ol) =>
      [...ol.children].map((li) => {
        const sub = li.querySelector(':scope > ol');
        return [li.querySelector(':scope > a .title').textContent, sub ? read(sub) : []];
      });
    const top = document.querySelector('nav.outline ol.tree');
    return top ? read(top) : null;
  });
}

describe('plans', () => {
  let server;
  let browser;
  useServerAndBrowser((s, b) => {
    server = s;
    browser = b;
  });

  it('signs the administrator in, lists plans, creates a plan and shows the template outline in bokmål', async () => {
    const context = await newContext(browser, 'admin');
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(server.url);

    // First visit: the login page.
    await page.waitForURL(/\/logg-inn$/);
    await page.getByRole('heading', { level: 1, name: 'Logg inn' }).waitFor();
    await page.getByTestId('login-submit').click();
    await page.getByTestId('login-error').filter({ hasText: 'Skriv inn e-post og passord.' }).waitFor();
    await page.getByLabel('E-post').fill('admin@demo.no');
    await page.getByLabel('Passord').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Logg inn' }).click();

    // The list: the demo plan, with no role of the administrator's in it.
    await page.getByRole('heading', { level: 1, name: 'Temaplaner' }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'nb');
    await page.getByTestId('current-user').filter({ hasText: 'Anne Admin' }).waitFor();
    await page.locator('.conn[data-state="open"]').waitFor();
    const demo = page.locator(`tr[data-plan="${DEMO_PLAN}"]`);
    await demo.waitFor();
    assert.match(await demo.textContent(), /Temaplan om bolig 2027–2030.*Temaplan.*Utkast/);

    // Create a plan through the form.
    await page.getByLabel('Tittel', { exact: true }).fill('Boligplan for Demo 2026–2030');
    await page.getByLabel('Kommunedelplan').check();
    await page.getByRole('button', { name: 'Opprett plan' }).click();
    await page.waitForURL(/\/plans\/[^/]+$/);
    await page.getByRole('heading', { level: 1, name: 'Boligplan for Demo 2026–2030' }).waitFor();
    await page.getByText('Demo kommune · Kommunedelplan · Utkast').waitFor();
    await page.getByTestId('phase-banner').and(page.locator('[data-phase="draft"]')).waitFor();
    assert.deepEqual(await page.getByTestId('role-list').locator('li').allTextContents(), ['Administrator']);

    // Exactly the template, every section "Ikke påbegynt".
    await page.locator('nav.outline .outline-tree > ol').waitFor();
    assert.deepEqual(await outline(page), TEMPLATE);
    const statuses = await page.locator('nav.outline .status').allTextContents();
    assert.equal(statuses.length, 1 + 4 + 3 * 9 + 2);
    assert.ok(statuses.every((s) => s === 'Ikke påbegynt'), statuses.join(', '));
    // The administrator does not write: no structure actions.
    assert.equal(await page.getByRole('button', { name: 'Nytt målområde' }).count(), 0);

    // A deep link survives a reload (the server falls back to index.html,
    // the refresh cookie keeps the session).
    const planUrl = page.url();
    await page.reload();
    await page.locator('nav.outline .outline-tree > ol').waitFor();
    assert.deepEqual(await outline(page), TEMPLATE);

    // Structure changes by the leader show up live (plan events).
    const planId = planUrl.split('/').pop();
    const ids = await userIds(server);
    await page.locator('.conn[data-state="open"]').waitFor();
    let plan = await api(server, 'admin', 'PUT', `/api/plans/${planId}/leader`, { user: ids.leader });
    await api(server, 'leader', 'POST', `/api/plans/${planId}/sections`, { parent: '', index: 1, title: 'Sammendrag', kind: 'section', seq: plan.seq });
    await waitFor(async () => (await outline(page))?.[1]?.[0] === 'Sammendrag', { message: 'the new section in the outline' });
    const innledning = plan.sections[0].id;
    await api(server, 'leader', 'PATCH', `/api/plans/${planId}/sections/${innledning}`, { status: 'in_progress', seq: plan.seq + 1 });
    await page.locator(`nav.outline li[data-section="${innledning}"] > a .status`, { hasText: 'Under arbeid' }).waitFor();

    // Back to the list: the plan is there with its phase in Norwegian.
    await page.getByRole('link', { name: 'Alle planer' }).first().click();
    const row = page.getByRole('row', { name: /Boligplan for Demo/ });
    await row.waitFor();
    assert.match(await row.textContent(), /Demo kommune.*Kommunedelplan.*Utkast/);
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('lets the leader add, rename and delete sections from the plan page', async () => {
    const plan = await createPlan(server, 'Strukturplan');
    const { context, page } = await loginAs(server, browser, 'leader', { path: `/plans/${plan.id}` });
    await page.locator('nav.outline .outline-tree > ol').waitFor();
    assert.deepEqual(await page.getByTestId('role-list').locator('li').allTextContents(), ['Prosjektleder']);

    // A new target area gets the analysis and action parts, after the other areas.
    await page.getByRole('button', { name: 'Nytt målområde' }).click();
    await page.getByLabel('Navn på nytt målområde').fill('Klima og energi');
    await page.getByRole('button', { name: 'Lagre' }).click();
    await page.getByRole('heading', { level: 2, name: 'Klima og energi' }).waitFor();
    const titles = await outline(page);
    assert.deepEqual(titles[5], area('Klima og energi'));

    // Rename it.
    await page.getByRole('button', { name: 'Gi nytt navn' }).click();
    await page.getByLabel('Nytt navn på «Klima og energi»').fill('Klima, energi og miljø');
    await page.getByRole('button', { name: 'Lagre' }).click();
    await page.getByRole('heading', { level: 2, name: 'Klima, energi og miljø' }).waitFor();

    // Delete it, after confirming.
    await page.getByRole('button', { name: 'Slett', exact: true }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Avbryt' }).click();
    assert.equal((await outline(page)).length, 8);
    await page.getByRole('button', { name: 'Slett', exact: true }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Ja, slett' }).click();
    await waitFor(async () => (await outline(page)).length === 7, { message: 'the area to be gone' });
    assert.deepEqual(await outline(page), TEMPLATE);
    await page.getByText('Velg en del i innholdsfortegnelsen for å begynne å skrive.').waitFor();
    await context.close();
  });
});

describe('accessibility', () => {
  let server;
  let browser;
  useServerAndBrowser((s, b) => {
    server = s;
    browser = b;
  });

  it('has no WCAG 2.1 A/AA violations axe can find on the login page, the list, the plan page and the editor', async () => {
    const context = await newContext(browser, 'leader', { bypassCSP: true });
    const page = await context.newPage();
    await page.goto(server.url);
    await page.getByTestId('login-email').waitFor();
    assert.deepEqual(await axeViolations(page), [], 'login page');

    const { page: list } = await loginAs(server, browser, 'leader', { context });
    await list.getByRole('row', { name: /Temaplan om bolig/ }).waitFor();
    assert.deepEqual(await axeViolations(list), [], 'plan list');

    const plan = await api(server, 'leader', 'GET', `/api/plans/${DEMO_PLAN}`);
    await list.goto(server.url + sectionPath(DEMO_PLAN, plan.sections[0].id));
    await waitEditor(list);
    await list.getByTestId('phase-banner').waitFor();
    assert.deepEqual(await axeViolations(list), [], 'plan page with the editor');

    // Keyboard only: the skip link is the first stop and leads to the main content.
    await list.keyboard.press('Tab');
    assert.equal(await list.evaluate(() => document.activeElement?.className), 'skip-link');
    await context.close();
  });

  it('switches to nynorsk and back', async () => {
    const { context, page } = await loginAs(server, browser, 'reader');
    await page.getByRole('heading', { level: 1, name: 'Temaplaner' }).waitFor();
    await page.getByLabel('Språk').selectOption('nn');
    await page.getByRole('heading', { level: 1, name: 'Temaplanar' }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'nn');
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Temaplanar' }).waitFor();
    await page.getByLabel('Språk').selectOption('nb');
    await page.getByRole('heading', { level: 1, name: 'Temaplaner' }).waitFor();
    await context.close();
  });
});
