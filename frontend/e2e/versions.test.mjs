// Named versions in the browser: the leader writes, freezes "Utkast 1"
// in Versjoner (a name the process keeps for itself is refused at once),
// rewrites the text and raises a measure's costs; the comparison of
// "Utkast 1" with now shows the words inserted (<ins>, "+") and deleted
// (<del>, "−"), the measure's costs before and after, and the notice that
// the change is substantial. "Gjenopprett denne delen", after a
// confirmation, brings the old text back as a new edit of the leader's;
// the history keeps the rewrite. A reader sees the versions and the
// comparison, but neither freezes nor restores. The view passes axe.
// SHOTS=1 saves a screenshot to /tmp/shots/versions.png.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { api, axeViolations, createPlan, editorText, loginAs, nb, openSection, serverText, useServerAndBrowser, userIds, waitFor, waitSaved } from './harness.mjs';

/** msg fills a message's placeholders in. */
const msg = (key, vars = {}) => nb[key].replace(/\{(\w+)\}/g, (_, k) => String(vars[k]));

/** versionsPath is the Versjoner view of a plan. */
const versionsPath = (plan) => `/plans/${plan}/versjoner`;

/** firstTargetArea returns the plan's first section of kind target_area. */
function firstTargetArea(sections) {
  for (const s of sections) {
    if (s.kind === 'target_area') return s;
    const inner = firstTargetArea(s.children ?? []);
    if (inner) return inner;
  }
  return null;
}

const FIRST = 'Kommunen skal bygge 20 nye boliger for unge.';
const REWRITE = 'Kommunen skal kjøpe 30 nye boliger for unge og eldre.';

