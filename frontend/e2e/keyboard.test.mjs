// The story's main steps with the keyboard alone (WCAG 2.1.1, 2.1.2,
// 2.4.7): the leader logs in, opens the plan, moves through the outline,
// enters the text, types, leaves the text with Escape (the documented
// key) and comments on a selection with Ctrl+Alt+M; a member selects
// words in the read-only text with Shift and the arrow keys and suggests
// new words; the leader accepts the suggestion and submits the draft.
// Nothing but page.keyboard acts on the pages (page.goto only opens the
// member's page), and every control the focus stops at must show it: an
// outline or a box-shadow.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEMO_PASSWORD, DEMO_USERS, api, createPlan, nb, newContext, serverText, useServerAndBrowser, waitEditor, waitFor, waitSaved } from './harness.mjs';
import { writeSection } from './wsclient.mjs';

const DEBUG = process.env.E2E_KEYBOARD_DEBUG === '1';

/** focused describes the focused element and whether its focus is shown. */
function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { what: 'body', shown: false, body: true };
    const cs = getComputedStyle(el);
    const outline = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0;
    const shadow = cs.boxShadow !== 'none' && cs.boxShadow !== '';
    const name = (el.getAttribute('aria-label') || el.textContent || el.getAttribute('data-testid') || '').trim().replace(/\s+/g, ' ').slice(0, 40);
    const what = `${el.tagName.toLowerCase()}${el.dataset.testid ? `[${el.dataset.testid}]` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ')[0]}` : ''} «${name}»`;
    return { what, shown: outline || shadow, toolbar: el.closest('[role="toolbar"].toolbar') !== null };
  });
}

/** isFocused reports whether the focused element matches a CSS selector. */
function isFocused(page, selector) {
  return page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector);
}

/**
 * tabTo presses Tab (Shift+Tab with back) until the focused element
 * matches selector, checking at every stop that the focus is shown; it
 * returns the stops it passed.
 */
async function tabTo(page, selector, { back = false, max = 120 } = {}) {
  const stops = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const f = await focused(page);
    stops.push(f);
    if (DEBUG) console.log(`  ${back ? '⇧⇥' : '⇥'} ${f.what}${f.shown ? '' : '  (no focus ring)'}`);
    if (!f.body) assert.ok(f.shown, `the focus is shown on ${f.what}`);
    if (await isFocused(page, selector)) return stops;
  }
  throw new Error(`Tab did not reach ${selector} in ${max} presses: ${stops.map((f) => f.what).join(' → ')}`);
}

/** press presses a key and checks that the focus lands, shown, on selector. */
async function press(page, key, selector) {
  await page.keyboard.press(key);
  const f = await focused(page);
  if (DEBUG) console.log(`  ${key} → ${f.what}`);
  assert.ok(await isFocused(page, selector), `${key} moves the focus to ${selector}, not ${f.what}`);
  assert.ok(f.shown, `the focus is shown on ${f.what}`);
}

/** login signs a demo user in on the login page with the keyboard alone. */
async function login(page, who) {
  // The login page puts the focus in its first field itself.
  if (!(await isFocused(page, '[data-testid="login-email"]'))) await tabTo(page, '[data-testid="login-email"]');
  await page.keyboard.type(DEMO_USERS[who].email);
  await press(page, 'Tab', '[data-testid="login-password"]');
  await page.keyboard.type(DEMO_PASSWORD);
  await page.keyboard.press('Enter');
  await page.getByTestId('current-user').filter({ hasText: DEMO_USERS[who].name }).waitFor();
  // The page the login leads to takes the focus to its heading.
  await page.waitForFunction(() => document.activeElement?.tagName === 'H1');
}

/** msg fills a message's placeholders in. */
const msg = (key, vars = {}) => nb[key].replace(/\{(\w+)\}/g, (_, k) => String(vars[k]));

/** selection is the document's selected text. */
const selection = (page) => page.evaluate(() => document.getSelection().toString());

const TEXT = ['Kommunen skal bygge 100 nye boliger innen 2030.', 'Boligene skal ligge nær kollektivtrafikk.'];

describe('keyboard only', () => {
  let server;
  let browser;
  useServerAndBrowser((s, b) => {
    server = s;
    browser = b;
  });

  it('the leader writes and comments, a member suggests, the leader accepts and submits — without a mouse', async () => {
    const plan = await createPlan(server, 'Tastaturplanen');
    const section = plan.sections[0];
    await writeSection(server, 'leader', plan.id, section.id, TEXT);

    const leaderContext = await newContext(browser, 'leader');
    const memberContext = await newContext(browser, 'member');
    try {
      // The leader logs in.
      const page = await leaderContext.newPage();
      await page.goto(server.url + '/');
      await page.getByTestId('login-email').waitFor();
      await login(page, 'leader');

      // Opens the plan from the list.
      await tabTo(page, `a[href="/plans/${plan.id}"]`);
      await page.keyboard.press('Enter');
      await page.getByTestId('phase-banner').waitFor();

      // Moves through the outline, down and back up, and opens the first section.
      await tabTo(page, `.outline-tree a[href="/plans/${plan.id}/sections/${section.id}"]`);
      const flat = [];
      const walk = (list) => list.forEach((s) => (flat.push(s), walk(s.children ?? [])));
      walk(plan.sections);
      for (const s of flat.slice(1, 4)) await press(page, 'Tab', `.outline-tree a[href="/plans/${plan.id}/sections/${s.id}"]`);
      for (const s of flat.slice(0, 3).reverse()) await press(page, 'Shift+Tab', `.outline-tree a[href="/plans/${plan.id}/sections/${s.id}"]`);
      await page.keyboard.press('Enter');
      await waitEditor(page);
      assert.equal(await page.locator('.outline-tree a[aria-current="page"]').getAttribute('href'), `/plans/${plan.id}/sections/${section.id}`);

      // Into the text: the toolbar is one stop on the way.
      const stops = await tabTo(page, '.ql-editor');
      const inToolbar = stops.filter((f) => f.toolbar).map((f) => f.what);
      assert.equal(inToolbar.length, 1, `one stop in the toolbar: ${inToolbar.join(' → ')}`);
      const keys = await page.getByTestId('editor-keys').textContent();
      assert.equal(keys, nb['editor.keys'], 'the keys are told under the text');

      // Types at the end of the text; the save status is a live region.
      const status = page.locator('.save-status');
      assert.equal(await status.getAttribute('role'), 'status');
      assert.equal(await status.getAttribute('aria-live'), 'polite');
      await page.keyboard.press('Control+End');
      await page.keyboard.type(' Skrevet med tastaturet.');
      await waitSaved(page);
      assert.equal(await status.textContent(), nb['save.saved']);
      assert.match(await serverText(server, plan.id, section.id), /kollektivtrafikk\. Skrevet med tastaturet\.\n$/);

      // Escape leaves the text for the toolbar; the arrows choose a tool, Tab goes back.
      await press(page, 'Escape', '[role="toolbar"] select, [role="toolbar"] button');
      await press(page, 'ArrowRight', '[role="toolbar"] button');
      await press(page, 'Tab', '.ql-editor');
      // Tab out of the text goes on to the review (no trap), Shift+Tab comes back.
      await page.keyboard.press('Tab');
      assert.equal(await isFocused(page, '.ql-editor'), false, 'Tab leaves the text');
      assert.ok((await focused(page)).shown);
      await press(page, 'Shift+Tab', '.ql-editor');

      // Selects the first word and comments on it with Ctrl+Alt+M.
      await page.keyboard.press('Control+Home');
      await page.keyboard.press('Control+Shift+ArrowRight');
      assert.equal(await selection(page), 'Kommunen');
      await press(page, 'Control+Alt+M', '[data-testid="comment-input"]');
      await page.keyboard.type('Hvilken del av kommunen?');
      await page.keyboard.press('Control+Enter');
      const comment = page.locator('[data-testid="comments-panel"] li', { hasText: 'Hvilken del av kommunen?' });
      await comment.first().waitFor();
      assert.equal(await isFocused(page, '.ql-editor'), true, 'the focus is back in the text');
      const threads = await api(server, 'leader', 'GET', `/api/plans/${plan.id}/comments?section=${section.id}`);
      const thread = (threads.items ?? threads).find((th) => th.body === 'Hvilken del av kommunen?');
      assert.equal(thread?.quote, 'Kommunen', 'the comment is on the selected word');

      // The member: a read-only text that still takes the focus; Shift and the
      // arrows select «100», the suggestion replaces it with «250».
      const member = await memberContext.newPage();
      await member.goto(server.url + `/plans/${plan.id}/sections/${section.id}`);
      await member.getByTestId('login-email').waitFor();
      await login(member, 'member');
      await waitEditor(member, { editable: false });
      await tabTo(member, '.ql-editor');
      assert.equal(await member.getByTestId('editor-keys').textContent(), nb['editor.keysReadOnly']);
      for (let i = 0; i < 3; i++) await member.keyboard.press('Control+ArrowRight');
      await member.keyboard.press('ArrowRight');
      await member.keyboard.press('Control+Shift+ArrowRight');
      assert.equal(await selection(member), '100');
      await tabTo(member, '[data-testid="suggest-button"]', { back: true });
      await member.keyboard.press('Enter');
      await member.getByTestId('suggestion-composer').waitFor();
      assert.ok(await isFocused(member, '[data-testid="suggestion-input"]'), 'the composer takes the focus');
      assert.ok((await focused(member)).shown);
      await member.keyboard.press('Control+A');
      await member.keyboard.type('250');
      await member.keyboard.press('Control+Enter');
      await member.getByTestId('suggestion-composer').waitFor({ state: 'detached' });

      // The leader accepts it from the sidebar; the suggestion was read out
      // from the review's live region when it came.
      await page.getByTestId('accept-suggestion').waitFor();
      const live = page.getByTestId('review-live');
      assert.equal(await live.getAttribute('aria-live'), 'polite');
      await live.filter({ hasText: msg('review.liveSuggestion', { name: DEMO_USERS.member.name }) }).waitFor();
      await tabTo(page, '[data-testid="accept-suggestion"]');
      await page.keyboard.press('Enter');
      const accepted = 'Kommunen skal bygge 250 nye boliger innen 2030.\nBoligene skal ligge nær kollektivtrafikk. Skrevet med tastaturet.\n';
      await waitFor(async () => (await serverText(server, plan.id, section.id)) === accepted, { message: 'the accepted suggestion in the text' });

      // And submits the draft from the phase banner.
      await tabTo(page, '[data-testid="action-submit"]', { back: true, max: 200 });
      await page.keyboard.press('Enter');
      await page.locator('[data-testid="phase-banner"][data-submitted="true"]').waitFor();
      // The member's page says so in its status region.
      await member.locator('.page-plan p.notice[role="status"]', { hasText: nb['plan.live.submitted'] }).waitFor();
    } finally {
      await leaderContext.close();
      await memberContext.close();
    }
  });
});
