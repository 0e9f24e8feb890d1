// The leader types into the same section from two browsers at the same
// time, at random places; both end with the same text, and it is the
// server's text. Only the leader writes, so the two writers are the
// leader signed in twice; the others see the leader's cursor.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createPlan,
  editingNewPlan,
  editorText,
  loginAs,
  placeCaret,
  seeded,
  serverText,
  sectionPath,
  useServerAndBrowser,
  waitEditor,
  waitFor,
  waitSaved,
} from './harness.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe('co-editing', () => {
  let server;
  let browser;
  useServerAndBrowser((s, b) => {
    server = s;
    browser = b;
  });

  it('two browsers typing at once into one section converge on the server text', async () => {
    const plan = await createPlan(server);
    const section = plan.sections[0].id;
    const kari = await loginAs(server, browser, 'leader');
    const ola = await loginAs(server, browser, 'leader');
    // Count the ops the server had to transform (acked at a later version
    // than they were made on): proof the typing really was concurrent.
    let transformed = 0;
    for (const { page } of [kari, ola]) {
      const made = new Map();
      page.on('websocket', (ws) => {
        ws.on('framesent', (f) => {
          const m = JSON.parse(String(f.payload));
          if (m.type === 'op') made.set(m.seq, m.v);
        });
        // A server frame may carry several messages, one per line.
        ws.on('framereceived', (f) => {
          for (const line of String(f.payload).split('\n')) {
            const m = JSON.parse(line);
            if (m.type === 'ack' && made.has(m.seq) && m.v > made.get(m.seq)) transformed++;
          }
        });
      });
    }
    for (const { page } of [kari, ola]) {
      await page.goto(server.url + sectionPath(plan.id, section));
      await waitEditor(page);
    }

    // Each sees the other (presence): the same person in another browser.
    for (const { page } of [kari, ola]) {
      await page.locator('.presence li .name', { hasText: /^Lene Leder$/ }).waitFor();
    }

    const typist = async (page, seed, alphabet) => {
      const rnd = seeded(seed);
      await page.locator('.ql-editor').click();
      for (let round = 0; round < 25; round++) {
        await placeCaret(page, rnd());
        const n = 1 + Math.floor(rnd() * 4);
        let s = '';
        for (let i = 0; i < n; i++) s += alphabet[Math.floor(rnd() * alphabet.length)];
        await page.keyboard.type(s, { delay: 5 + Math.floor(rnd() * 20) });
        const r = rnd();
        if (r < 0.15) await page.keyboard.press('Enter');
        else if (r < 0.3) await page.keyboard.press('Backspace');
        await sleep(Math.floor(rnd() * 40));
      }
    };
    await Promise.all([typist(kari.page, 1, 'abcdefgh'), typist(ola.page, 2, '12345678')]);

    await waitSaved(kari.page);
    await waitSaved(ola.page);
    const want = await waitFor(
      async () => {
        const [a, b, s] = await Promise.all([editorText(kari.page), editorText(ola.page), serverText(server, plan.id, section)]);
        return a === b && b === s ? s : null;
      },
      { message: 'both editors and the server to agree' },
    );
    // Both typed, and both kinds of characters survived somewhere.
    assert.match(want, /[a-h]/);
    assert.match(want, /[1-8]/);
    assert.ok(want.endsWith('\n'));
    assert.ok(transformed > 0, 'some ops crossed on the way to the server');

    // A reload shows the same text (it came from the server, not the page).
    await kari.page.reload();
    await waitEditor(kari.page);
    assert.equal(await editorText(kari.page), want);
    await kari.context.close();
    await ola.context.close();
  });

  it('keeps the local caret in its place when remote text arrives before it', async () => {
    const { plan, section, users: [kari, ola] } = await editingNewPlan(server, browser, 'Markørplassering', ['leader', 'leader']);
    await kari.page.locator('.ql-editor').click();
    await kari.page.keyboard.type('abcdef');
    for (let i = 0; i < 3; i++) await kari.page.keyboard.press('ArrowLeft');
    await waitSaved(kari.page);
    await waitFor(async () => (await editorText(ola.page)) === 'abcdef\n', { message: 'Ola to see abcdef' });
    await ola.page.locator('.ql-editor').click();
    await ola.page.keyboard.press('Control+Home');
    await ola.page.keyboard.type('XYZ');
    await waitFor(async () => (await editorText(kari.page)) === 'XYZabcdef\n', { message: 'Kari to see XYZ' });
    await kari.page.keyboard.type('!');
    await waitSaved(kari.page);
    assert.equal(await editorText(kari.page), 'XYZabc!def\n');
    await waitFor(async () => (await serverText(server, plan.id, section)) === 'XYZabc!def\n', { message: 'the server text' });
    await kari.context.close();
    await ola.context.close();
  });

  it("shows the leader's text and cursor, with the leader's name, to a member who reads along", async () => {
    const { users: [leader, member] } = await editingNewPlan(server, browser, 'Markørplan', ['leader', 'member']);
    await leader.page.locator('.ql-editor').click();
    await leader.page.keyboard.type('Hei fra Lene');
    await waitSaved(leader.page);
    await waitFor(async () => (await editorText(member.page)) === 'Hei fra Lene\n', { message: 'the member to see the text' });
    await member.page.locator('.ql-cursor .ql-cursor-name', { hasText: 'Lene Leder' }).waitFor({ state: 'attached' });
    assert.equal(await member.page.locator('.editor').getAttribute('data-readonly'), 'true');
    await leader.context.close();
    await member.context.close();
  });

  it("draws another tab's caret where it is, and keeps it on its text when text is typed before it", async () => {
    const { plan, section, users: [leader, member] } = await editingNewPlan(server, browser, 'Markørflytt', ['leader', 'member']);
    await leader.page.locator('.ql-editor').click();
    await leader.page.keyboard.type('abc def');
    await leader.page.keyboard.press('Home');
    for (let i = 0; i < 4; i++) await leader.page.keyboard.press('ArrowRight');
    await waitSaved(leader.page);
    // caretGap: how far the drawn caret is from the left edge of "def" in the member's text.
    const caretGap = () =>
      member.page.evaluate(() => {
        const caret = document.querySelector('.ql-cursor:not([hidden]) .ql-cursor-caret');
        const text = document.querySelector('.ql-editor p')?.firstChild;
        if (!caret || !text || !text.data.includes('def')) return null;
        const r = document.createRange();
        const i = text.data.indexOf('def');
        r.setStart(text, i);
        r.setEnd(text, i + 1);
        return Math.abs(caret.getBoundingClientRect().left + 1 - r.getBoundingClientRect().left);
      });
    await waitFor(async () => ((await caretGap()) ?? 99) < 3, { message: "the leader's caret before «def»" });
    // Another tab of the leader types at the start: the caret moves with its text.
    const other = await loginAs(server, browser, 'leader', { path: sectionPath(plan.id, section) });
    await waitEditor(other.page);
    await other.page.locator('.ql-editor').click();
    await other.page.keyboard.press('Control+Home');
    await other.page.keyboard.type('XYZ ');
    await waitSaved(other.page);
    await waitFor(async () => (await editorText(member.page)) === 'XYZ abc def\n', { message: 'the member to see the new text' });
    await waitFor(async () => ((await caretGap()) ?? 99) < 3, { message: "the leader's caret still before «def»" });
    for (const u of [leader, member, other]) await u.context.close();
  });
});
