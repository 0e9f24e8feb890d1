// The administration, in bokmål, as the demo municipality's administrator:
// invite a person and give them a role in a plan, disable them (their open
// session ends), transfer a plan's leadership, archive a plan (read-only
// and out of the list), change the municipality's settings (new plans
// follow them); every admin page passes axe's WCAG 2.1 A/AA rules. The
// accessibility statement is linked from every page's footer and open to
// anybody; the administration is not.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ApiFailure,
  DEMO_PASSWORD,
  DEMO_PLAN,
  api,
  axeViolations,
  createPlan,
  loginAs,
  newContext,
  useServerAndBrowser,
  userIds,
  waitFor,
} from './harness.mjs';

const NEW_USER = { name: 'Nina Ny', email: 'nina.ny@demo.no', password: 'et langt nok startpassord' };

// The operator's feedback contact, which the statement links to; the
// server this file starts inherits it.
const CONTACT = 'postmottak@demo.no';
process.env.TEMAPLAN_ACCESSIBILITY_CONTACT = CONTACT;

/** status waits for the administration's status message. */
async function status(page, text) {
  await page.getByTestId('admin-status').filter({ hasText: text }).waitFor();
}

/** refusal returns the code an API call is refused with, or null when it succeeds. */
async function refusal(fn) {
  try {
    await fn();
    return null;
  } catch (err) {
    if (err instanceof ApiFailure) return err.code;
    throw err;
  }
}

