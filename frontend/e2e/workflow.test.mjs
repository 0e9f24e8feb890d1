// Fase 1 in the browser: the steering group locks the leader's draft for
// approval, returns it with required changes and locks it again, and both
// approvals move it on; every open page follows at once, without a reload.
// The server refuses what a role or phase does not allow, and the page says
// so in Norwegian. Signing in: a wrong password, a reload, two tabs that
// reload at the same moment, logging out.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEMO_PASSWORD,
  DEMO_PLAN,
  api,
  createPlan,
  editorText,
  loginAs,
  nb,
  newContext,
  sectionPath,
  serverText,
  transition,
  useServerAndBrowser,
  waitEditor,
  waitFor,
  waitSaved,
} from './harness.mjs';

const ACTIONS = ['submit', 'lock', 'approve', 'return'];

/** banner is the phase banner when it shows `phase`. */
const banner = (page, phase) => page.locator(`[data-testid="phase-banner"][data-phase="${phase}"]`);

/** actionsOf returns the transition buttons the page offers. */
async function actionsOf(page) {
  const out = [];
  for (const a of ACTIONS) if ((await page.getByTestId(`action-${a}`).count()) > 0) out.push(a);
  return out;
}

/** approvalsOf returns the approvals the banner shows, as role=true|false. */
function approvalsOf(page) {
  return page
    .getByTestId('approvals')
    .locator('li[data-role]')
    .evaluateAll((lis) => lis.map((li) => `${li.dataset.role}=${li.dataset.approved}`));
}

/** lock locks the plan from the steering group's page, confirming in the dialog. */
async function lock(page) {
  await page.getByTestId('action-lock').click();
  await page.getByTestId('lock-dialog').waitFor();
  await page.getByTestId('lock-dialog-confirm').click();
  await banner(page, 'review').waitFor();
}

/** giveBack returns the plan with a required-changes comment from the steering group's page. */
async function giveBack(page, comment) {
  await page.getByTestId('action-return').click();
  await page.getByTestId('return-dialog').waitFor();
  await page.getByTestId('return-dialog-input').fill(comment);
  await page.getByTestId('return-dialog-confirm').click();
  await banner(page, 'draft').waitFor();
}

/** alert is the plan page's error message showing `text`. */
const alert = (page, text) => page.locator('.page-plan p.error[role="alert"]', { hasText: text });

/** typeAtEnd types text at the end of the editor's text. */
async function typeAtEnd(page, text) {
  await page.locator('.ql-editor').click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type(text);
}

