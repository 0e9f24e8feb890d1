// The scorecard (Målekort) in the browser: the leader adds an indicator
// to a goal (the form says what is wrong beside the field), reports a
// value that is clearly on track and then one clearly off track, and the
// traffic light says so in words; the chart has one dot per report. A
// reader sees the same, live, and no forms. A change that meets someone
// else's is refused as a conflict and goes through on the second try
// without undoing the other change. SHOTS=1 saves a screenshot
// to /tmp/shots/scorecard.png.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { api, axeViolations, createPlan, loginAs, nb, useServerAndBrowser, waitFor } from './harness.mjs';

/** msg fills a message's placeholders in. */
const msg = (key, vars = {}) => nb[key].replace(/\{(\w+)\}/g, (_, k) => String(vars[k]));

/** scorecardPath is the Målekort view of a plan. */
const scorecardPath = (plan) => `/plans/${plan}/malekort`;

/** num writes a number as the UI does (nb-NO, at most `digits` decimals). */
const num = (n, digits = 6) => new Intl.NumberFormat('nb-NO', { maximumFractionDigits: digits }).format(n);

/** withUnit writes a value with its unit as the UI does. */
const withUnit = (n, unit, digits) => `${num(n, digits)}\u00a0${unit}`;

/** firstTargetArea returns the plan's first section of kind target_area. */
function firstTargetArea(sections) {
  for (const s of sections) {
    if (s.kind === 'target_area') return s;
    const inner = firstTargetArea(s.children ?? []);
    if (inner) return inner;
  }
  return null;
}

// The expected values, by hand from the rule of docs/content.md. The
// baseline 10 (2025) sits on 1 July 2025 = 2025 + 181/365, the target 30
// (2030) on 31 December 2030 = 2030 + 364/365, 5 + 183/365 years later.
// The tolerance is 10 % of 30 − 10 = 2.
const SPAN = 5 + 183 / 365;
// 1 July 2028 (a leap year) = 2028 + 182/366.
const EXPECTED_2028 = 10 + (20 * (3 + 182 / 366 - 181 / 365)) / SPAN; // ≈ 20.91: 25 is clearly on track
// 1 July 2029 = 2029 + 181/365.
const EXPECTED_2029 = 10 + (20 * 4) / SPAN; // ≈ 24.54: 12,5 is clearly off track

