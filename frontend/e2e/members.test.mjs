// The plan's members and its audit log in the browser: the leader adds a
// person of the municipality by e-mail (a wrong or unknown address is
// refused with a message), changes a member's roles and removes a member
// after a confirmation; the server holds each change; the steering group
// reads them in Logg, which the leader has no tab for.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEMO_USERS, api, createPlan, loginAs, nb, useServerAndBrowser, userIds, waitFor } from './harness.mjs';

/** msg fills a message's placeholders in. */
const msg = (key, vars = {}) => nb[key].replace(/\{(\w+)\}/g, (_, k) => String(vars[k]));

describe('members and audit log', () => {
  let server;
  let browser;
  useServerAndBrowser((s, b) => {
    server = s;
    browser = b;
  });

  it('the leader adds, changes and removes members; the steering group reads it in the log', async () => {
    const plan = await createPlan(server, 'Medlemsplanen', { members: ['member', 'finance', 'steering'] });
    const ids = await userIds(server);
    const leader = await loginAs(server, browser, 'leader', { path: `/plans/${plan.id}/medlemmer` });
    const steering = await loginAs(server, browser, 'steering', { path: `/plans/${plan.id}` });
    try {
      const page = leader.page;
      const view = page.getByTestId('view-medlemmer');
      const row = (who) => view.locator(`[data-testid="member-row"][data-user="${ids[who]}"]`);
      await row('member').waitFor();
      assert.equal(await view.getByTestId('member-row').count(), 4);
      assert.equal(await row('leader').locator('th').textContent(), DEMO_USERS.leader.name);
      assert.equal(await view.locator('[data-testid="member-row"]').first().getAttribute('data-user'), ids.leader, 'the leader first');
      // The leader has no right to the audit log, and no tab for it.
      assert.equal(await page.locator('[data-testid="plan-tabs"] a[data-tab="logg"]').isVisible(), false);

      // Adding: a wrong address and an unknown one are refused here and by the server.
      const form = view.getByTestId('member-add-form');
      const email = form.getByTestId('member-add-email');
      await email.fill('rolf');
      await form.getByTestId('member-add-submit').click();
      await form.locator('.field-error', { hasText: nb['members.emailInvalid'] }).waitFor();
      assert.equal(await email.getAttribute('aria-invalid'), 'true');
      await email.fill('ukjent@demo.no');
      await form.getByTestId('member-add-submit').click();
      await form.locator('.field-error', { hasText: nb['members.unknownEmail'] }).waitFor();
      await email.fill(DEMO_USERS.reader.email);
      await form.getByTestId('member-add-role-member').uncheck();
      await form.getByTestId('member-add-role-reader').check();
      await form.getByTestId('member-add-submit').click();
      await row('reader').getByTestId('member-roles').filter({ hasText: nb['role.reader'] }).waitFor();
      await page.locator('.page-plan p.notice[role="status"]', { hasText: msg('members.added', { email: DEMO_USERS.reader.email }) }).waitFor();
      let served = await api(server, 'admin', 'GET', `/api/plans/${plan.id}`);
      assert.deepEqual(served.members.find((m) => m.user === ids.reader)?.roles, ['reader']);

      // Changing Mats Medlem's roles: no role at all is refused, member and finance are kept.
      await row('member').getByTestId('member-edit').click();
      const roles = row('member').getByTestId('member-roles-form');
      await roles.getByTestId('member-role-member').uncheck();
      await roles.getByTestId('member-save').click();
      await roles.locator('.field-error', { hasText: nb['members.rolesRequired'] }).waitFor();
      await roles.getByTestId('member-role-member').check();
      await roles.getByTestId('member-role-finance').check();
      await roles.getByTestId('member-save').click();
      await row('member').getByTestId('member-roles').filter({ hasText: `${nb['role.member']}, ${nb['role.finance']}` }).waitFor();
      served = await api(server, 'admin', 'GET', `/api/plans/${plan.id}`);
      assert.deepEqual(served.members.find((m) => m.user === ids.member)?.roles.sort(), ['finance', 'member']);

      // Removing Rolf Leser asks first; cancelling keeps him.
      await row('reader').getByTestId('member-remove').click();
      await page.getByTestId('remove-member-dialog').waitFor();
      await page.getByTestId('remove-member-dialog-cancel').click();
      assert.equal(await row('reader').count(), 1);
      await row('reader').getByTestId('member-remove').click();
      await page.getByTestId('remove-member-dialog-confirm').click();
      await row('reader').waitFor({ state: 'detached' });
      served = await api(server, 'admin', 'GET', `/api/plans/${plan.id}`);
      assert.equal(served.members.some((m) => m.user === ids.reader), false);

      // The steering group's log says all of it, newest first.
      const tab = steering.page.locator('[data-testid="plan-tabs"] a[data-tab="logg"]');
      await tab.waitFor();
      await tab.click();
      const log = steering.page.getByTestId('view-logg');
      const lines = log.getByTestId('audit-line');
      await waitFor(async () => (await lines.count()) >= 3, { message: 'the audit lines' });
      const first = lines.first();
      assert.equal(await first.locator('th').textContent(), nb['audit.action.member.set']);
      assert.match(await first.textContent(), new RegExp(`${nb['role.reader']} → ${nb['audit.none']}`));
      assert.match(await first.textContent(), /Rolf Leser/);
      assert.match(await log.textContent(), new RegExp(`${nb['role.member']} → ${nb['role.member']}, ${nb['role.finance']}`));
      assert.match(await log.textContent(), new RegExp(nb['audit.action.plan.created']));
    } finally {
      await leader.context.close();
      await steering.context.close();
    }
  });
});
