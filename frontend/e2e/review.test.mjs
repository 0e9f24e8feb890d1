// The review in the browser: comments on selected text with @mentions,
// replies and resolving, seen live in the other people's pages; the marks
// stay on their words while the leader writes, and a thread whose text is
// deleted says so; the steering group's required changes block the
// approval until they are made and resolved; comment bodies are text,
// never HTML; suggestions are shown over the text, accepted into it, named
// in the history, and refused once the text they replace has changed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  api,
  editingNewPlan,
  editorText,
  loginAs,
  markBox,
  mouseSelect,
  nb,
  openSection,
  serverText,
  textBoxes,
  useServerAndBrowser,
  userIds,
  waitFor,
  waitSaved,
} from './harness.mjs';

/** banner is the phase banner when it shows `phase`. */
const banner = (page, phase) => page.locator(`[data-testid="phase-banner"][data-phase="${phase}"]`);

/** threadCard is the card of a thread in the comments panel. */
const threadCard = (page, id) => page.locator(`[data-testid="thread"][data-thread-id="${id}"]`);

/** suggestionCard is the card of a suggestion in the comments panel. */
const suggestionCard = (page, id) => page.locator(`[data-testid="suggestion"][data-suggestion-id="${id}"]`);

/** highlight is the mark of a thread over the text. */
const highlight = (page, id) => page.locator(`[data-testid="comment-highlight"][data-thread-id="${id}"]`);

/** fill puts a message's placeholders in. */
const msg = (key, vars = {}) => nb[key].replace(/\{(\w+)\}/g, (_, k) => vars[k]);

/**
 * keySelect selects `text` in the leader's editor from the keyboard
 * (a single-paragraph text): to its start with the arrow keys, then over
 * it with Shift.
 */
async function keySelect(page, text) {
  const at = (await editorText(page)).indexOf(text);
  assert.ok(at >= 0, `"${text}" is in the editor`);
  await page.locator('.ql-editor').focus();
  await page.keyboard.press('Control+Home');
  for (let i = 0; i < at; i++) await page.keyboard.press('ArrowRight');
  for (let i = 0; i < text.length; i++) await page.keyboard.press('Shift+ArrowRight');
  assert.equal(await page.evaluate(() => document.getSelection().toString()), text, 'the keys selected exactly the text');
}

/**
 * markOver reports where a mark (a thread's highlight or a suggestion's
 * strike) is, and whether it lies exactly on `text` in the page's editor.
 */
async function markOver(page, selector, text) {
  const m = await markBox(page, selector);
  if (!m) return null;
  const t = await textBoxes(page, text);
  const near = (a, b) => Math.abs(a - b) < 1.5;
  const on = Boolean(t) && near(m.left, t.whole.left) && near(m.right, t.whole.right) && near(m.top, t.whole.top) && near(m.bottom, t.whole.bottom);
  return { left: m.left, on };
}

/** waitMarkOn waits until the mark lies on `text` and returns its left edge. */
async function waitMarkOn(page, selector, text, message) {
  const r = await waitFor(async () => {
    const m = await markOver(page, selector, text);
    return m?.on ? m : null;
  }, { message });
  return r.left;
}

/**
 * comment selects `text` with the mouse, writes `body` in the composer
 * and sends it; it returns the new thread's id once its card shows.
 */
async function comment(page, text, body, { shortcut = false } = {}) {
  await mouseSelect(page, text);
  if (shortcut) await page.keyboard.press('Control+Alt+M');
  else await page.getByTestId('comment-button').click();
  assert.equal(await page.getByTestId('composer-quote').textContent(), text);
  await page.getByTestId('comment-input').fill(body);
  await page.getByTestId('comment-submit').click();
  await page.getByTestId('comment-composer').waitFor({ state: 'detached' });
  const card = page.getByTestId('thread').filter({ has: page.getByTestId('thread-body').filter({ hasText: body }) });
  return card.getAttribute('data-thread-id');
}

/** typeAtStart types text at the start of the leader's editor. */
async function typeAtStart(page, text) {
  await page.locator('.ql-editor').click();
  await page.keyboard.press('Control+Home');
  await page.keyboard.type(text);
  await waitSaved(page);
}

/** writeText gives the leader's empty section a text, and waits until the others show it. */
async function writeText(leader, text, ...readers) {
  await typeAtStart(leader.page, text);
  for (const r of readers) await waitFor(async () => (await editorText(r.page)) === `${text}\n`, { message: `${r.who} to see the text` });
}