describe('scorecard', () => {
  let server;
  let browser;
  useServerAndBrowser((s, b) => {
    server = s;
    browser = b;
  });

  it('the leader adds an indicator and reports values; the traffic light, the expected value and the chart follow; a reader only reads', async () => {
    assert.ok(25 - EXPECTED_2028 > 2, 'on track by a margin');
    assert.ok(EXPECTED_2029 - 12.5 > 2 + 5, 'off track by a margin');

    const plan = await createPlan(server, 'Boligplan med målekort');
    const area = firstTargetArea(plan.sections);
    assert.ok(area, 'the template has target areas');
    const { goal } = await api(server, 'leader', 'POST', `/api/plans/${plan.id}/goals`, {
      seq: 0,
      target_area: area.id,
      title: 'Flere utleieboliger for unge',
      description: '',
    });

    const leader = await loginAs(server, browser, 'leader', { path: scorecardPath(plan.id) });
    const page = leader.page;
    const view = page.getByTestId('view-malekort');
    await view.waitFor();
    // The other target areas have no goals yet: the view says where goals are made.
    assert.ok((await page.getByTestId('scorecard-no-goals').count()) >= 1);
    await page.getByTestId('scorecard-no-goals').first().getByRole('link', { name: nb['scorecard.toMeasures'] }).waitFor();

    // A new indicator for the goal; first with a target year before the baseline.
    const goalEl = page.locator(`[data-testid="scorecard-goal"][data-goal-id="${goal.id}"]`);
    await goalEl.getByTestId('indicator-add').click();
    const form = page.getByTestId('indicator-form');
    await form.waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'indicator-goal', 'the focus is in the form');
    await form.getByLabel(nb['scorecard.form.name'], { exact: true }).fill('Utleieboliger for unge');
    await form.getByTestId('indicator-definition').fill('Kommunalt disponerte utleieboliger tildelt personer under 35 år');
    await form.getByTestId('indicator-unit').fill('antall');
    await form.getByTestId('indicator-baseline-value').fill('10');
    await form.getByTestId('indicator-baseline-year').fill('2025');
    await form.getByLabel(msg('scorecard.form.targetYear', { n: 1 }), { exact: true }).fill('2024');
    await form.getByLabel(msg('scorecard.form.targetValue', { n: 1 }), { exact: true }).fill('30');
    await form.getByTestId('indicator-source').fill('Boligkontorets fagsystem');
    await form.getByTestId('indicator-frequency').selectOption('half_yearly');
    await form.getByTestId('indicator-responsible').fill('Boligkontoret');
    await form.getByTestId('indicator-form-save').click();
    await form.getByText(msg('scorecard.invalid.targetAfter', { year: 2025 })).waitFor();
    await form.getByTestId('indicator-form-error').filter({ hasText: nb['scorecard.form.invalid'] }).waitFor();
    assert.equal(await form.getByTestId('indicator-target-year').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'indicator-target-year', 'the wrong field has the focus');
    await form.getByTestId('indicator-target-year').fill('2030');
    await form.getByTestId('indicator-form-save').click();
    await form.waitFor({ state: 'detached' });

    const card = page.locator('[data-testid="indicator"]', { hasText: 'Utleieboliger for unge' });
    await card.waitFor();
    const status = card.getByTestId('indicator-status');
    await status.filter({ hasText: nb['scorecard.status.no_data'] }).waitFor();
    assert.equal(await status.getAttribute('data-status'), 'no_data');
    await card.getByText(nb['scorecard.freq.half_yearly']).waitFor();
    await card.getByText(msg('scorecard.baselineValue', { value: withUnit(10, 'antall'), year: 2025 })).waitFor();
    const saved = await api(server, 'leader', 'GET', `/api/plans/${plan.id}`);
    const ind = saved.indicators.find((i) => i.name === 'Utleieboliger for unge');
    assert.ok(ind, 'the server has the indicator');
    assert.equal(ind.goal, goal.id);
    assert.deepEqual(ind.baseline, { value: 10, year: 2025 });
    assert.deepEqual(ind.targets, [{ year: 2030, value: 30 }]);
    assert.equal(ind.frequency, 'half_yearly');

    // A value clearly on track: 25 on 1 July 2028, where ≈ 20.91 is expected.
    await card.getByTestId('indicator-report').click();
    const report = page.getByTestId('report-form');
    await report.waitFor();
    await report.getByTestId('report-date').fill('2028-07-01');
    await report.getByTestId('report-value').fill('25');
    await report.getByTestId('report-note').fill('Tall fra fagsystemet');
    await report.getByTestId('report-form-save').click();
    await report.waitFor({ state: 'detached' });
    await status.filter({ hasText: nb['scorecard.status.on_track'] }).waitFor();
    assert.equal(await status.getAttribute('data-status'), 'on_track');
    await card
      .getByTestId('indicator-latest')
      .filter({ hasText: msg('scorecard.latest', { value: withUnit(25, 'antall'), date: '01.07.2028', expected: withUnit(EXPECTED_2028, 'antall', 2) }) })
      .waitFor();
    assert.equal(await card.locator('[data-testid="indicator-chart"] [data-testid="chart-report"]').count(), 1);

    // A reader follows along.
    const reader = await loginAs(server, browser, 'reader', { path: scorecardPath(plan.id), contextOptions: { bypassCSP: true } });
    const rcard = reader.page.locator('[data-testid="indicator"]', { hasText: 'Utleieboliger for unge' });
    await rcard.getByTestId('indicator-status').filter({ hasText: nb['scorecard.status.on_track'] }).waitFor();
    await rcard.locator('.chart-data summary').click();
    await rcard.getByTestId('chart-table').waitFor();

    // A value clearly off track, with a decimal comma: 12,5 on 1 July 2029, where ≈ 24.54 is expected.
    await card.getByTestId('indicator-report').click();
    await report.waitFor();
    await report.getByTestId('report-date').fill('2029-07-01');
    await report.getByTestId('report-value').fill('12,5');
    await report.getByTestId('report-form-save').click();
    await report.waitFor({ state: 'detached' });
    await status.filter({ hasText: nb['scorecard.status.off_track'] }).waitFor();
    assert.equal(await status.getAttribute('data-status'), 'off_track');
    await card
      .getByTestId('indicator-latest')
      .filter({ hasText: msg('scorecard.latest', { value: withUnit(12.5, 'antall'), date: '01.07.2029', expected: withUnit(EXPECTED_2029, 'antall', 2) }) })
      .waitFor();
    const chart = card.getByTestId('indicator-chart');
    assert.equal(await chart.getAttribute('role'), 'img');
    assert.match(await chart.getAttribute('aria-label'), /Utleieboliger for unge/);
    assert.equal(await chart.locator('[data-testid="chart-report"]').count(), 2, 'one dot per report');
    assert.equal(await card.getByTestId('indicator-report-row').count(), 2);
    await card.getByTestId('indicator-reports').getByText('12,5\u00a0antall').waitFor();
    const after = await api(server, 'reader', 'GET', `/api/plans/${plan.id}`);
    const served = after.indicators.find((i) => i.id === ind.id);
    assert.equal(served.status, 'off_track', 'the server computed the same light');
    assert.deepEqual(
      served.reports.map((r) => [r.date, r.value]),
      [
        ['2028-07-01', 25],
        ['2029-07-01', 12.5],
      ],
    );

    // The reader saw the change come in, and has no forms or buttons to change anything.
    await rcard.getByTestId('indicator-status').filter({ hasText: nb['scorecard.status.off_track'] }).waitFor();
    await waitFor(async () => (await rcard.locator('[data-testid="chart-report"]').count()) === 2, { message: 'two dots for the reader' });
    assert.ok(await rcard.getByTestId('chart-table').isVisible(), 'the table the reader opened stays open');
    await rcard.getByTestId('chart-table').getByText('12,5\u00a0antall').waitFor();
    const rview = reader.page.getByTestId('view-malekort');
    for (const testid of ['indicator-add', 'indicator-report', 'indicator-edit', 'indicator-delete', 'indicator-form', 'report-form']) {
      assert.equal(await rview.getByTestId(testid).count(), 0, `no ${testid} for a reader`);
    }
    assert.equal(await rview.locator('form, input, textarea, select').count(), 0, 'nothing to fill in');
    const violations = await axeViolations(reader.page);
    assert.deepEqual(violations, [], 'the scorecard passes axe (WCAG 2.1 A/AA)');

    if (process.env.SHOTS === '1') {
      mkdirSync('/tmp/shots', { recursive: true });
      await card.scrollIntoViewIfNeeded();
      await page.screenshot({ path: '/tmp/shots/scorecard.png', fullPage: true });
    }

    // The leader adds a target while someone else changes the indicator: the
    // save is refused as a conflict, the view shows the newest, and a second
    // try sends only what the leader changed, so the other change stays.
    await card.getByTestId('indicator-edit').click();
    const edit = page.getByTestId('indicator-form');
    await edit.waitFor();
    assert.equal(await edit.getByTestId('indicator-baseline-value').inputValue(), '10');
    assert.equal(await edit.getByTestId('indicator-frequency').inputValue(), 'half_yearly');
    await api(server, 'leader', 'PATCH', `/api/plans/${plan.id}/indicators/${ind.id}`, { seq: 0, responsible: 'Bolig- og eiendomsenheten' });
    await card.getByText('Bolig- og eiendomsenheten').waitFor();
    await edit.getByTestId('indicator-add-target').click();
    await edit.getByLabel(msg('scorecard.form.targetYear', { n: 2 }), { exact: true }).fill('2027');
    await edit.getByLabel(msg('scorecard.form.targetValue', { n: 2 }), { exact: true }).fill('17,5');
    await edit.getByTestId('indicator-form-save').click();
    await edit.getByTestId('indicator-form-error').filter({ hasText: nb['scorecard.conflict'] }).waitFor();
    await edit.getByTestId('indicator-form-save').click();
    await edit.waitFor({ state: 'detached' });
    await card.getByText(msg('scorecard.targetItem', { value: withUnit(17.5, 'antall'), year: 2027 })).waitFor();
    const edited = (await api(server, 'leader', 'GET', `/api/plans/${plan.id}`)).indicators.find((i) => i.id === ind.id);
    assert.deepEqual(
      edited.targets.map((x) => [x.year, x.value]),
      [
        [2027, 17.5],
        [2030, 30],
      ],
    );
    assert.equal(edited.responsible, 'Bolig- og eiendomsenheten', 'the other change stays');
    assert.equal(edited.name, 'Utleieboliger for unge');

    // The leader deletes it again (after confirming).
    await card.getByTestId('indicator-delete').click();
    await page.getByTestId('indicator-delete-dialog-confirm').click();
    await card.waitFor({ state: 'detached' });
    await page.locator('.notice', { hasText: msg('scorecard.deleted', { name: 'Utleieboliger for unge' }) }).waitFor();
    const gone = await api(server, 'leader', 'GET', `/api/plans/${plan.id}`);
    assert.equal(gone.indicators.length, 0);
    await rcard.waitFor({ state: 'detached' });

    await reader.context.close();
    await leader.context.close();
  });
});
