// The checks and the progress plan in the browser: a small count of
// families in the text is a privacy finding that stops the steering
// group's lock until the leader accepts it with a reason; the klarspråk
// marks lie on a long sentence in the editor; milestones show what is
// overdue; a review round sent to a member shows under «Til meg», is
// marked done there, and the leader sees who has answered.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { api, editingNewPlan, markBox, nb, textBoxes, useServerAndBrowser, userIds, waitFor, waitSaved } from './harness.mjs';

/** banner is the phase banner when it shows `phase`. */
const banner = (page, phase) => page.locator(`[data-testid="phase-banner"][data-phase="${phase}"]`);

/** alert is the plan page's error message showing `text`. */
const alert = (page, text) => page.locator('.page-plan p.error[role="alert"]', { hasText: text });

/** fill puts a message's placeholders in. */
const msg = (key, vars = {}) => nb[key].replace(/\{(\w+)\}/g, (_, k) => String(vars[k]));

/** tab opens one of the plan page's views from its tab. */
async function tab(page, name) {
  await page.locator(`[data-testid="plan-tabs"] a[data-tab="${name}"]`).click();
  await page.getByTestId(`view-${name}`).waitFor();
}

/** typeAtEnd types text at the end of the leader's editor and waits until it is saved. */
async function typeAtEnd(page, text) {
  await page.locator('.ql-editor').click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type(text);
  await waitSaved(page);
}

/** lockFromBanner asks to lock the plan from the steering group's page, confirming in the dialog. */
async function lockFromBanner(page) {
  await page.getByTestId('action-lock').click();
  await page.getByTestId('lock-dialog').waitFor();
  await page.getByTestId('lock-dialog-confirm').click();
}

/** isoDay returns the date `days` from now as YYYY-MM-DD (UTC is near enough a day away from the edges). */
const isoDay = (days) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

/**
 * markOn reports whether the first mark matching selector lies on `text`
 * in the page's editor: its first box starts where the text starts, on
 * the same line.
 */
async function markOn(page, selector, text) {
  const m = await markBox(page, selector);
  const t = m && (await textBoxes(page, text));
  // A mark may take the space before its first word along.
  return Boolean(t) && m.left > t.first.left - 8 && m.left < t.first.left + 2 && Math.abs(m.top - t.first.top) < 3;
}