/** lock locks the plan from the steering group's page, confirming in the dialog. */
async function lock(page) {
  await page.getByTestId('action-lock').click();
  await page.getByTestId('lock-dialog-confirm').click();
  await banner(page, 'review').waitFor();
}

describe('review', () => {
  let server;
  let browser;
  useServerAndBrowser((s, b) => {
    server = s;
    browser = b;
  });

  it("comments on the leader's text with an @mention; the leader sees it live, under «Til meg», replies and resolves it", async () => {
    const { plan, section, users } = await editingNewPlan(server, browser, 'Kommentarplan', ['leader', 'member']);
    const [leader, member] = users;
    const ids = await userIds(server);
    await writeText(leader, 'Boligbehovet øker i hele kommunen fram mot 2030.', member);
    await leader.page.evaluate(() => (window.e2eSamePage = true));

    // The member selects words and mentions the leader through the list.
    await mouseSelect(member.page, 'øker i hele kommunen');
    await member.page.getByTestId('comment-button').click();
    assert.equal(await member.page.getByTestId('composer-quote').textContent(), 'øker i hele kommunen');
    const input = member.page.getByTestId('comment-input');
    await input.pressSequentially('Hva er kilden, @Len');
    const option = member.page.getByTestId('mention-list').getByRole('option', { name: /Lene Leder/ });
    await option.waitFor();
    assert.equal(await option.getAttribute('data-user'), ids.leader);
    await input.press('Enter');
    await input.pressSequentially('? Se boligmeldingen.');
    const body = 'Hva er kilden, @Lene Leder ? Se boligmeldingen.';
    assert.equal(await input.inputValue(), body);
    await member.page.getByTestId('comment-submit').click();
    const mine = member.page.getByTestId('thread').filter({ hasText: 'Se boligmeldingen.' });
    await mine.waitFor();
    const id = await mine.getAttribute('data-thread-id');
    // And a second comment that mentions nobody.
    const other = await comment(member.page, 'fram mot 2030', 'Hvorfor akkurat 2030?');

    // The leader's page shows both, live: the quote, the mention, the mark on the words.
    const card = threadCard(leader.page, id);
    await card.waitFor();
    assert.equal(await card.getByTestId('thread-quote').textContent(), 'øker i hele kommunen');
    assert.equal(await card.getByTestId('thread-body').textContent(), body);
    assert.equal(await card.locator(`.mention[data-user="${ids.leader}"]`).textContent(), '@Lene Leder');
    await threadCard(leader.page, other).waitFor();
    await waitMarkOn(leader.page, `[data-testid="comment-highlight"][data-thread-id="${id}"]`, 'øker i hele kommunen', "the highlight on the leader's text");
    await waitMarkOn(leader.page, `[data-testid="comment-highlight"][data-thread-id="${other}"]`, 'fram mot 2030', 'the second highlight');
    assert.equal(await leader.page.evaluate(() => window.e2eSamePage), true, "the leader's page was not reloaded");

    // «Til meg»: only the thread that mentions the leader; the member is mentioned in none.
    await leader.page.getByTestId('filter-mine-mentions').click();
    await waitFor(async () => (await leader.page.getByTestId('thread').count()) === 1, { message: 'one thread under «Til meg»' });
    await card.waitFor();
    assert.equal(await leader.page.getByTestId('filter-mine-mentions').getAttribute('aria-pressed'), 'true');
    await member.page.getByTestId('filter-mine-mentions').click();
    await member.page.getByText(nb['review.emptyMentions']).waitFor();
    await member.page.getByTestId('filter-open').click();

    // The leader replies and resolves; the member's page follows.
    await card.getByTestId('reply-input').fill('Tallene er fra SSB, 2024.');
    await card.getByTestId('reply-submit').click();
    await card.getByTestId('reply-body').filter({ hasText: 'Tallene er fra SSB, 2024.' }).waitFor();
    await threadCard(member.page, id).getByTestId('reply-body').filter({ hasText: 'Tallene er fra SSB, 2024.' }).waitFor();
    await card.getByTestId('resolve-thread').click();
    await leader.page.locator(`[data-testid="thread"][data-thread-id="${id}"][data-resolved="true"]`).waitFor();

    // Under «Åpne» the member now sees only the other thread, and the mark is gone.
    await threadCard(member.page, id).waitFor({ state: 'detached' });
    await highlight(member.page, id).waitFor({ state: 'detached' });
    await threadCard(member.page, other).waitFor();
    await member.page.getByTestId('filter-resolved').click();
    const resolved = member.page.locator(`[data-testid="thread"][data-thread-id="${id}"][data-resolved="true"]`);
    await resolved.waitFor();
    await resolved.getByText(msg('review.resolvedBy', { name: 'Lene Leder' })).waitFor();
    assert.equal(await member.page.getByTestId('thread').count(), 1);

    const [th] = (await api(server, 'leader', 'GET', `/api/plans/${plan.id}/comments?section=${section}&status=resolved`)).items;
    assert.equal(th.id, id);
    assert.deepEqual(th.mentions, [ids.leader]);
    for (const u of users) await u.context.close();
  });

  it('keeps a highlight on its words while the leader types before them, and says so when they are deleted', async () => {
    const { plan, section, users } = await editingNewPlan(server, browser, 'Ankerplan', ['leader', 'member']);
    const [leader, member] = users;
    await writeText(leader, 'Alfa beta gamma delta.', member);
    const id = await comment(member.page, 'gamma delta', 'Stemmer dette?');
    const sel = `[data-testid="comment-highlight"][data-thread-id="${id}"]`;
    await threadCard(leader.page, id).waitFor();
    const before = await waitMarkOn(leader.page, sel, 'gamma delta', "the leader's highlight");
    const memberBefore = await waitMarkOn(member.page, sel, 'gamma delta', "the member's highlight");

    // Text typed before the range moves the mark along with its words.
    await typeAtStart(leader.page, 'Innledende tekst. ');
    assert.equal(await editorText(leader.page), 'Innledende tekst. Alfa beta gamma delta.\n');
    await waitFor(async () => (await editorText(member.page)) === 'Innledende tekst. Alfa beta gamma delta.\n', { message: 'the member to see the text' });
    for (const [u, was] of [
      [leader, before],
      [member, memberBefore],
    ]) {
      const now = await waitMarkOn(u.page, sel, 'gamma delta', `${u.who}'s highlight on the same words`);
      assert.ok(now > was + 20, `${u.who}'s highlight moved right (${was} → ${now})`);
      assert.equal(await threadCard(u.page, id).getByTestId('thread-quote').textContent(), 'gamma delta');
      assert.equal(await threadCard(u.page, id).getAttribute('data-orphaned'), 'false');
    }
    const [th] = (await api(server, 'leader', 'GET', `/api/plans/${plan.id}/comments?section=${section}`)).items;
    const text = await serverText(server, plan.id, section);
    assert.equal(text.slice(th.position.index, th.position.index + th.position.length), 'gamma delta', "the server's range moved too");

    // The leader deletes the commented words: the thread stays, with its quote, marked orphaned.
    await keySelect(leader.page, 'gamma delta');
    await leader.page.keyboard.press('Backspace');
    await waitSaved(leader.page);
    assert.equal(await editorText(leader.page), 'Innledende tekst. Alfa beta .\n');
    for (const u of [leader, member]) {
      const orphan = u.page.locator(`[data-testid="thread"][data-thread-id="${id}"][data-orphaned="true"]`);
      await orphan.waitFor();
      assert.equal(await orphan.getByTestId('thread-orphaned').textContent(), nb['review.orphaned']);
      assert.equal(await orphan.getByTestId('thread-quote').textContent(), 'gamma delta');
      await highlight(u.page, id).waitFor({ state: 'detached' });
    }
    const [gone] = (await api(server, 'leader', 'GET', `/api/plans/${plan.id}/comments?section=${section}`)).items;
    assert.equal(gone.orphaned, true);
    assert.equal(gone.quote, 'gamma delta');
    for (const u of users) await u.context.close();
  });

  it('blocks the approval with a required change until the leader has made it and the steering group resolved it', async () => {
    const { plan, users } = await editingNewPlan(server, browser, 'Kravplan', ['leader', 'steering']);
    const [leader, steering] = users;
    const political = await loginAs(server, browser, 'political', { path: `/plans/${plan.id}` });
    await writeText(leader, 'Kostnadene er ikke beregnet.', steering);

    await lock(steering.page);
    await banner(leader.page, 'review').waitFor();
    const id = await comment(steering.page, 'ikke beregnet', 'Beregn kostnadene før godkjenning.');
    const card = threadCard(steering.page, id);
    await card.getByTestId('require-change').click();
    await steering.page.locator(`[data-testid="thread"][data-thread-id="${id}"][data-required="true"]`).getByTestId('required-badge').waitFor();
    // Not done yet: the steering group cannot resolve it.
    assert.equal(await card.getByTestId('resolve-thread').count(), 0);

    // Every banner lists it, as a link to the thread.
    for (const u of [leader, steering, political]) {
      const req = u.page.getByTestId('banner-requirements');
      await req.locator(`[data-testid="requirement-link"][data-thread-id="${id}"]`).waitFor();
      assert.match(await req.textContent(), /ikke beregnet/);
    }
    await leader.page.getByTestId('requirement-link').click();
    await leader.page.locator(`[data-testid="thread"][data-thread-id="${id}"][data-active="true"]`).waitFor();
    await waitFor(() => leader.page.evaluate((id) => document.activeElement?.dataset.threadId === id, id), { message: 'the linked thread to take the focus' });

    // The steering group's approval is refused while it is open.
    await steering.page.getByTestId('action-approve').click();
    await steering.page.locator('.page-plan p.error[role="alert"]', { hasText: nb['error.required_changes_open'] }).waitFor();
    await banner(steering.page, 'review').waitFor();
    assert.equal(await steering.page.locator('[data-testid="approvals"] li[data-role="steering"]').getAttribute('data-approved'), 'false');

    // Returned, the leader makes the change and marks it done.
    await steering.page.getByTestId('action-return').click();
    await steering.page.getByTestId('return-dialog-input').fill('Se endringskravet.');
    await steering.page.getByTestId('return-dialog-confirm').click();
    await banner(leader.page, 'draft').waitFor();
    await leader.page.locator('.editor[data-readonly="false"]').waitFor();
    await typeAtStart(leader.page, 'Kostnadene er 2 mill. ');
    await threadCard(leader.page, id).getByTestId('mark-done').click();
    await leader.page.locator(`[data-testid="thread"][data-thread-id="${id}"][data-done="true"]`).waitFor();
    await steering.page.locator(`[data-testid="banner-requirements"] li[data-thread-id="${id}"][data-done="true"]`).waitFor();

    // The steering group resolves it; the list is gone from every banner.
    await card.locator('[data-testid="resolve-thread"]').click();
    await steering.page.getByTestId('banner-requirements').waitFor({ state: 'detached' });
    await leader.page.getByTestId('banner-requirements').waitFor({ state: 'detached' });
    await political.page.getByTestId('banner-requirements').waitFor({ state: 'detached' });

    // Locked again, both approve.
    await lock(steering.page);
    await banner(political.page, 'review').getByTestId('action-approve').click();
    await steering.page.locator('[data-testid="approvals"] li[data-role="political"][data-approved="true"]').waitFor();
    await steering.page.getByTestId('action-approve').click();
    for (const u of [leader, steering, political]) await banner(u.page, 'approved').waitFor();
    for (const u of [...users, political]) await u.context.close();
  });

  it('shows a comment body that looks like HTML as text, running nothing, in every browser', async () => {
    const { plan, section, users } = await editingNewPlan(server, browser, 'Tekstplan', ['leader', 'member', 'reader']);
    const [leader, member, reader] = users;
    await writeText(leader, 'Her står en setning.', member, reader);
    const body = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';
    // Written from the keyboard shortcut this time.
    const id = await comment(member.page, 'en setning', body, { shortcut: true });
    const check = async (u) => {
      const b = threadCard(u.page, id).getByTestId('thread-body');
      await b.waitFor();
      assert.equal(await b.textContent(), body, `${u.who} sees the body as text`);
      assert.equal(await u.page.locator('[data-testid="comments-panel"] img, [data-testid="comments-panel"] script').count(), 0, `${u.who}: no element made of it`);
      assert.equal(await u.page.evaluate(() => window.__xss), undefined, `${u.who}: nothing ran`);
    };
    for (const u of users) await check(u);
    // Once more as the page builds it from the fetched list after a reload.
    await openSection(reader.page, server, plan.id, section, { editable: false });
    await check(reader);
    for (const u of users) assert.equal(await u.page.evaluate(() => window.__xss), undefined, `${u.who}: nothing ran later`);
    for (const u of users) await u.context.close();
  });

  it('accepts a suggestion into the text, names both in the history, and refuses an outdated one', async () => {
    const { plan, section, users } = await editingNewPlan(server, browser, 'Forslagsplan', ['leader', 'member']);
    const [leader, member] = users;
    const ids = await userIds(server);
    await writeText(leader, 'Kommunen skal bygge 100 nye boliger innen 2030.', member);

    // The member suggests a new number for "100".
    await mouseSelect(member.page, '100');
    await member.page.getByTestId('suggest-button').click();
    const input = member.page.getByTestId('suggestion-input');
    assert.equal(await input.inputValue(), '100');
    await input.fill('250');
    await member.page.getByTestId('suggestion-submit').click();
    await member.page.getByTestId('suggestion-composer').waitFor({ state: 'detached' });
    const id = await member.page.getByTestId('suggestion').getAttribute('data-suggestion-id');

    // The leader sees it over the text: "100" struck through, "250" beside it.
    const overlay = `[data-testid="suggestion-overlay"][data-suggestion-id="${id}"]`;
    await waitMarkOn(leader.page, overlay, '100', 'the strike over "100"');
    const mark = leader.page.locator(overlay);
    assert.match(await mark.getAttribute('class'), /\bhas-strike\b/);
    assert.equal(await mark.getByTestId('suggestion-insert').textContent(), '250');
    const card = suggestionCard(leader.page, id);
    assert.equal(await card.locator('del').textContent(), '100');
    assert.equal(await card.locator('ins').textContent(), '250');

    await card.getByTestId('accept-suggestion').click();
    const expected = 'Kommunen skal bygge 250 nye boliger innen 2030.\n';
    for (const u of users) await waitFor(async () => (await editorText(u.page)) === expected, { message: `${u.who} to show the accepted text` });
    await leader.page.locator(overlay).waitFor({ state: 'detached' });
    await member.page.locator(overlay).waitFor({ state: 'detached' });
    assert.equal(await serverText(server, plan.id, section), expected);
    await member.page.getByTestId('filter-resolved').click();
    await member.page.locator(`[data-testid="suggestion"][data-suggestion-id="${id}"][data-status="accepted"]`).waitFor();
    await member.page.getByTestId('filter-open').click();
    await openSection(member.page, server, plan.id, section, { editable: false });
    assert.equal(await editorText(member.page), expected);
    await openSection(leader.page, server, plan.id, section);
    assert.equal(await editorText(leader.page), expected);

    // The history says the leader took the member's suggestion.
    await leader.page.getByTestId('history-button').click();
    const taken = leader.page.getByTestId('history-panel').locator(`[data-testid="history-group"][data-by="${ids.leader}"]`, {
      hasText: msg('history.acceptedSuggestion', { name: 'Mats Medlem' }),
    });
    await taken.waitFor();
    assert.equal(await taken.locator('.author').textContent(), 'Lene Leder');

    // A second suggestion, on text the leader then changes: outdated, not to be accepted.
    await mouseSelect(member.page, '2030');
    await member.page.getByTestId('suggest-button').click();
    await member.page.getByTestId('suggestion-input').fill('2028');
    await member.page.getByTestId('suggestion-submit').click();
    await member.page.getByTestId('suggestion-composer').waitFor({ state: 'detached' });
    const late = await member.page.getByTestId('suggestion').getAttribute('data-suggestion-id');
    await suggestionCard(leader.page, late).getByTestId('accept-suggestion').waitFor();
    await keySelect(leader.page, '2030');
    await leader.page.keyboard.type('2031');
    await waitSaved(leader.page);
    const edited = 'Kommunen skal bygge 250 nye boliger innen 2031.\n';
    assert.equal(await editorText(leader.page), edited);
    for (const u of users) {
      await u.page.locator(`[data-testid="suggestion"][data-suggestion-id="${late}"][data-outdated="true"]`).getByTestId('suggestion-outdated').waitFor();
    }
    assert.equal(await suggestionCard(leader.page, late).getByTestId('accept-suggestion').isDisabled(), true);
    await assert.rejects(api(server, 'leader', 'POST', `/api/plans/${plan.id}/suggestions/${late}/accept`), { status: 409, code: 'conflict' });
    assert.equal(await serverText(server, plan.id, section), edited);
    assert.equal(await editorText(member.page), edited);
    for (const u of users) await u.context.close();
  });
});
