// The whole Fase 1 story in the browser, as one test: the administrator
// creates a plan and adds its people, the leader writes in two sections, a
// member comments and suggests, the leader accepts, finance signs off the
// economics, a privacy finding is fixed in the text, the leader submits,
// the steering group locks (the leader's editor turns read-only), marks a
// required change and returns the draft, the leader makes the change, and
// the steering group and political leadership approve: every page shows
// "Godkjent for høring". Each person signs in through the login page in a
// browser context of their own, and every step goes through the UI. A
// full-page screenshot of each step goes to
// test-results/screenshots/story-NN-<step>.png.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DEMO_USERS, api, axeViolations, createPlan, editorText, frontendDir, loginAs, mouseSelect, nb, serverText, useServerAndBrowser, userIds, waitEditor, waitFor, waitSaved } from './harness.mjs';

const SHOTS = path.join(frontendDir, 'test-results', 'screenshots');

/** banner is the phase banner when it shows `phase`. */
const banner = (page, phase) => page.locator(`[data-testid="phase-banner"][data-phase="${phase}"]`);

/** alert is the plan page's error message showing `text`. */
const alert = (page, text) => page.locator('.page-plan p.error[role="alert"]', { hasText: text });

/** threadCard is the card of a thread in the comments panel. */
const threadCard = (page, id) => page.locator(`[data-testid="thread"][data-thread-id="${id}"]`);

/** msg fills a message's placeholders in. */
const msg = (key, vars = {}) => nb[key].replace(/\{(\w+)\}/g, (_, k) => String(vars[k]));

/** tab opens one of the plan page's views from its tab. */
async function tab(page, name) {
  await page.locator(`[data-testid="plan-tabs"] a[data-tab="${name}"]`).click();
  await page.getByTestId(`view-${name}`).waitFor();
}

/** openFromOutline opens a section from the plan page's outline, by its title. */
async function openFromOutline(page, title, { editable }) {
  await page.locator('nav.outline a', { has: page.locator('.title', { hasText: new RegExp(`^${title}$`) }) }).click();
  await page.getByRole('heading', { level: 2, name: title }).waitFor();
  await waitEditor(page, { editable });
}

/** openPlanFromList opens the plan from the plan list (the page the login leads to). */
async function openPlanFromList(page, title) {
  await page.getByRole('heading', { level: 1, name: nb['plans.heading'] }).waitFor();
  await page.getByRole('row', { name: new RegExp(title) }).getByRole('link', { name: title }).click();
  await page.getByRole('heading', { level: 1, name: title }).waitFor();
  await page.locator('nav.outline .outline-tree > ol').waitFor();
}

/**
 * listTasks goes to the plan list from the header and returns the row of
 * the plan once its deadline and tasks are in: the kinds of the user's
 * tasks (data-tasks) and the row.
 */
async function listTasks(page, planId) {
  await page.getByRole('link', { name: 'Planer', exact: true }).first().click();
  const row = page.locator(`tr[data-plan="${planId}"]`);
  await row.locator('td.tasks:not([aria-busy])').waitFor();
  return { tasks: (await row.getAttribute('data-tasks')) ?? '', row };
}

/** typeAtEnd types text at the end of the leader's editor and waits until it is saved. */
async function typeAtEnd(page, text) {
  await page.locator('.ql-editor').click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type(text);
  await waitSaved(page);
}

/** comment comments on `text` from the page and returns the new thread's id. */
async function comment(page, text, body) {
  await mouseSelect(page, text);
  await page.getByTestId('comment-button').click();
  assert.equal(await page.getByTestId('composer-quote').textContent(), text);
  await page.getByTestId('comment-input').fill(body);
  await page.getByTestId('comment-submit').click();
  await page.getByTestId('comment-composer').waitFor({ state: 'detached' });
  const card = page.getByTestId('thread').filter({ has: page.getByTestId('thread-body').filter({ hasText: body }) });
  await card.waitFor();
  return card.getAttribute('data-thread-id');
}

/** lock locks the plan from the steering group's page, confirming in the dialog. */
async function lockFromBanner(page) {
  await page.getByTestId('action-lock').click();
  await page.getByTestId('lock-dialog').waitFor();
  await page.getByTestId('lock-dialog-confirm').click();
}

