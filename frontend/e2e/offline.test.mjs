// Nothing typed is lost: the leader's browser that goes offline keeps
// typing, says so, and when it is back its text arrives exactly once — on
// the server and at a member reading along. Changes not yet sent survive
// a page reload too.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  editingNewPlan,
  editorText,
  saveStatus,
  serverText,
  useServerAndBrowser,
  waitEditor,
  waitFor,
  waitSaved,
} from './harness.mjs';

const OFFLINE = 'Frakoblet – endringene sendes når forbindelsen er tilbake';
const count = (s, sub) => s.split(sub).length - 1;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe('offline editing', () => {
  let server;
  let browser;
  useServerAndBrowser((s, b) => {
    server = s;
    browser = b;
  });

  it('sends what was typed offline exactly once when the connection is back', async () => {
    const { plan, section, users: [leader, member] } = await editingNewPlan(server, browser, undefined, ['leader', 'member']);

    await leader.page.locator('.ql-editor').click();
    await leader.page.keyboard.type('Før brudd.');
    await waitSaved(leader.page);
    await waitFor(async () => (await editorText(member.page)).includes('Før brudd.'), { message: 'the member to see the first text' });

    // Offline: typing goes on, the status says the changes wait.
    await leader.context.setOffline(true);
    await leader.page.locator('.save-status[data-state="offline"]').waitFor();
    assert.equal(await saveStatus(leader.page), OFFLINE);
    await leader.page.locator('.conn[data-state="offline"]').waitFor();
    await leader.page.keyboard.press('End');
    await leader.page.keyboard.type(' Skrevet uten nett.');
    await leader.page.keyboard.press('Enter');
    await leader.page.keyboard.type('Ny linje.');
    assert.equal(await saveStatus(leader.page), OFFLINE);
    await sleep(1500);
    assert.equal(count(await serverText(server, plan.id, section), 'uten nett'), 0, 'nothing reached the server');
    assert.equal(count(await editorText(member.page), 'uten nett'), 0);

    // Back online: sent once, seen once.
    await leader.context.setOffline(false);
    await waitSaved(leader.page, 30_000);
    const text = await waitFor(
      async () => {
        const [a, b, s] = await Promise.all([editorText(leader.page), editorText(member.page), serverText(server, plan.id, section)]);
        return a === b && b === s ? s : null;
      },
      { message: 'the leader, the member and the server to agree' },
    );
    assert.equal(text, 'Før brudd. Skrevet uten nett.\nNy linje.\n');
    await leader.context.close();
    await member.context.close();
  });

  it('keeps unsent changes across a page reload and sends them once', async () => {
    const { plan, section, users: [leader, member] } = await editingNewPlan(server, browser, 'Omlastingsplan', ['leader', 'member']);

    await leader.page.locator('.ql-editor').click();
    await leader.page.keyboard.type('Lagret.');
    await waitSaved(leader.page);

    // The server stops answering on this page's socket (the network is
    // up, so the page can still be reloaded).
    let blocked = true;
    await leader.page.routeWebSocket(/\/api\/ws$/, (ws) => {
      if (!blocked) ws.connectToServer();
    });
    await leader.page.evaluate(() => window.dispatchEvent(new Event('offline')));
    await leader.page.locator('.save-status[data-state="offline"]').waitFor();
    await leader.page.evaluate(() => window.dispatchEvent(new Event('online')));
    await leader.page.keyboard.press('End');
    await leader.page.keyboard.type(' Ikke sendt ennå.');
    await sleep(500);
    assert.equal(count(await serverText(server, plan.id, section), 'Ikke sendt'), 0);
    await waitFor(async () => (await leader.page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('temaplan.pending.')).length)) === 1, {
      message: 'the unsent change in localStorage',
    });

    // More typing, and at once a reload with a working socket: what was
    // not stored yet is written as the page goes; all of it is restored and sent.
    await leader.page.keyboard.type(' Rett før omlasting.');
    blocked = false;
    await leader.page.reload();
    await waitEditor(leader.page, { timeout: 30_000 });
    const text = await waitFor(
      async () => {
        const [a, b, s] = await Promise.all([editorText(leader.page), editorText(member.page), serverText(server, plan.id, section)]);
        return a === b && b === s ? s : null;
      },
      { message: 'the leader, the member and the server to agree' },
    );
    assert.equal(text, 'Lagret. Ikke sendt ennå. Rett før omlasting.\n');
    await waitFor(async () => (await leader.page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('temaplan.pending.')).length)) === 0, {
      message: 'nothing left in localStorage once acknowledged',
    });
    await leader.context.close();
    await member.context.close();
  });
});