describe('versions', () => {
  let server;
  let browser;
  useServerAndBrowser((s, b) => {
    server = s;
    browser = b;
  });

  it('the leader freezes a version, edits, compares it with now and restores a section; a reader only reads', async () => {
    const plan = await createPlan(server, 'Boligplan med versjoner');
    const section = plan.sections[0].id;
    const area = firstTargetArea(plan.sections);
    const { goal } = await api(server, 'leader', 'POST', `/api/plans/${plan.id}/goals`, { seq: 0, target_area: area.id, title: 'Flere boliger for unge' });
    const { measure } = await api(server, 'leader', 'POST', `/api/plans/${plan.id}/measures`, {
      seq: 0,
      target_area: area.id,
      title: 'Startlån til unge',
      goals: [goal.id],
      costs: [{ year: plan.period.from, investment: 1_500_000, operating: 250_000 }],
    });

    // The leader writes the first text.
    const leader = await loginAs(server, browser, 'leader', { contextOptions: { bypassCSP: true } });
    const page = leader.page;
    await openSection(page, server, plan.id, section);
    await page.locator('.ql-editor').click();
    await page.keyboard.type(FIRST);
    await waitSaved(page);
    assert.equal(await serverText(server, plan.id, section), `${FIRST}\n`);

    // Versjoner: no versions yet; a reserved name is refused at once, then "Utkast 1".
    await page.getByTestId('plan-tabs').getByRole('link', { name: nb['views.versjoner'] }).click();
    const view = page.getByTestId('view-versjoner');
    await view.waitFor();
    await view.getByTestId('versions-none').waitFor();
    const name = view.getByLabel(nb['versions.freeze.label']);
    await name.fill('Høringsutkast');
    await view.getByTestId('version-freeze-submit').click();
    await view.getByText(nb['versions.freeze.reserved']).waitFor();
    assert.equal(await name.getAttribute('aria-invalid'), 'true');
    await name.fill('Utkast 1');
    await view.getByTestId('version-freeze-submit').click();
    await view.locator('[data-testid="version"][data-name="Utkast 1"]').waitFor();
    await page.getByText(msg('versions.freeze.done', { name: 'Utkast 1' })).first().waitFor();
    const versions = await api(server, 'reader', 'GET', `/api/plans/${plan.id}/versions`);
    assert.deepEqual(versions.items.map((v) => [v.name, v.by_name]), [['Utkast 1', 'Lene Leder']]);

    // The leader rewrites the text, and the measure costs more.
    await openSection(page, server, plan.id, section);
    await page.locator('.ql-editor').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type(REWRITE);
    await waitSaved(page);
    assert.equal(await editorText(page), `${REWRITE}\n`);
    const now = await api(server, 'leader', 'GET', `/api/plans/${plan.id}`);
    await api(server, 'leader', 'PATCH', `/api/plans/${plan.id}/measures/${measure.id}`, {
      seq: now.seq,
      costs: [{ year: plan.period.from, investment: 2_000_000, operating: 250_000 }],
    });

    // The comparison of "Utkast 1" with now opens by itself.
    await page.goto(server.url + versionsPath(plan.id));
    const result = page.getByTestId('diff-result');
    const card = result.locator(`[data-testid="diff-section"][data-section="${section}"]`);
    await card.waitFor();
    assert.equal(await page.getByTestId('diff-from').inputValue(), String(versions.items[0].seq));
    assert.equal(await page.getByTestId('diff-to').inputValue(), 'now');
    await result.getByText(msg('versions.diff.heading', { from: 'Utkast 1', to: nb['versions.now'] })).waitFor();
    assert.equal(await card.getAttribute('data-change'), 'changed');
    assert.equal(await card.getAttribute('data-substantial'), 'true');
    const ins = await card.locator('ins.diff-ins').allTextContents();
    const del = await card.locator('del.diff-del').allTextContents();
    const joined = (xs) => xs.join(' ');
    assert.match(joined(ins), /kjøpe/);
    assert.match(joined(ins), /30/);
    assert.match(joined(ins), /og eldre/);
    assert.match(joined(del), /bygge/);
    assert.match(joined(del), /20/);
    // Not by colour alone: a visible mark in each, and the words for screen readers.
    for (const el of await card.locator('ins.diff-ins').all()) {
      assert.equal(await el.locator('.diff-mark').textContent(), '+');
      assert.equal(await el.locator('.visually-hidden').textContent(), nb['versions.diff.insertedSr']);
    }
    for (const el of await card.locator('del.diff-del').all()) {
      assert.equal(await el.locator('.diff-mark').textContent(), '−');
    }
    const decoration = await card.locator('del.diff-del').first().evaluate((el) => getComputedStyle(el).textDecorationLine);
    assert.equal(decoration, 'line-through');
    assert.equal(await card.locator('ins.diff-ins').first().evaluate((el) => getComputedStyle(el).textDecorationLine), 'underline');
    // The notice for the steering group, and the measure's costs before and after.
    const notice = result.getByTestId('diff-substantial');
    await notice.waitFor();
    assert.match(await notice.textContent(), new RegExp(nb['versions.reason.sections']));
    assert.match(await notice.textContent(), new RegExp(nb['versions.reason.measures']));
    const row = result.locator(`[data-testid="diff-measure"][data-measure="${measure.id}"]`);
    await row.waitFor();
    const nok = (n) => new Intl.NumberFormat('nb-NO', { maximumFractionDigits: 0 }).format(n);
    assert.match(await row.textContent(), new RegExp(`${nok(1_750_000)} kr`));
    assert.match(await row.textContent(), new RegExp(`${nok(2_250_000)} kr`));
    assert.match(await result.getByTestId('diff-costs-total').textContent(), new RegExp(`${nok(2_250_000)} kr`));

    const violations = await axeViolations(page);
    assert.deepEqual(violations, [], 'axe finds nothing on the comparison');
    if (process.env.SHOTS) {
      mkdirSync('/tmp/shots', { recursive: true });
      await page.screenshot({ path: '/tmp/shots/versions.png', fullPage: true });
    }

    // A reader sees the same, but neither freezes nor restores.
    const reader = await loginAs(server, browser, 'reader', { path: versionsPath(plan.id) });
    const readerCard = reader.page.locator(`[data-testid="diff-section"][data-section="${section}"]`);
    await readerCard.waitFor();
    assert.equal(await reader.page.getByTestId('version-freeze').isVisible(), false, 'no freeze form for a reader');
    assert.equal(await readerCard.getByTestId('diff-restore').count(), 0, 'no restore for a reader');
    await reader.context.close();

    // "Gjenopprett denne delen": cancelled first, then confirmed.
    await card.getByTestId('diff-restore').click();
    const dialog = page.getByTestId('restore-dialog');
    await dialog.waitFor();
    await dialog.getByText(msg('versions.restore.text', { title: plan.sections[0].title, version: 'Utkast 1' })).waitFor();
    await dialog.getByTestId('restore-dialog-cancel').click();
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await serverText(server, plan.id, section), `${REWRITE}\n`, 'a cancelled restore changes nothing');
    await card.getByTestId('diff-restore').click();
    await page.getByTestId('restore-dialog-confirm').click();
    await page.getByText(msg('versions.restore.done', { title: plan.sections[0].title, version: 'Utkast 1' })).first().waitFor();
    await waitFor(async () => (await serverText(server, plan.id, section)) === `${FIRST}\n`, { message: 'the restored text' });
    // The text is the version's again: no section differs, the measure still does.
    await result.getByTestId('diff-nothing').waitFor();
    await result.locator(`[data-testid="diff-measure"][data-measure="${measure.id}"]`).waitFor();

    // A new edit of the leader's: the newest in the history; the rewrite stays in it.
    const ids = await userIds(server);
    const history = await api(server, 'reader', 'GET', `/api/plans/${plan.id}/sections/${section}/history`);
    assert.equal(history.items[0].by, ids.leader);
    assert.ok(history.items[0].inserted > 0 && history.items[0].deleted > 0, 'the restore replaced text');
    const ops = history.items.reduce((n, g) => n + g.ops, 0);
    assert.ok(ops >= 3, `the history keeps every edit (${ops} ops)`);

    // The editor shows the restored text.
    await openSection(page, server, plan.id, section);
    assert.equal(await editorText(page), `${FIRST}\n`);
    await leader.context.close();
  });
});