describe('checks and progress', () => {
  let server;
  let browser;
  useServerAndBrowser((s, b) => {
    server = s;
    browser = b;
  });

  it('a privacy finding stops the lock until the leader accepts it with a reason', async () => {
    const { plan, users } = await editingNewPlan(server, browser, 'Personvern i praksis', ['leader', 'steering']);
    const [leader, steering] = users;
    try {
      await typeAtEnd(leader.page, 'Det bor 3 familier i kommunale boliger.');

      await tab(leader.page, 'personvern');
      const view = leader.page.getByTestId('view-personvern');
      await view.getByTestId('privacy-lock-note').filter({ hasText: nb['process.personvern.lockNote'] }).waitFor();
      const row = view.locator('[data-testid="privacy-open"] [data-testid="finding"]', { hasText: '3 familier' });
      await row.waitFor();
      assert.equal((await row.locator('td.num').textContent()).trim(), '3');
      await view.getByTestId('privacy-threshold').filter({ hasText: msg('process.privacy.threshold', { n: 5 }) }).waitFor();

      // «Vis i teksten» opens the section with the finding marked and selected.
      await row.getByTestId('finding-show').click();
      await leader.page.getByTestId('check-revealed').waitFor();
      await leader.page.locator('[data-testid="check-mark-privacy"]').waitFor();
      assert.equal(await leader.page.getByTestId('check-personvern').getAttribute('aria-pressed'), 'true');
      await waitFor(() => markOn(leader.page, '[data-testid="check-mark-privacy"]', '3 familier'), { message: 'the privacy mark on «3 familier»' });
      assert.equal(await leader.page.evaluate(() => document.getSelection().toString()), '3 familier');

      // The steering group may not lock while the finding is open.
      await lockFromBanner(steering.page);
      await alert(steering.page, nb['error.privacy_flags_open']).waitFor();
      assert.equal(await banner(steering.page, 'draft').count(), 1);

      // A threshold of 3 flags counts below 3 only: the finding goes, and comes back at 5.
      await tab(leader.page, 'personvern');
      const setThreshold = async (n) => {
        await view.getByTestId('threshold-edit').click();
        await view.getByTestId('threshold-input').fill(String(n));
        await view.getByTestId('threshold-save').click();
        await view.getByTestId('privacy-threshold').filter({ hasText: msg('process.privacy.threshold', { n }) }).waitFor();
      };
      await view.getByTestId('threshold-edit').click();
      await view.getByTestId('threshold-input').fill('tre');
      await view.getByTestId('threshold-save').click();
      await view.locator('.threshold-form [role="alert"]', { hasText: nb['process.privacy.thresholdInvalid'] }).waitFor();
      await view.getByRole('button', { name: nb['process.cancel'] }).click();
      await setThreshold(3);
      await view.getByTestId('privacy-summary').filter({ hasText: nb['process.privacy.noneOpen'] }).waitFor();
      await setThreshold(5);
      await view.locator('[data-testid="privacy-open"] [data-testid="finding"]', { hasText: '3 familier' }).waitFor();

      // The leader accepts it; a reason is required.
      await view.locator('[data-testid="privacy-open"] [data-testid="finding"]', { hasText: '3 familier' }).getByTestId('finding-accept').click();
      await leader.page.getByTestId('accept-finding').waitFor();
      await leader.page.getByTestId('accept-finding-confirm').click();
      await leader.page.getByTestId('accept-finding').locator('.field-error', { hasText: nb['process.privacy.reasonRequired'] }).waitFor();
      await leader.page.getByTestId('accept-finding-input').fill('Tallet er offentlig kjent fra kommunestyrets vedtak.');
      await leader.page.getByTestId('accept-finding-confirm').click();
      const accepted = view.locator('[data-testid="privacy-accepted"] [data-testid="finding"]', { hasText: '3 familier' });
      await accepted.waitFor();
      await accepted.filter({ hasText: 'offentlig kjent' }).waitFor();
      await view.getByTestId('privacy-summary').filter({ hasText: nb['process.privacy.noneOpen'] }).waitFor();
      const served = await api(server, 'leader', 'GET', `/api/plans/${plan.id}/privacy`);
      assert.equal(served.open, 0);

      // Now the lock goes through.
      await lockFromBanner(steering.page);
      await banner(steering.page, 'review').waitFor();
      await banner(leader.page, 'review').waitFor();
    } finally {
      for (const u of users) await u.context.close();
    }
  });

  it('the klarspråk marks lie on a long sentence, and the Klarspråk view counts it', async () => {
    const { users } = await editingNewPlan(server, browser, 'Klarspråk i praksis', ['leader']);
    const [leader] = users;
    const page = leader.page;
    try {
      const long =
        'Kommunen skal i planperioden arbeide for at flere innbyggere som i dag leier bolig på det private markedet, skal få mulighet til å kjøpe en egen bolig gjennom startlån, tilskudd og god veiledning fra boligkontoret.';
      assert.ok(long.split(/\s+/).length > 25);
      await typeAtEnd(page, `Kort innledning. ${long} Enda en kort setning.`);

      await page.getByTestId('check-klarsprak').click();
      assert.equal(await page.getByTestId('check-klarsprak').getAttribute('aria-pressed'), 'true');
      await page.locator('[data-testid="check-mark-sentence"]').waitFor();
      assert.equal(await page.locator('[data-testid="check-mark-sentence"]').count(), 1, 'one long sentence');
      await waitFor(() => markOn(page, '[data-testid="check-mark-sentence"]', 'Kommunen skal'), { message: 'the sentence mark on the long sentence' });
      const item = page.getByTestId('check-list').getByTestId('check-item').first();
      await item.filter({ hasText: 'Lang setning (' }).waitFor();

      // The marks follow the text while the leader types before it.
      await page.locator('.ql-editor').click();
      await page.keyboard.press('Control+Home');
      await page.keyboard.type('Ny start. ');
      await waitFor(() => markOn(page, '[data-testid="check-mark-sentence"]', 'Kommunen skal'), { message: 'the mark still on the long sentence' });
      await waitSaved(page);

      // Off again: no marks.
      await page.getByTestId('check-klarsprak').click();
      await waitFor(async () => (await page.locator('[data-testid="check-mark-sentence"]').count()) === 0, { message: 'the marks gone' });

      // The view: one long sentence in the first section, and its link turns the marks on.
      await tab(page, 'klarsprak');
      const view = page.getByTestId('view-klarsprak');
      await view.getByTestId('lix-plan-value').waitFor();
      const row = view.locator('[data-testid="lix-section"]').filter({ has: page.locator('td.has-issues') }).first();
      await row.waitFor();
      const cells = await row.locator('td').allTextContents();
      assert.equal(cells[4].trim(), '1', 'one long sentence');
      const bands = ['very_easy', 'easy', 'medium', 'difficult', 'very_difficult'].map((b) => nb[`process.lix.band.${b}`]);
      assert.ok(bands.includes(cells[1].trim()), `a band name: ${cells[1]}`);
      await row.getByTestId('lix-open').click();
      await page.locator('[data-testid="check-mark-sentence"]').waitFor();
      assert.equal(await page.getByTestId('check-klarsprak').getAttribute('aria-pressed'), 'true');
    } finally {
      await leader.context.close();
    }
  });

  it('milestones show what is overdue; a review round is answered under «Til meg»', async () => {
    const { plan, users } = await editingNewPlan(server, browser, 'Fremdrift i praksis', ['leader', 'member']);
    const [leader, member] = users;
    const ids = await userIds(server);
    try {
      let p = await api(server, 'leader', 'GET', `/api/plans/${plan.id}`);
      p = await api(server, 'leader', 'POST', `/api/plans/${plan.id}/milestones`, { seq: p.seq, title: 'Oppstartsmøte', date: isoDay(-10), responsible: ids.leader, status: 'in_progress' });
      p = await api(server, 'leader', 'POST', `/api/plans/${plan.id}/milestones`, { seq: p.seq, title: 'Høringsutkast klart', date: isoDay(60), responsible: 'steering', status: 'planned' });

      await tab(leader.page, 'fremdrift');
      const view = leader.page.getByTestId('view-fremdrift');
      const rows = view.locator('[data-testid="milestones"] [data-testid="milestone"]');
      await waitFor(async () => (await rows.count()) === 2, { message: 'two milestones' });
      assert.deepEqual(await rows.locator('th').allTextContents(), ['Oppstartsmøte', 'Høringsutkast klart'], 'sorted by date');
      const late = rows.filter({ hasText: 'Oppstartsmøte' });
      assert.equal(await late.getAttribute('data-overdue'), 'true');
      await late.getByTestId('milestone-overdue').filter({ hasText: nb['process.overdue'] }).waitFor();
      assert.ok((await late.textContent()).includes('Lene Leder'), 'the responsible person by name');
      const later = rows.filter({ hasText: 'Høringsutkast klart' });
      assert.equal(await later.getAttribute('data-overdue'), 'false');
      assert.ok((await later.textContent()).includes(nb['role.steering']), 'the responsible role by name');

      // Done is never overdue.
      await late.getByTestId('milestone-edit').click();
      await view.getByTestId('milestone-status').selectOption('done');
      await view.getByTestId('milestone-save').click();
      await waitFor(async () => (await late.getAttribute('data-overdue')) === 'false', { message: 'the done milestone not overdue' });
      assert.equal(await late.getByTestId('milestone-overdue').count(), 0);

      // The leader sends a round to the member.
      const deadline = isoDay(14);
      await view.getByTestId('round-new').click();
      await view.getByTestId('round-message').fill('Les gjennom innledningen før styringsgruppemøtet.');
      await view.locator(`[data-testid="round-recipient"][data-user="${ids.member}"]`).check();
      await view.getByTestId('round-deadline').fill(deadline);
      await view.getByTestId('round-send').click();
      const round = view.getByTestId('round').first();
      await round.waitFor();
      const memberRow = round.locator(`[data-testid="round-recipient-row"][data-user="${ids.member}"]`);
      assert.equal(await memberRow.getAttribute('data-answered'), 'false');

      // The member sees it under «Til meg» in the review panel, and marks it done.
      await member.page.getByTestId('filter-mine-mentions').click();
      const card = member.page.getByTestId('comments-panel').getByTestId('round-card');
      await card.waitFor();
      await card.filter({ hasText: 'Les gjennom innledningen' }).waitFor();
      const [y, m, d] = deadline.split('-').map(Number);
      const shown = new Intl.DateTimeFormat('nb-NO', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' }).format(new Date(Date.UTC(y, m - 1, d)));
      await card.filter({ hasText: msg('process.rounds.deadline', { date: shown }) }).waitFor();
      await card.getByTestId('round-comment').fill('Lest, ser bra ut.');
      await card.getByTestId('round-done').click();
      await waitFor(async () => (await member.page.getByTestId('comments-panel').getByTestId('round-card').count()) === 0, { message: 'the round gone from «Til meg»' });

      // The leader's page shows the answer without a reload.
      await waitFor(async () => (await memberRow.getAttribute('data-answered')) === 'true', { message: 'the answer on the leader\'s page' });
      await memberRow.filter({ hasText: 'Lest, ser bra ut.' }).waitFor();
      await round.locator('caption', { hasText: msg('process.rounds.progress', { answered: 1, total: 1 }) }).waitFor();

      // A second answer is refused.
      const r = (await api(server, 'member', 'GET', `/api/plans/${plan.id}`)).rounds[0];
      await assert.rejects(api(server, 'member', 'POST', `/api/plans/${plan.id}/rounds/${r.id}/done`, { comment: '' }), (e) => e.code === 'conflict');
    } finally {
      for (const u of users) await u.context.close();
    }
  });
});