describe('Fase 1 workflow', () => {
  let server;
  let browser;
  useServerAndBrowser((s, b) => {
    server = s;
    browser = b;
  });

  it("locks the plan: the leader's editor turns read-only at once, and what was typed before is saved", async () => {
    const plan = await createPlan(server, 'Låseplan');
    const at = sectionPath(plan.id, plan.sections[0].id);
    const leader = await loginAs(server, browser, 'leader', { path: at });
    await waitEditor(leader.page);
    assert.deepEqual(await actionsOf(leader.page), ['submit']);

    // A member reads along: read-only from the start, no phase buttons.
    const member = await loginAs(server, browser, 'member', { path: at });
    await waitEditor(member.page, { editable: false });
    assert.deepEqual(await member.page.getByTestId('role-list').locator('li').allTextContents(), [nb['role.member']]);
    await member.page.getByTestId('readonly-reason').filter({ hasText: nb['banner.readOnlyRole'] }).waitFor();
    assert.deepEqual(await actionsOf(member.page), []);
    await member.page.locator('.ql-editor').click({ force: true });
    await member.page.keyboard.type('medlem skriver');
    assert.equal(await editorText(member.page), '\n', 'the member cannot type');

    const steering = await loginAs(server, browser, 'steering', { path: `/plans/${plan.id}` });
    await banner(steering.page, 'draft').waitFor();
    assert.deepEqual(await actionsOf(steering.page), ['lock']);

    await typeAtEnd(leader.page, 'Skrevet før låsing.');
    await waitSaved(leader.page);
    await waitFor(async () => (await editorText(member.page)) === 'Skrevet før låsing.\n', { message: 'the member to see the text' });

    // The steering group locks; the leader's page follows without a reload.
    await leader.page.evaluate(() => (window.e2eSamePage = true));
    await lock(steering.page);
    await steering.page.getByText(nb['action.done.lock']).waitFor();
    assert.deepEqual(await actionsOf(steering.page), ['approve', 'return']);
    await banner(leader.page, 'review').waitFor();
    await leader.page.locator('.editor[data-readonly="true"] .ql-editor[contenteditable="false"]').waitFor();
    await leader.page.getByTestId('readonly-reason').filter({ hasText: nb['banner.readOnlyPhase'] }).waitFor();
    assert.equal(await leader.page.evaluate(() => window.e2eSamePage), true, 'the leader’s page was not reloaded');
    assert.deepEqual(await approvalsOf(leader.page), ['steering=false', 'political=false']);
    assert.deepEqual(await actionsOf(leader.page), []);
    await banner(member.page, 'review').waitFor();
    assert.equal(await member.page.locator('.editor').getAttribute('data-readonly'), 'true');

    // What the leader typed before the lock is saved, and stays read-only.
    assert.equal(await serverText(server, plan.id, plan.sections[0].id), 'Skrevet før låsing.\n');
    await leader.page.reload();
    await waitEditor(leader.page, { editable: false });
    assert.equal(await editorText(leader.page), 'Skrevet før låsing.\n');
    await banner(leader.page, 'review').waitFor();
    for (const u of [leader, member, steering]) await u.context.close();
  });

  it('returns the plan with required changes, locks it again, and both approvals move it on in every page', async () => {
    const plan = await createPlan(server, 'Godkjenningsplan');
    const section = plan.sections[0].id;
    const at = sectionPath(plan.id, section);
    await transition(server, 'steering', plan.id, 'lock');

    const leader = await loginAs(server, browser, 'leader', { path: at });
    await waitEditor(leader.page, { editable: false });
    await banner(leader.page, 'review').waitFor();
    const steering = await loginAs(server, browser, 'steering', { path: `/plans/${plan.id}` });
    const political = await loginAs(server, browser, 'political', { path: `/plans/${plan.id}` });
    const member = await loginAs(server, browser, 'member', { path: at });
    await waitEditor(member.page, { editable: false });
    const everyone = [leader, steering, political, member];
    for (const u of everyone) await banner(u.page, 'review').waitFor();
    assert.deepEqual(await actionsOf(political.page), ['approve']);

    // A return needs a comment: the required changes.
    await steering.page.getByTestId('action-return').click();
    await steering.page.getByTestId('return-dialog-confirm').click();
    await steering.page.getByTestId('return-dialog').getByText(nb['action.returnRequired']).waitFor();
    await steering.page.getByTestId('return-dialog-cancel').click();
    await giveBack(steering.page, 'Beskriv boligbehovet for eldre nærmere.');

    // The leader may write again, at once.
    await banner(leader.page, 'draft').waitFor();
    await waitEditor(leader.page);
    await typeAtEnd(leader.page, 'Boligbehovet for eldre er beskrevet.');
    await waitSaved(leader.page);
    await leader.page.getByTestId('action-submit').click();
    await steering.page.locator('[data-testid="phase-banner"][data-submitted="true"] [data-testid="submitted"]').waitFor();

    // Locked again; political leadership approves, then the steering group.
    await lock(steering.page);
    await banner(leader.page, 'review').waitFor();
    await leader.page.locator('.editor[data-readonly="true"]').waitFor();
    await banner(political.page, 'review').waitFor();
    // A second tab of the politician's that hears nothing of what happens
    // (its WebSocket never reaches the server) and keeps its approve button.
    const stale = await political.context.newPage();
    await stale.routeWebSocket(/\/api\/ws$/, () => {});
    await stale.goto(server.url + `/plans/${plan.id}`);
    await banner(stale, 'review').getByTestId('action-approve').waitFor();

    await political.page.getByTestId('action-approve').click();
    await political.page.locator('[data-testid="approvals"] li[data-role="political"][data-approved="true"]').waitFor();
    await political.page.getByTestId('action-approve').waitFor({ state: 'detached' });
    await leader.page.locator('[data-testid="approvals"] li[data-role="political"][data-approved="true"]').waitFor();
    await steering.page.locator('[data-testid="approvals"] li[data-role="political"][data-approved="true"]').waitFor();
    assert.equal(await banner(leader.page, 'review').count(), 1, 'one approval does not move the plan on');

    await steering.page.getByTestId('action-approve').click();
    for (const u of everyone) await banner(u.page, 'approved').waitFor();
    assert.deepEqual(await actionsOf(steering.page), []);
    assert.equal(await leader.page.locator('.editor').getAttribute('data-readonly'), 'true');
    assert.equal(await serverText(server, plan.id, section), 'Boligbehovet for eldre er beskrevet.\n');

    // The politician presses approve again in the stale tab: the server
    // refuses (the plan is no longer in review), the page says why in
    // Norwegian and catches up.
    await stale.getByTestId('action-approve').click();
    await alert(stale, nb['error.wrong_phase']).waitFor();
    await banner(stale, 'approved').waitFor();
    assert.deepEqual(await actionsOf(stale), []);

    // A member asks for a step of the steering group's: through the API
    // directly, and from a page made to offer the button.
    await assert.rejects(transition(server, 'member', plan.id, 'lock'), { status: 403, code: 'forbidden' });
    await member.page.route(
      (url) => url.pathname === `/api/plans/${plan.id}`,
      async (route) => {
        const response = await route.fetch();
        const json = await response.json();
        json.you.actions.push('lock');
        await route.fulfill({ response, json });
      },
    );
    await member.page.reload();
    await member.page.getByTestId('action-lock').click();
    await member.page.getByTestId('lock-dialog-confirm').click();
    await alert(member.page, nb['error.forbidden']).waitFor();
    await banner(member.page, 'approved').waitFor();
    for (const u of everyone) await u.context.close();
  });

  it('keeps an edit that lost the race with the lock visible as unsaved, and saves it once the plan is returned', async () => {
    const plan = await createPlan(server, 'Holdeplan');
    const section = plan.sections[0].id;
    const leaderContext = await newContext(browser, 'leader');
    // The leader's ops can be held on their way to the server, as on a
    // slow network; everything else goes through.
    let holding = false;
    const held = [];
    await leaderContext.routeWebSocket(/\/api\/ws$/, (ws) => {
      const upstream = ws.connectToServer();
      ws.onMessage((m) => {
        if (holding && JSON.parse(String(m)).type === 'op') held.push(() => upstream.send(m));
        else upstream.send(m);
      });
    });
    const leader = await loginAs(server, browser, 'leader', { context: leaderContext, path: sectionPath(plan.id, section) });
    await waitEditor(leader.page);
    const steering = await loginAs(server, browser, 'steering', { path: `/plans/${plan.id}` });

    await typeAtEnd(leader.page, 'Lagret først.');
    await waitSaved(leader.page);

    // Typed just before the lock, sent just after it.
    holding = true;
    await leader.page.keyboard.type(' Skrevet mens planen ble låst.');
    await waitFor(() => held.length > 0, { message: 'the op on its way' });
    await lock(steering.page);
    await banner(leader.page, 'review').waitFor();
    holding = false;
    for (const send of held.splice(0)) send();

    const notice = leader.page.locator('[data-testid="unsaved-notice"][data-kind="held"]');
    await notice.waitFor();
    await notice.getByText(nb['save.held']).waitFor();
    await leader.page.locator('.editor[data-readonly="true"]').waitFor();
    assert.equal(await editorText(leader.page), 'Lagret først. Skrevet mens planen ble låst.\n', 'the held text stays visible');
    assert.equal(await serverText(server, plan.id, section), 'Lagret først.\n', 'the lock kept it out');

    // Returned: the held change goes out by itself, once.
    await giveBack(steering.page, 'Ta med det siste avsnittet.');
    await banner(leader.page, 'draft').waitFor();
    await waitEditor(leader.page);
    await notice.waitFor({ state: 'detached' });
    await waitFor(async () => (await serverText(server, plan.id, section)) === 'Lagret først. Skrevet mens planen ble låst.\n', {
      message: 'the held text on the server',
    });
    await leader.page.reload();
    await waitEditor(leader.page);
    assert.equal(await editorText(leader.page), 'Lagret først. Skrevet mens planen ble låst.\n');
    await leaderContext.close();
    await steering.context.close();
  });
});