describe('the Fase 1 story', () => {
  let server;
  let browser;
  useServerAndBrowser((s, b) => {
    server = s;
    browser = b;
  });

  it('from a new plan to «Godkjent for høring», every step through the UI of the person who takes it', async () => {
    mkdirSync(SHOTS, { recursive: true });
    // Only this run's steps in the folder (a step added or removed renumbers the rest).
    for (const f of readdirSync(SHOTS)) if (/^story-(\d\d|failed)-.*\.png$/.test(f)) rmSync(path.join(SHOTS, f));
    let step = 0;
    const shot = async (page, name) => {
      step++;
      await page.screenshot({ path: path.join(SHOTS, `story-${String(step).padStart(2, '0')}-${name}.png`), fullPage: true });
    };
    const title = 'Boligplan for fortellingen 2027–2030';
    const people = [];
    const sign = async (who, to = '/') => {
      const u = await loginAs(server, browser, who, { path: to });
      people.push(u);
      return u;
    };
    try {
      // 1. The administrator creates the plan with Lene Leder as its leader …
      const admin = await sign('admin', '/admin/planer');
      await admin.page.getByTestId('new-plan-title').fill(title);
      await admin.page.getByTestId('new-plan-leader').selectOption({ label: DEMO_USERS.leader.name });
      await admin.page.getByTestId('new-plan-submit').click();
      const row = admin.page.getByTestId('plans-overview').getByRole('row', { name: new RegExp(title) });
      await row.waitFor();
      assert.match(await row.textContent(), /Lene Leder/);
      const planId = await row.getAttribute('data-plan');
      assert.ok(planId, 'the new plan has a row with its id');
      await shot(admin.page, 'admin-creates-plan');

      // … and adds the plan's people by e-mail under Medlemmer.
      await admin.page.getByRole('link', { name: 'Planer', exact: true }).first().click();
      await openPlanFromList(admin.page, title);
      await tab(admin.page, 'medlemmer');
      const members = admin.page.getByTestId('view-medlemmer');
      const ids = await userIds(server);
      const add = members.getByTestId('member-add-form');
      for (const role of ['member', 'finance', 'steering', 'political']) {
        await add.getByTestId('member-add-email').fill(DEMO_USERS[role].email);
        // Exactly this role (the form keeps the boxes of the last addition).
        for (const r of ['member', 'finance', 'reader', 'steering', 'political']) await add.getByTestId(`member-add-role-${r}`).setChecked(r === role);
        await add.getByTestId('member-add-submit').click();
        await members.locator(`[data-testid="member-row"][data-user="${ids[role]}"]`).getByTestId('member-roles').filter({ hasText: nb[`role.${role}`] }).waitFor();
      }
      assert.equal(await members.getByTestId('member-row').count(), 5);
      const served = await api(server, 'admin', 'GET', `/api/plans/${planId}`);
      for (const role of ['leader', 'member', 'finance', 'steering', 'political']) {
        assert.deepEqual(served.members.find((m) => m.user === ids[role])?.roles, [role], `${role} has exactly that role`);
      }
      await shot(admin.page, 'admin-adds-members');

      // 2. The leader finds the plan in her list and writes in two sections.
      const leader = await sign('leader');
      await openPlanFromList(leader.page, title);
      await banner(leader.page, 'draft').waitFor();
      await openFromOutline(leader.page, 'Innledning', { editable: true });
      const intro = 'Kommunen skal bygge 100 nye boliger innen 2030. Behovet er størst for eldre.';
      await typeAtEnd(leader.page, intro);
      await openFromOutline(leader.page, 'Nasjonale føringer', { editable: true });
      await typeAtEnd(leader.page, 'Staten krever en boligsosial plan. Det bor 3 familier i midlertidige boliger.');
      const plan = await api(server, 'admin', 'GET', `/api/plans/${planId}`);
      const [innledning, foringer] = [plan.sections[0], plan.sections[1].children[0]];
      assert.equal(innledning.title, 'Innledning');
      assert.equal(foringer.title, 'Nasjonale føringer');
      assert.equal(await serverText(server, planId, innledning.id), `${intro}\n`);
      await shot(leader.page, 'leader-writes');

      // 3. A member reads the introduction, comments on it and suggests a change.
      const member = await sign('member');
      await openPlanFromList(member.page, title);
      await openFromOutline(member.page, 'Innledning', { editable: false });
      await waitFor(async () => (await editorText(member.page)) === `${intro}\n`, { message: 'the member to see the text' });
      const question = await comment(member.page, 'størst for eldre', 'Har vi tall for dette?');
      await mouseSelect(member.page, '100');
      await member.page.getByTestId('suggest-button').click();
      await member.page.getByTestId('suggestion-input').fill('150');
      await member.page.getByTestId('suggestion-submit').click();
      await member.page.getByTestId('suggestion-composer').waitFor({ state: 'detached' });
      const suggestion = await member.page.getByTestId('suggestion').getAttribute('data-suggestion-id');
      await shot(member.page, 'member-comments-and-suggests');

      // 4. The leader sees both live, answers the question and accepts the suggestion.
      await openFromOutline(leader.page, 'Innledning', { editable: true });
      const card = threadCard(leader.page, question);
      await card.waitFor();
      await card.getByTestId('reply-input').fill('Ja, fra SSB 2024.');
      await card.getByTestId('reply-submit').click();
      await card.getByTestId('reply-body').filter({ hasText: 'Ja, fra SSB 2024.' }).waitFor();
      await card.getByTestId('resolve-thread').click();
      await card.waitFor({ state: 'detached' }); // resolved: gone from «Åpne»
      await leader.page.locator(`[data-testid="suggestion"][data-suggestion-id="${suggestion}"]`).getByTestId('accept-suggestion').click();
      const accepted = intro.replace('100', '150');
      for (const u of [leader, member]) await waitFor(async () => (await editorText(u.page)) === `${accepted}\n`, { message: `${u.who} to show the accepted text` });
      await waitFor(async () => (await serverText(server, planId, innledning.id)) === `${accepted}\n`, { message: 'the accepted text on the server' });
      await threadCard(member.page, question).getByTestId('reply-body').filter({ hasText: 'Ja, fra SSB 2024.' }).waitFor({ state: 'detached' });
      await shot(leader.page, 'leader-accepts');

      // 5. Finance signs off the economics in Økonomi.
      const finance = await sign('finance');
      let list = await listTasks(finance.page, planId);
      assert.equal(list.tasks, 'signoff', "finance's list asks for the sign-off");
      await list.row.getByRole('link', { name: nb['plans.tasks.signoff'] }).click();
      const okonomi = finance.page.getByTestId('view-okonomi');
      await okonomi.waitFor();
      await okonomi.getByTestId('signoff-comment').fill('Ingen tiltak med kostnader ennå; i tråd med økonomiplanen.');
      await okonomi.getByTestId('signoff-submit').click();
      await okonomi.locator('[data-testid="signoff-status"][data-state="signed"]').waitFor();
      assert.match(await okonomi.getByTestId('signoff-status').textContent(), /Frida Økonomi/);
      await shot(finance.page, 'finance-signs-off');

      // 6. The privacy finding: the steering group cannot lock while it is
      // open; the leader finds it under Personvern, opens it in the text
      // and rewrites it, and the finding is gone.
      const steering = await sign('steering');
      await openPlanFromList(steering.page, title);
      await lockFromBanner(steering.page);
      await alert(steering.page, nb['error.privacy_flags_open']).waitFor();
      await banner(steering.page, 'draft').waitFor();
      list = await listTasks(leader.page, planId);
      assert.equal(list.tasks, 'privacy', "the leader's list names the privacy finding");
      await shot(leader.page, 'leader-list-tasks');
      await list.row.getByRole('link', { name: msg('plans.tasks.privacy', { n: 1 }) }).click();
      const personvern = leader.page.getByTestId('view-personvern');
      const finding = personvern.locator('[data-testid="privacy-open"] [data-testid="finding"]', { hasText: '3 familier' });
      await finding.waitFor();
      await shot(leader.page, 'privacy-finding');
      await finding.getByTestId('finding-show').click();
      await leader.page.getByTestId('check-revealed').waitFor();
      await leader.page.getByRole('heading', { level: 2, name: 'Nasjonale føringer' }).waitFor();
      assert.equal(await leader.page.evaluate(() => document.getSelection().toString()), '3 familier');
      await leader.page.keyboard.type('noen familier');
      await waitSaved(leader.page);
      await waitFor(async () => (await serverText(server, planId, foringer.id)).includes('noen familier i midlertidige'), { message: 'the rewritten text on the server' });
      await tab(leader.page, 'personvern');
      await personvern.getByTestId('privacy-summary').filter({ hasText: nb['process.privacy.noneOpen'] }).waitFor();
      assert.equal((await api(server, 'leader', 'GET', `/api/plans/${planId}/privacy`)).open, 0);
      await shot(leader.page, 'privacy-fixed');

      // 7. The leader submits the draft; the steering group sees it.
      await leader.page.getByTestId('action-submit').click();
      await leader.page.locator('[data-testid="phase-banner"][data-submitted="true"] [data-testid="submitted"]').waitFor();
      await steering.page.locator('[data-testid="phase-banner"][data-submitted="true"] [data-testid="submitted"]').waitFor();
      await shot(leader.page, 'leader-submits');

      // 8. The steering group locks: the leader's editor turns read-only at once.
      list = await listTasks(steering.page, planId);
      assert.equal(list.tasks, 'lock', "the steering group's list asks for the lock of the submitted draft");
      await list.row.getByRole('link', { name: nb['plans.tasks.lock'] }).click();
      await banner(steering.page, 'draft').getByTestId('action-lock').waitFor();
      await openFromOutline(leader.page, 'Innledning', { editable: true });
      await leader.page.evaluate(() => (window.e2eSamePage = true));
      await lockFromBanner(steering.page);
      await banner(steering.page, 'review').waitFor();
      await banner(leader.page, 'review').waitFor();
      await leader.page.locator('.editor[data-readonly="true"] .ql-editor[contenteditable="false"]').waitFor();
      await leader.page.getByTestId('readonly-reason').filter({ hasText: nb['banner.readOnlyPhase'] }).waitFor();
      assert.equal(await leader.page.evaluate(() => window.e2eSamePage), true, "the leader's page was not reloaded");
      await leader.page.locator('.ql-editor').click({ force: true });
      await leader.page.keyboard.type('låst');
      assert.equal(await editorText(leader.page), `${accepted}\n`, 'the leader cannot type in the locked plan');
      await shot(leader.page, 'steering-locks');

      // 9. The steering group marks a required change and returns the draft.
      await openFromOutline(steering.page, 'Innledning', { editable: false });
      const required = await comment(steering.page, 'innen 2030', 'Tallfest årlig byggetakt.');
      await threadCard(steering.page, required).getByTestId('require-change').click();
      await steering.page.locator(`[data-testid="thread"][data-thread-id="${required}"][data-required="true"]`).getByTestId('required-badge').waitFor();
      await steering.page.getByTestId('action-return').click();
      await steering.page.getByTestId('return-dialog-input').fill('Se endringskravet i innledningen.');
      await steering.page.getByTestId('return-dialog-confirm').click();
      await banner(steering.page, 'draft').waitFor();
      await shot(steering.page, 'steering-requires-and-returns');

      // 10. The leader sees the required change in her banner, follows it
      // to the thread, makes the change and marks it done; the steering
      // group resolves it.
      await banner(leader.page, 'draft').waitFor();
      list = await listTasks(leader.page, planId);
      assert.equal(list.tasks, 'requirements', "the leader's list names the required change");
      await list.row.getByRole('link', { name: msg('plans.tasks.requirements', { n: 1 }) }).click();
      const link = leader.page.getByTestId('banner-requirements').locator(`[data-testid="requirement-link"][data-thread-id="${required}"]`);
      await link.waitFor();
      assert.match(await leader.page.getByTestId('banner-requirements').textContent(), /innen 2030/);
      await link.click();
      await leader.page.locator(`[data-testid="thread"][data-thread-id="${required}"][data-active="true"][data-required="true"]`).waitFor();
      await waitEditor(leader.page);
      await typeAtEnd(leader.page, ' Vi bygger 40 boliger i året.');
      await threadCard(leader.page, required).getByTestId('mark-done').click();
      await leader.page.locator(`[data-testid="thread"][data-thread-id="${required}"][data-done="true"]`).waitFor();
      await shot(leader.page, 'leader-fixes');
      await steering.page.locator(`[data-testid="banner-requirements"] li[data-thread-id="${required}"][data-done="true"]`).waitFor();
      await threadCard(steering.page, required).getByTestId('resolve-thread').click();
      await steering.page.getByTestId('banner-requirements').waitFor({ state: 'detached' });
      await leader.page.getByTestId('banner-requirements').waitFor({ state: 'detached' });

      // 11. Submitted and locked again; political leadership and the steering group approve.
      await leader.page.getByTestId('action-submit').click();
      await steering.page.locator('[data-testid="phase-banner"][data-submitted="true"] [data-testid="submitted"]').waitFor();
      await lockFromBanner(steering.page);
      await banner(leader.page, 'review').waitFor();
      await leader.page.locator('.editor[data-readonly="true"]').waitFor();
      const political = await sign('political');
      list = await listTasks(political.page, planId);
      assert.equal(list.tasks, 'approve', "political leadership's list asks for the approval");
      await list.row.getByRole('link', { name: nb['plans.tasks.approve'] }).click();
      await banner(political.page, 'review').getByTestId('action-approve').click();
      await political.page.locator('[data-testid="approvals"] li[data-role="political"][data-approved="true"]').waitFor();
      await shot(political.page, 'political-approves');
      await steering.page.locator('[data-testid="approvals"] li[data-role="political"][data-approved="true"]').waitFor();
      await steering.page.getByTestId('action-approve').click();

      // Every person's page says «Godkjent for høring», without a reload.
      for (const u of people) {
        const b = banner(u.page, 'approved');
        await b.waitFor();
        assert.equal((await b.locator('.phase-name .phase').textContent()).trim(), nb['phase.approved'], `${u.who} sees «${nb['phase.approved']}»`);
      }
      assert.equal(nb['phase.approved'], 'Godkjent for høring');
      assert.equal(await leader.page.locator('.editor').getAttribute('data-readonly'), 'true');
      assert.equal(await serverText(server, planId, innledning.id), `${accepted} Vi bygger 40 boliger i året.\n`);
      const final = await api(server, 'admin', 'GET', `/api/plans/${planId}`);
      assert.equal(final.phase, 'approved');
      assert.equal(final.economics_signoff?.lapsed, false, "finance's sign-off still holds");
      for (const u of people) await shot(u.page, `approved-${u.who}`);
    } catch (err) {
      // What each person saw when it went wrong.
      for (const u of people) await u.page.screenshot({ path: path.join(SHOTS, `story-failed-${u.who}.png`), fullPage: true }).catch(() => {});
      throw err;
    } finally {
      for (const u of people) await u.context.close();
    }
  });

  it("the plan list shows each plan's next deadline and what it asks of the signed-in person, as links to where it is done", async () => {
    const plan = await createPlan(server, 'Fristplanen');
    const ids = await userIds(server);
    const day = (n) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
    let p = await api(server, 'leader', 'GET', `/api/plans/${plan.id}`);
    p = await api(server, 'leader', 'POST', `/api/plans/${plan.id}/milestones`, { seq: p.seq, title: 'Oppstart', date: day(-20), responsible: ids.leader, status: 'done' });
    p = await api(server, 'leader', 'POST', `/api/plans/${plan.id}/milestones`, { seq: p.seq, title: 'Utkast til styringsgruppen', date: day(30), responsible: 'steering', status: 'planned' });
    p = await api(server, 'leader', 'POST', `/api/plans/${plan.id}/milestones`, { seq: p.seq, title: 'Høringsutkast', date: day(90), responsible: 'steering', status: 'planned' });
    const roundDay = day(7);
    await api(server, 'leader', 'POST', `/api/plans/${plan.id}/rounds`, { seq: p.seq, message: 'Les innledningen.', recipients: [ids.member], deadline: roundDay });

    const member = await loginAs(server, browser, 'member', { contextOptions: { bypassCSP: true } }); // axe is injected as a script
    const leader = await loginAs(server, browser, 'leader');
    try {
      // The member: the round is the nearest deadline and a task.
      const mine = member.page.locator(`tr[data-plan="${plan.id}"]`);
      await mine.locator('td.tasks:not([aria-busy])').waitFor();
      assert.equal(await mine.getAttribute('data-tasks'), 'round');
      const shown = new Intl.DateTimeFormat('nb-NO', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' }).format(new Date(`${roundDay}T00:00:00Z`));
      const deadline = mine.getByTestId('plan-deadline');
      assert.equal(await deadline.getAttribute('data-kind'), 'round');
      assert.equal((await deadline.textContent()).trim(), `${shown} ${nb['plans.deadline.round']}`);
      await mine.getByRole('link', { name: msg('plans.tasks.round', { date: shown }) }).waitFor();
      await member.page.screenshot({ path: path.join(SHOTS, 'story-list-member.png'), fullPage: true });
      await waitFor(async () => (await member.page.locator('td.tasks[aria-busy]').count()) === 0, { message: 'every row filled in' });
      assert.deepEqual(await axeViolations(member.page), [], 'the plan list with deadlines and tasks');

      // The leader: the milestone that is not done, no task; the demo plan is listed too.
      const row = leader.page.locator(`tr[data-plan="${plan.id}"]`);
      await row.locator('td.tasks:not([aria-busy])').waitFor();
      assert.equal(await row.getAttribute('data-tasks'), '');
      assert.equal((await row.getByTestId('plan-tasks').textContent()).trim(), nb['plans.tasks.none']);
      assert.match(await row.getByTestId('plan-deadline').textContent(), /Utkast til styringsgruppen/);
      assert.equal(await row.getByTestId('plan-deadline').getAttribute('data-overdue'), 'false');
      assert.match(await row.textContent(), /Fristplanen.*Utkast/);
    } finally {
      await member.context.close();
      await leader.context.close();
    }
  });
});