describe('administration', () => {
  let server;
  let browser;
  useServerAndBrowser((s, b) => {
    server = s;
    browser = b;
  });

  it('lets the administrator invite, give roles to and disable a user, whose session ends', async () => {
    const context = await newContext(browser, 'admin', { bypassCSP: true });
    const { page } = await loginAs(server, browser, 'admin', { context });
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));

    // From the header to the administration, Brukere first.
    await page.getByTestId('nav-admin').click();
    await page.waitForURL(/\/admin$/);
    await page.getByRole('heading', { level: 1, name: 'Administrasjon' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Brukere' }).getAttribute('aria-current'), 'page');
    const table = page.getByRole('table', { name: 'Brukere i Demo kommune' });
    await table.waitFor();
    assert.equal(await table.locator('thead th[scope="col"]').count(), 6);
    await page.getByRole('row', { name: /Lene Leder/ }).getByText('Temaplan om bolig 2027–2030: Prosjektleder').waitFor();
    assert.deepEqual(await axeViolations(page), []);

    // Invite: a missing name is said, then the person is made.
    await page.getByTestId('invite-submit').click();
    await page.getByTestId('invite-error').filter({ hasText: 'Skriv inn navn og e-post.' }).waitFor();
    await page.getByLabel('Navn', { exact: true }).fill(NEW_USER.name);
    await page.getByLabel('E-post', { exact: true }).fill(NEW_USER.email);
    await page.getByLabel('Startpassord (valgfritt)').fill(NEW_USER.password);
    await page.getByTestId('invite-submit').click();
    await status(page, `${NEW_USER.name} er invitert.`);
    const row = page.locator(`tr[data-email="${NEW_USER.email}"]`);
    await row.waitFor();
    assert.match(await row.textContent(), /Nina Ny.*nina\.ny@demo\.no.*Ingen planer.*Nei.*Aktiv/);

    // A role in the demo plan, from the roles dialog.
    await row.getByRole('button', { name: `Endre roller (${NEW_USER.name})` }).click();
    const dialog = page.getByTestId('roles-dialog');
    await dialog.waitFor();
    await dialog.getByLabel('Plan').selectOption(DEMO_PLAN);
    await dialog.getByLabel('Leser').check();
    await dialog.getByTestId('roles-save').click();
    await status(page, 'Rollene til Nina Ny i «Temaplan om bolig 2027–2030» er lagret.');
    await row.getByText('Temaplan om bolig 2027–2030: Leser').waitFor();
    const nina = (await api(server, 'admin', 'GET', '/api/admin/users')).items.find((u) => u.email === NEW_USER.email);
    const plan = await api(server, 'admin', 'GET', `/api/plans/${DEMO_PLAN}`);
    assert.deepEqual(plan.members.find((m) => m.user === nina.id)?.roles, ['reader']);

    // Nina signs in elsewhere and reads the plan.
    const ninaContext = await newContext(browser, 'nina');
    const ninaPage = await ninaContext.newPage();
    await ninaPage.goto(server.url);
    await ninaPage.getByTestId('login-email').fill(NEW_USER.email);
    await ninaPage.getByTestId('login-password').fill(NEW_USER.password);
    await ninaPage.getByTestId('login-submit').click();
    await ninaPage.getByTestId('current-user').filter({ hasText: NEW_USER.name }).waitFor();
    await ninaPage.locator(`tr[data-plan="${DEMO_PLAN}"]`).waitFor();

    // Disable her, after a confirmation (cancel first: nothing happens).
    await row.getByRole('button', { name: `Deaktiver (${NEW_USER.name})` }).click();
    const confirm = page.getByTestId('confirm-disable');
    await confirm.getByRole('heading', { name: 'Deaktivere Nina Ny?' }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Avbryt', 'cancel has the focus');
    await page.keyboard.press('Escape');
    await confirm.waitFor({ state: 'detached' });
    assert.equal(await row.getAttribute('data-disabled'), 'false');
    await row.getByRole('button', { name: `Deaktiver (${NEW_USER.name})` }).click();
    await page.getByTestId('confirm-disable-confirm').click();
    await status(page, 'Nina Ny er deaktivert og logget ut.');
    await page.locator(`tr[data-email="${NEW_USER.email}"][data-disabled="true"]`).getByText('Deaktivert').waitFor();

    // Her open session is over: the next page load asks her to log in, and
    // her password no longer lets her in.
    await ninaPage.reload();
    await ninaPage.waitForURL(/\/logg-inn/);
    const login = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: NEW_USER.email, password: NEW_USER.password }),
    });
    assert.equal(login.status, 401);
    await ninaContext.close();

    // Enabled again, without a confirmation.
    await page.locator(`tr[data-email="${NEW_USER.email}"]`).getByRole('button', { name: `Aktiver (${NEW_USER.name})` }).click();
    await status(page, 'Nina Ny er aktivert igjen.');
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('lets the administrator transfer leadership and archive a plan, which becomes read-only and leaves the list', async () => {
    const ids = await userIds(server);
    const transfer = await createPlan(server, 'Overføringsplan');
    const old = await createPlan(server, 'Boligplan 2019–2022');
    const context = await newContext(browser, 'admin', { bypassCSP: true });
    const { page } = await loginAs(server, browser, 'admin', { context, path: '/admin/planer' });
    const table = page.getByRole('table', { name: /^Alle planer i Demo kommune per / });
    await table.waitFor();
    const row = (id) => page.locator(`tr[data-plan="${id}"]`);
    await row(DEMO_PLAN).waitFor();
    assert.match(await row(DEMO_PLAN).textContent(), /Temaplan om bolig 2027–2030.*Utkast.*Lene Leder/);
    assert.equal(await row(old.id).locator('th[scope="row"]').count(), 1);
    assert.deepEqual(await axeViolations(page), []);

    // Transfer the leadership to a member.
    await row(transfer.id).getByRole('button', { name: 'Overfør ledelse (Overføringsplan)' }).click();
    const choose = page.getByTestId('transfer-dialog');
    await choose.getByLabel('Ny prosjektleder').selectOption(ids.member);
    await choose.getByTestId('transfer-dialog-confirm').click();
    const confirm = page.getByTestId('confirm-transfer');
    await confirm.getByText('Mats Medlem blir prosjektleder for «Overføringsplan» og den eneste som kan skrive i planen. Lene Leder mister rollen som prosjektleder.').waitFor();
    await page.getByTestId('confirm-transfer-confirm').click();
    await status(page, 'Mats Medlem er nå prosjektleder for «Overføringsplan».');
    await row(transfer.id).getByText('Mats Medlem').waitFor();
    const sections = `/api/plans/${transfer.id}/sections`;
    assert.equal(await refusal(() => api(server, 'member', 'POST', sections, { title: 'Mats skriver' })), null);
    assert.equal(await refusal(() => api(server, 'leader', 'POST', sections, { title: 'Lene skriver' })), 'forbidden');

    // Archive the old plan, after a confirmation.
    await row(old.id).getByRole('button', { name: 'Arkiver (Boligplan 2019–2022)' }).click();
    await page.getByTestId('confirm-archive').getByRole('heading', { name: 'Arkivere «Boligplan 2019–2022»?' }).waitFor();
    await page.getByTestId('confirm-archive-confirm').click();
    await status(page, '«Boligplan 2019–2022» er arkivert.');
    await page.locator(`tr[data-plan="${old.id}"][data-archived="true"]`).getByText('Arkivert').waitFor();

    // Read-only for its leader, and out of everybody's list.
    assert.equal(await refusal(() => api(server, 'leader', 'POST', `/api/plans/${old.id}/sections`, { title: 'For sent' })), 'archived');
    const leader = await loginAs(server, browser, 'leader', { path: `/plans/${old.id}` });
    await leader.page.getByTestId('archived-notice').filter({ hasText: 'Planen er arkivert og kan bare leses.' }).waitFor();
    assert.equal(await leader.page.getByRole('button', { name: 'Nytt målområde' }).count(), 0);
    await leader.context.close();
    const listed = (await api(server, 'leader', 'GET', '/api/plans')).items.map((p) => p.id);
    assert.ok(!listed.includes(old.id) && listed.includes(DEMO_PLAN), listed.join());
    await page.getByRole('link', { name: 'Planer', exact: true }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Temaplaner' }).waitFor();
    await page.locator(`tr[data-plan="${DEMO_PLAN}"]`).waitFor();
    assert.equal(await page.locator(`tr[data-plan="${old.id}"]`).count(), 0);

    // Restored, it is back.
    await page.goto(`${server.url}/admin/planer`);
    await row(old.id).getByRole('button', { name: 'Hent fram (Boligplan 2019–2022)' }).click();
    await status(page, '«Boligplan 2019–2022» er hentet fram igjen.');
    assert.equal(await refusal(() => api(server, 'leader', 'POST', `/api/plans/${old.id}/sections`, { title: 'Igjen' })), null);
    await context.close();
  });

  it('lets the administrator change the municipality’s settings, which new plans follow', async () => {
    const context = await newContext(browser, 'admin', { bypassCSP: true });
    const { page } = await loginAs(server, browser, 'admin', { context, path: '/admin/innstillinger' });
    await page.getByRole('heading', { level: 2, name: 'Innstillinger for Demo kommune' }).waitFor();
    const threshold = page.getByLabel('Terskel for personvern');
    assert.equal(await threshold.inputValue(), '5');
    assert.equal(await page.getByLabel('Høringsfrist (uker)').inputValue(), '6');
    // No provider on this server: SSO cannot be turned on, and says why.
    assert.ok(await page.getByLabel('Kommunens påloggingstjeneste (SSO)').isDisabled());
    await page.getByText('Påloggingstjeneste er ikke satt opp på denne serveren.').waitFor();
    assert.deepEqual(await axeViolations(page), []);

    // Every login method off is refused in the form, field by field.
    await page.getByLabel('E-post og passord').uncheck();
    await threshold.fill('0');
    await page.getByTestId('settings-save').click();
    await page.getByTestId('settings-error').filter({ hasText: 'Rett opp feilene i skjemaet.' }).waitFor();
    await page.getByText('Minst én innloggingsmåte må være slått på.').waitFor();
    await page.getByText('Terskelen må være et helt tall fra 1 til 100.').waitFor();
    assert.equal(await page.getByLabel('E-post og passord').getAttribute('aria-invalid'), 'true');
    assert.equal((await api(server, 'admin', 'GET', '/api/admin/municipality')).settings.privacy_threshold, 5);

    // A good change is saved.
    await page.getByLabel('E-post og passord').check();
    await threshold.fill('3');
    await page.getByLabel('Høringsfrist (uker)').fill('8');
    await page.getByLabel('E-postdomener for SSO').fill('Demo.no\n@demo.no\nkommune.demo.no');
    assert.equal(await page.getByLabel('Målform på de offentlige sidene').inputValue(), 'nb');
    await page.getByLabel('Målform på de offentlige sidene').selectOption('nn');
    await page.getByTestId('settings-save').click();
    await status(page, 'Innstillingene er lagret.');
    assert.equal(await page.getByLabel('E-postdomener for SSO').inputValue(), 'demo.no\nkommune.demo.no');
    const m = await api(server, 'admin', 'GET', '/api/admin/municipality');
    assert.deepEqual(m.settings, { login_methods: ['password'], email_domains: ['demo.no', 'kommune.demo.no'], privacy_threshold: 3, hearing_weeks: 8, language: 'nn' });
    const plan = await api(server, 'admin', 'POST', '/api/plans', { title: 'Etter innstillingene' });
    assert.equal(plan.privacy_threshold, 3);

    // The server refuses what the form would: passwords off without SSO.
    assert.equal(await refusal(() => api(server, 'admin', 'PUT', '/api/admin/municipality', { login_methods: ['oidc'] })), 'oidc_not_configured');
    assert.equal(await refusal(() => api(server, 'admin', 'PUT', '/api/admin/municipality', { login_methods: [] })), 'no_login_method');
    await context.close();
  });

  it('keeps the administration to administrators', async () => {
    const { context, page } = await loginAs(server, browser, 'leader', { path: '/admin' });
    await page.getByRole('heading', { level: 1, name: 'Fant ikke siden' }).waitFor();
    assert.equal(await page.getByTestId('nav-admin').count(), 0);
    for (const [method, p] of [['GET', '/api/admin/plans'], ['GET', '/api/admin/municipality'], ['POST', `/api/plans/${DEMO_PLAN}/archive`]]) {
      assert.equal(await refusal(() => api(server, 'leader', method, p, method === 'POST' ? {} : undefined)), 'forbidden', p);
    }
    await context.close();
  });

  it('shows the accessibility statement to anybody, from the footer of every page', async () => {
    const context = await newContext(browser, 'visitor', { bypassCSP: true });
    const page = await context.newPage();
    await page.goto(server.url);
    await page.waitForURL(/\/logg-inn$/);
    await page.getByRole('contentinfo').getByRole('link', { name: 'Tilgjengelighetserklæring' }).click();
    await page.waitForURL(/\/tilgjengelighet$/);
    await page.getByRole('heading', { level: 1, name: 'Tilgjengelighetserklæring for Temaplan' }).waitFor();
    const text = await page.getByTestId('a11y-statement').textContent();
    for (const part of ['WCAG 2.1', 'Kjente avvik', 'Tilbakemelding og kontakt', 'Klage', 'Erklæringen ble sist oppdatert']) {
      assert.ok(text.includes(part), `the statement lacks «${part}»`);
    }
    assert.equal(await page.getByTestId('a11y-complaint').getAttribute('href'), 'https://www.uutilsynet.no/');
    const contact = page.getByTestId('a11y-contact').getByRole('link', { name: CONTACT });
    await contact.waitFor();
    assert.equal(await contact.getAttribute('href'), `mailto:${CONTACT}`);
    assert.deepEqual(await axeViolations(page), []);
    // A reload of the statement stays there (no login asked).
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Tilgjengelighetserklæring for Temaplan' }).waitFor();
    assert.match(page.url(), /\/tilgjengelighet$/);

    // In nynorsk, from a signed-in page's footer.
    await page.goto(server.url);
    await page.getByTestId('login-email').fill('reader@demo.no');
    await page.getByTestId('login-password').fill(DEMO_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('current-user').waitFor();
    await page.getByLabel('Språk').selectOption('nn');
    await page.getByTestId('footer-a11y').click();
    await page.getByRole('heading', { level: 1, name: 'Tilgjengeerklæring for Temaplan' }).waitFor();
    await waitFor(async () => (await page.getByTestId('a11y-statement').textContent()).includes('Erklæringa vart sist oppdatert'), {
      message: 'the statement in nynorsk',
    });
    await context.close();
  });
});