describe('signing in', () => {
  let server;
  let browser;
  useServerAndBrowser((s, b) => {
    server = s;
    browser = b;
  });

  it('refuses a wrong password, keeps the session over a reload, and logs out', async () => {
    const context = await newContext(browser, 'leader');
    const page = await context.newPage();
    await page.goto(server.url + `/plans/${DEMO_PLAN}`);
    await page.waitForURL(/\/logg-inn\?neste=/);
    await page.getByTestId('login-email').fill('leader@demo.no');
    await page.getByTestId('login-password').fill(DEMO_PASSWORD + 'x');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('login-error').filter({ hasText: 'Feil e-post eller passord' }).waitFor();
    assert.equal(await page.getByTestId('current-user').count(), 0);

    await page.getByTestId('login-password').fill(DEMO_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('current-user').filter({ hasText: 'Lene Leder' }).waitFor();
    // Back where the user was going.
    await page.waitForURL(`**/plans/${DEMO_PLAN}`);
    await page.getByRole('heading', { level: 1, name: 'Temaplan om bolig 2027–2030' }).waitFor();

    // The refresh cookie (HttpOnly, Secure: Chromium keeps it on 127.0.0.1)
    // brings the session back after a reload.
    const [cookie] = await context.cookies();
    assert.equal(cookie?.httpOnly, true);
    assert.equal(cookie?.secure, true);
    assert.equal(cookie?.sameSite, 'Strict');
    await page.reload();
    await page.getByTestId('current-user').filter({ hasText: 'Lene Leder' }).waitFor();
    await page.getByRole('heading', { level: 1, name: 'Temaplan om bolig 2027–2030' }).waitFor();

    await page.getByTestId('logout').click();
    await page.waitForURL(/\/logg-inn$/);
    await page.getByTestId('login-email').waitFor();
    await page.getByText(nb['login.loggedOut']).waitFor();
    assert.equal(await page.getByTestId('current-user').count(), 0);
    // Gone for good: a reload stays on the login page.
    await page.goto(server.url + `/plans/${DEMO_PLAN}`);
    await page.waitForURL(/\/logg-inn\?neste=/);
    await page.getByTestId('login-email').waitFor();
    await context.close();
  });

  it('keeps two tabs that load at the same moment signed in, without a refresh token used twice', async () => {
    const { context, page: one } = await loginAs(server, browser, 'member');
    const two = await context.newPage();
    const signedIn = (page) => page.getByTestId('current-user').filter({ hasText: 'Mats Medlem' }).waitFor();
    await Promise.all([one.reload(), two.goto(server.url)]);
    await Promise.all([signedIn(one), signedIn(two)]);
    for (let i = 0; i < 3; i++) {
      await Promise.all([one.reload(), two.reload()]);
      await Promise.all([signedIn(one), signedIn(two)]);
    }
    // Still signed in afterwards: the session was not revoked.
    await one.reload();
    await signedIn(one);
    assert.equal(await one.getByTestId('login-email').count(), 0);
    await one.getByRole('row', { name: /Temaplan om bolig/ }).waitFor();
    const { items } = await api(server, 'admin', 'GET', '/api/admin/audit');
    assert.deepEqual(
      items.filter((e) => e.action === 'refresh_reuse'),
      [],
      'no refresh token was presented twice',
    );
    await context.close();
  });
});
