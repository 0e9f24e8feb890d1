// The plan list and plan creation, in bokmål: a first visit asks for a
// name, the list is empty on a fresh server, the form creates a plan, and
// the plan page shows exactly the template "Temaplan om bolig", and follows
// structure changes live.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { api, axeViolations, useServerAndBrowser, waitFor } from './harness.mjs';

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

  it('asks for a name, lists plans, creates a plan and shows the template outline in bokmål', async () => {
    const context = await browser.newContext({ locale: 'nb-NO' });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(server.url);

    // First visit: the name form.
    await page.getByRole('heading', { level: 1, name: 'Velkommen til Temaplan' }).waitFor();
    await page.getByRole('button', { name: 'Fortsett' }).click();
    await page.getByText('Skriv inn et navn.').waitFor();
    await page.getByLabel('Navnet ditt').fill('Kari Nordmann');
    await page.getByRole('button', { name: 'Fortsett' }).click();

    // The (empty) list.
    await page.getByRole('heading', { level: 1, name: 'Temaplaner' }).waitFor();
    await page.getByText('Det finnes ingen planer ennå.').waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'nb');
    await page.getByText('Du vises som Kari Nordmann').waitFor();
    await page.locator('.conn[data-state="open"]').waitFor();

    // Create a plan through the form.
    await page.getByLabel('Tittel', { exact: true }).fill('Boligplan for Bodø 2026–2030');
    await page.getByLabel('Kommune', { exact: true }).fill('Bodø');
    await page.getByLabel('Kommunedelplan').check();
    await page.getByRole('button', { name: 'Opprett plan' }).click();
    await page.waitForURL(/\/plans\/[^/]+$/);
    await page.getByRole('heading', { level: 1, name: 'Boligplan for Bodø 2026–2030' }).waitFor();
    await page.getByText('Bodø · Kommunedelplan · Utkast').waitFor();

    // Exactly the template, every section "Ikke påbegynt".
    await page.locator('nav.outline .outline-tree > ol').waitFor();
    assert.deepEqual(await outline(page), TEMPLATE);
    const statuses = await page.locator('nav.outline .status').allTextContents();
    assert.equal(statuses.length, 1 + 4 + 3 * 9 + 2);
    assert.ok(statuses.every((s) => s === 'Ikke påbegynt'), statuses.join(', '));

    // A deep link survives a reload (the server falls back to index.html).
    const planUrl = page.url();
    await page.reload();
    await page.locator('nav.outline .outline-tree > ol').waitFor();
    assert.deepEqual(await outline(page), TEMPLATE);

    // Structure changes by someone else show up live (plan events).
    const planId = planUrl.split('/').pop();
    const plan = await api(server.url, 'GET', `/api/plans/${planId}`);
    await page.locator('.conn[data-state="open"]').waitFor();
    await api(server.url, 'POST', `/api/plans/${planId}/sections`, { parent: '', index: 1, title: 'Sammendrag', kind: 'section', seq: plan.seq });
    await waitFor(async () => (await outline(page))?.[1]?.[0] === 'Sammendrag', { message: 'the new section in the outline' });
    const innledning = plan.sections[0].id;
    await api(server.url, 'PATCH', `/api/plans/${planId}/sections/${innledning}`, { status: 'in_progress', seq: plan.seq + 1 });
    await page.locator(`nav.outline li[data-section="${innledning}"] > a .status`, { hasText: 'Under arbeid' }).waitFor();

    // Back to the list: the plan is there with its phase in Norwegian.
    await page.getByRole('link', { name: 'Alle planer' }).first().click();
    const row = page.getByRole('row', { name: /Boligplan for Bodø/ });
    await row.waitFor();
    assert.match(await row.textContent(), /Bodø.*Kommunedelplan.*Utkast/);
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('adds, renames and deletes sections from the plan page', async () => {
    const plan = await api(server.url, 'POST', '/api/plans', { title: 'Strukturplan', municipality: 'Bodø', type: 'temaplan' });
    const context = await browser.newContext({ locale: 'nb-NO' });
    await context.addInitScript(() => localStorage.setItem('temaplan.name', 'Ola'));
    const page = await context.newPage();
    await page.goto(`${server.url}/plans/${plan.id}`);
    await page.locator('nav.outline .outline-tree > ol').waitFor();

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

  it('has no WCAG 2.1 A/AA violations axe can find on the list, the plan page and the editor', async () => {
    const plan = await api(server.url, 'POST', '/api/plans', { title: 'Tilgjengelig plan', municipality: 'Bodø', type: 'temaplan' });
    const context = await browser.newContext({ locale: 'nb-NO', bypassCSP: true });
    await context.addInitScript(() => localStorage.setItem('temaplan.name', 'Kari'));
    const page = await context.newPage();

    await page.goto(server.url);
    await page.getByRole('row', { name: /Tilgjengelig plan/ }).waitFor();
    assert.deepEqual(await axeViolations(page), [], 'plan list');

    await page.goto(`${server.url}/plans/${plan.id}/sections/${plan.sections[0].id}`);
    await page.locator('.ql-editor').waitFor();
    assert.deepEqual(await axeViolations(page), [], 'plan page with the editor');

    // Keyboard only: the skip link is the first stop and leads to the main content.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.className), 'skip-link');
    await context.close();
  });

  it('switches to nynorsk and back', async () => {
    const context = await browser.newContext({ locale: 'nb-NO' });
    await context.addInitScript(() => localStorage.setItem('temaplan.name', 'Kari'));
    const page = await context.newPage();
    await page.goto(server.url);
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

  it("has an accessible name form for a first-time visitor", async () => {
    const context = await browser.newContext({ locale: 'nb-NO', bypassCSP: true });
    const page = await context.newPage();
    await page.goto(server.url);
    await page.getByLabel('Navnet ditt').waitFor();
    assert.deepEqual(await axeViolations(page), [], 'name form');
    await context.close();
  });
});
