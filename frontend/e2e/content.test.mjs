// Structured content in the browser: the leader adds a measure with costs
// for two years in the Tiltak view (an end year before the start year is
// refused in the form, and nothing is saved); finance sees the totals in
// the Økonomi view and signs off with a comment; when the leader changes a
// cost, finance's page shows at once — by the plan's event, no reload —
// that the sign-off no longer holds. The measure shows live as a block in
// the text, and says so once it is deleted; the Oversikt lists every
// section and lets the leader set a status. SHOTS=1 saves a screenshot of
// the Økonomi page to /tmp/shots/economics.png.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { api, axeViolations, createPlan, loginAs, nb, sectionPath, useServerAndBrowser, waitEditor, waitFor, waitSaved } from './harness.mjs';

/** msg fills a message's placeholders. */
const msg = (key, vars = {}) => nb[key].replace(/\{(\w+)\}/g, (_, k) => vars[k]);

/** text is an element's text with every kind of space made one plain space. */
const text = async (locator) => (await locator.textContent()).replace(/\s+/g, ' ').trim();

/** kr writes whole kroner as the page does (Norwegian thousand groups). */
const kr = (n) => new Intl.NumberFormat('nb-NO').format(n).replace(/\s/g, ' ');

/** plan fetches a plan as the leader sees it. */
const getPlan = (server, id) => api(server, 'leader', 'GET', `/api/plans/${id}`);

/** firstArea returns the first target area of a plan, and its action part's "Tiltak" section. */
function firstArea(plan) {
  const area = plan.sections.find((s) => s.kind === 'target_area');
  const action = area.children.find((s) => s.kind === 'action');
  const tiltak = action.children.find((s) => s.title === 'Tiltak') ?? action;
  return { area, tiltak };
}

describe('structured content', () => {
  let server;
  let browser;
  useServerAndBrowser((s, b) => {
    server = s;
    browser = b;
  });

  it('a measure with costs, its totals signed off by finance, and the sign-off lapsing live when a cost changes', async () => {
    const created = await createPlan(server, 'Boligplan med tiltak');
    const plan = await getPlan(server, created.id);
    const { from } = plan.period;
    const { area } = firstArea(plan);

    // The leader opens Tiltak from the tabs.
    const leader = await loginAs(server, browser, 'leader', { path: `/plans/${plan.id}` });
    const tabs = leader.page.getByRole('navigation', { name: nb['views.nav'] });
    await tabs.getByRole('link', { name: nb['views.tiltak'] }).click();
    await leader.page.getByTestId('view-tiltak').waitFor();
    assert.equal(new URL(leader.page.url()).pathname, `/plans/${plan.id}/tiltak`);
    assert.equal(await tabs.getByRole('link', { name: nb['views.tiltak'] }).getAttribute('aria-current'), 'page');

    const areaEl = leader.page.locator(`[data-testid="area"][data-area="${area.id}"]`);
    await areaEl.getByTestId('add-measure').click();
    const form = leader.page.getByTestId('measure-form');
    await form.waitFor();
    await form.getByTestId('measure-title').fill('Startlån til unge');
    await form.getByLabel(nb['content.field.unit']).fill('Boligkontoret');
    await form.getByTestId('measure-priority').selectOption('high');

    // An end year before the start year is refused in the form, and nothing is sent.
    await form.getByTestId('measure-start').selectOption(String(from + 1));
    await form.getByTestId('measure-end').selectOption(String(from));
    await form.getByTestId('measure-form-save').click();
    const error = form.getByTestId('measure-form-error');
    await waitFor(async () => (await text(error)).includes(msg('content.invalid.endBeforeStart', { start: from + 1 })), { message: 'the end-year error' });
    assert.equal(await error.getAttribute('role'), 'alert');
    assert.equal(await form.getByTestId('measure-end').getAttribute('aria-invalid'), 'true');
    assert.ok(await form.isVisible(), 'the form stays open');
    assert.deepEqual((await getPlan(server, plan.id)).measures ?? [], [], 'nothing was saved');

    // Two years, with costs in whole kroner (spaces between the thousands).
    await form.getByTestId('measure-start').selectOption(String(from));
    await form.getByTestId('measure-end').selectOption(String(from + 1));
    await form.getByTestId(`cost-investment-${from}`).fill('1 500 000');
    await form.getByTestId(`cost-operating-${from}`).fill('250 000');
    await form.getByTestId(`cost-operating-${from + 1}`).fill('500000');
    assert.equal(await text(form.getByTestId('cost-sum-total')), kr(2_250_000));
    await form.getByTestId('measure-form-save').click();
    await form.waitFor({ state: 'detached' });

    const row = areaEl.getByTestId('measure-row');
    await row.waitFor();
    assert.equal(await text(row.getByTestId('measure-total')), kr(2_250_000));
    const saved = (await getPlan(server, plan.id)).measures;
    assert.equal(saved.length, 1);
    assert.deepEqual(
      { title: saved[0].title, unit: saved[0].unit, priority: saved[0].priority, start: saved[0].start_year, end: saved[0].end_year, costs: saved[0].costs },
      {
        title: 'Startlån til unge',
        unit: 'Boligkontoret',
        priority: 'high',
        start: from,
        end: from + 1,
        costs: [
          { year: from, investment: 1_500_000, operating: 250_000 },
          { year: from + 1, investment: 0, operating: 500_000 },
        ],
      },
    );

    // Finance sees the totals in Økonomi.
    const finance = await loginAs(server, browser, 'finance', { path: `/plans/${plan.id}/okonomi` });
    const view = finance.page.getByTestId('view-okonomi');
    const total = view.getByTestId('economics-total');
    await total.waitFor();
    const cell = (id) => text(total.getByTestId(id));
    assert.equal(await cell(`${from}-investment`), kr(1_500_000));
    assert.equal(await cell(`${from}-operating`), kr(250_000));
    assert.equal(await cell(`${from}-total`), kr(1_750_000));
    assert.equal(await cell(`${from + 1}-total`), kr(500_000));
    assert.equal(await cell(`${from + 2}-total`), kr(0));
    assert.equal(await cell('sum-investment'), kr(1_500_000));
    assert.equal(await cell('sum-operating'), kr(750_000));
    assert.equal(await cell('sum-total'), kr(2_250_000));
    assert.ok(await total.locator('caption').isVisible());
    const chart = view.getByTestId('economics-chart');
    assert.equal(await chart.getAttribute('role'), 'img');
    assert.equal(await chart.locator(`g.bar[data-year="${from}"] rect.investment`).count(), 1);

    // She signs off with a comment (required).
    const status = view.getByTestId('signoff-status');
    assert.equal(await status.getAttribute('data-state'), 'none');
    assert.equal(await status.getAttribute('role'), 'status');
    await view.getByTestId('signoff-submit').click();
    assert.equal(await text(view.getByTestId('signoff-error')), nb['content.signoff.commentRequired']);
    await view.getByTestId('signoff-comment').fill('Kostnadene er i tråd med økonomiplanen.');
    await view.getByTestId('signoff-submit').click();
    await view.locator('[data-testid="signoff-status"][data-state="signed"]').waitFor();
    assert.match(await text(status), new RegExp(`^${msg('content.signoff.signed', { name: 'Frida Økonomi', date: '' }).trim()}`));
    assert.equal((await getPlan(server, plan.id)).economics_signoff?.lapsed, false);

    // The leader changes one cost …
    await row.getByTestId('edit').click();
    const edit = leader.page.getByTestId('measure-form');
    await edit.waitFor();
    assert.equal(await edit.getByTestId(`cost-operating-${from + 1}`).inputValue(), '500000');
    await edit.getByTestId(`cost-operating-${from + 1}`).fill('600 000');
    await edit.getByTestId('measure-form-save').click();
    await edit.waitFor({ state: 'detached' });
    await waitFor(async () => (await text(row.getByTestId('measure-total'))) === kr(2_350_000), { message: 'the new total in Tiltak' });

    // … and finance's page says at once that the sign-off no longer holds.
    await view.locator('[data-testid="signoff-status"][data-state="lapsed"]').waitFor({ timeout: 10_000 });
    assert.equal(await finance.page.evaluate(() => performance.getEntriesByType('navigation').length), 1, 'no reload');
    assert.ok((await text(status)).startsWith(msg('content.signoff.lapsed', { date: '' }).trim()));
    await waitFor(async () => (await cell('sum-total')) === kr(2_350_000), { message: 'the new total in Økonomi' });
    await finance.page.getByTestId('signoff-lapsed-badge').waitFor();

    if (process.env.SHOTS === '1') {
      mkdirSync('/tmp/shots', { recursive: true });
      await finance.page.setViewportSize({ width: 1280, height: 1400 });
      await finance.page.screenshot({ path: '/tmp/shots/economics.png', fullPage: true });
    }

    // Signing again makes it hold again.
    await view.getByTestId('signoff-comment').fill('Sett over på nytt.');
    await view.getByTestId('signoff-submit').click();
    await view.locator('[data-testid="signoff-status"][data-state="signed"]').waitFor();
    await finance.page.getByTestId('signoff-lapsed-badge').waitFor({ state: 'detached' });

    await leader.context.close();
    await finance.context.close();
  });

  it('shows a measure live as a block in the text, and says so when it is deleted', async () => {
    const created = await createPlan(server, 'Boligplan med tiltak i teksten');
    let plan = await getPlan(server, created.id);
    const { area, tiltak } = firstArea(plan);
    const { from } = plan.period;
    plan = await api(server, 'leader', 'POST', `/api/plans/${plan.id}/measures`, {
      seq: 0,
      target_area: area.id,
      title: 'Housing First-team',
      description: '',
      goals: [],
      unit: 'NAV',
      start_year: from,
      end_year: from + 1,
      priority: 'high',
      target_group: 'Bostedsløse',
      status: 'planned',
      costs: [{ year: from, investment: 0, operating: 2_400_000 }],
    });
    const measure = plan.measure ?? plan.measures.find((m) => m.title === 'Housing First-team');

    const leader = await loginAs(server, browser, 'leader', { path: sectionPath(plan.id, tiltak.id) });
    await waitEditor(leader.page);
    await leader.page.locator('.ql-editor').click();
    await leader.page.keyboard.type('Tiltakene i målområdet:');
    await leader.page.getByLabel(nb['content.insert.label']).selectOption(measure.id);
    await leader.page.getByTestId('insert-measure').click();
    const block = (page) => page.locator(`.ql-editor [data-testid="measure-embed"][data-measure="${measure.id}"]`);
    await block(leader.page).locator('caption').filter({ hasText: 'Housing First-team' }).waitFor();
    await waitSaved(leader.page);
    const content = await api(server, 'leader', 'GET', `/api/plans/${plan.id}/sections/${tiltak.id}/content`);
    assert.ok(
      content.data.ops.some((op) => op.insert?.measure === measure.id),
      'the document holds the measure by id',
    );

    // A reader sees it too, with its costs; a changed title shows in both, and nothing is sent as a change of the text.
    const reader = await loginAs(server, browser, 'reader', { path: sectionPath(plan.id, tiltak.id) });
    await waitEditor(reader.page, { editable: false });
    await block(reader.page).locator('caption').filter({ hasText: 'Housing First-team' }).waitFor();
    assert.ok((await text(block(reader.page))).includes(kr(2_400_000)));
    const v = content.v;
    await api(server, 'leader', 'PATCH', `/api/plans/${plan.id}/measures/${measure.id}`, { seq: 0, title: 'Housing First-team (utvidet)' });
    await block(reader.page).locator('caption').filter({ hasText: 'Housing First-team (utvidet)' }).waitFor();
    await block(leader.page).locator('caption').filter({ hasText: 'Housing First-team (utvidet)' }).waitFor();
    await waitSaved(leader.page);
    assert.equal((await api(server, 'leader', 'GET', `/api/plans/${plan.id}/sections/${tiltak.id}/content`)).v, v, 'drawing the block changed no text');

    // Deleted: the block says so.
    await api(server, 'leader', 'DELETE', `/api/plans/${plan.id}/measures/${measure.id}?seq=0`);
    await block(reader.page).filter({ hasText: nb['content.embed.deleted'] }).waitFor();
    await block(leader.page).filter({ hasText: nb['content.embed.deleted'] }).waitFor();

    await leader.context.close();
    await reader.context.close();
  });

  it('lists every section in Oversikt, where the leader sets a status and others see it', async () => {
    const created = await createPlan(server, 'Boligplan i oversikt');
    const plan = await getPlan(server, created.id);
    const first = plan.sections[0];
    let count = 0;
    const walk = (list) => list.forEach((s) => (count++, walk(s.children ?? [])));
    walk(plan.sections);

    const leader = await loginAs(server, browser, 'leader', { path: `/plans/${plan.id}/oversikt` });
    const member = await loginAs(server, browser, 'member', { path: `/plans/${plan.id}/oversikt`, contextOptions: { bypassCSP: true } });
    await leader.page.getByTestId('view-oversikt').waitFor();
    await member.page.getByTestId('view-oversikt').waitFor();
    assert.equal(await leader.page.getByTestId('overview-row').count(), count);
    const counts = (page) => page.locator('[data-testid="status-counts"] li[data-status="in_progress"] .count');
    assert.equal(await text(counts(member.page)), '0');
    assert.equal(await member.page.getByTestId('overview-status').count(), 0, 'only the leader sets a status here');
    assert.deepEqual(await axeViolations(member.page), [], 'Oversikt meets WCAG 2.1 AA');

    await leader.page.getByLabel(msg('content.overview.statusOf', { title: first.title })).selectOption('in_progress');
    await member.page.locator(`[data-testid="overview-row"][data-section="${first.id}"][data-status="in_progress"]`).waitFor();
    assert.equal(await text(counts(member.page)), '1');
    await waitFor(async () => (await getPlan(server, plan.id)).sections[0].status === 'in_progress', { message: 'the status saved' });

    // A section's link leads to its text, and the Tekst tab back to it.
    await member.page.locator(`[data-testid="overview-row"][data-section="${first.id}"] a`).click();
    await waitEditor(member.page, { editable: false });
    assert.equal(new URL(member.page.url()).pathname, sectionPath(plan.id, first.id));
    await member.page.getByRole('navigation', { name: nb['views.nav'] }).getByRole('link', { name: nb['views.okonomi'] }).click();
    await member.page.getByTestId('view-okonomi').waitFor();
    assert.equal(await member.page.getByTestId('signoff-submit').isVisible(), false, 'only finance signs off');
    await member.page.getByTestId('economics-total').waitFor();
    assert.deepEqual(await axeViolations(member.page), [], 'Økonomi meets WCAG 2.1 AA');
    await member.page.getByRole('navigation', { name: nb['views.nav'] }).getByRole('link', { name: nb['views.tiltak'] }).click();
    await member.page.getByTestId('view-tiltak').waitFor();
    assert.equal(await member.page.getByTestId('add-measure').count(), 0, 'only the leader adds measures');
    assert.deepEqual(await axeViolations(member.page), [], 'Tiltak meets WCAG 2.1 AA');
    await member.page.getByRole('navigation', { name: nb['views.nav'] }).getByRole('link', { name: nb['views.tekst'] }).click();
    await waitEditor(member.page, { editable: false });
    assert.equal(new URL(member.page.url()).pathname, sectionPath(plan.id, first.id));

    await leader.context.close();
    await member.context.close();
  });
});
