// Nothing typed is lost: a browser that goes offline keeps typing, says so,
// and when it is back its text arrives exactly once — on the server and at
// the other person. Changes not yet sent survive a page reload too.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  editingNewPlan,
  editorText,
  saveStatus,
  serverText,
  useServerAndBrowser,
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
    const { plan, section, users: [kari, ola] } = await editingNewPlan(server, browser, undefined, [
      'Kari Nordmann',
      'Ola Hansen',
    ]);

    await kari.page.locator('.ql-editor').click();
    await kari.page.keyboard.type('Før brudd.');
    await waitSaved(kari.page);
    await waitFor(async () => (await editorText(ola.page)).includes('Før brudd.'), { message: 'Ola to see the first text' });

    // Offline: typing goes on, the status says the changes wait.
    await kari.context.setOffline(true);
    await kari.page.locator('.save-status[data-state="offline"]').waitFor();
    assert.equal(await saveStatus(kari.page), OFFLINE);
    await kari.page.locator('.conn[data-state="offline"]').waitFor();
    await kari.page.keyboard.press('End');
    await kari.page.keyboard.type(' Skrevet uten nett.');
    await kari.page.keyboard.press('Enter');
    await kari.page.keyboard.type('Ny linje.');
    assert.equal(await saveStatus(kari.page), OFFLINE);
    await sleep(1500);
    assert.equal(count(await serverText(server.url, plan.id, section), 'uten nett'), 0, 'nothing reached the server');
    assert.equal(count(await editorText(ola.page), 'uten nett'), 0);

    // Back online: sent once, seen once.
    await kari.context.setOffline(false);
    await waitSaved(kari.page, 30_000);
    const text = await waitFor(
      async () => {
        const [a, b, s] = await Promise.all([editorText(kari.page), editorText(ola.page), serverText(server.url, plan.id, section)]);
        return a === b && b === s ? s : null;
      },
      { message: 'Kari, Ola and the server to agree' },
    );
    assert.equal(text, 'Før brudd. Skrevet uten nett.\nNy linje.\n');
    await kari.context.close();
    await ola.context.close();
  });

  it('keeps unsent changes across a page reload and sends them once', async () => {
    const { plan, section, users: [kari, ola] } = await editingNewPlan(server, browser, 'Omlastingsplan', [
      'Kari Nordmann',
      'Ola Hansen',
    ]);

    await kari.page.locator('.ql-editor').click();
    await kari.page.keyboard.type('Lagret.');
    await waitSaved(kari.page);

    // The server stops answering on this page's socket (the network is
    // up, so the page can still be reloaded).
    let blocked = true;
    await kari.page.routeWebSocket(/\/api\/ws$/, (ws) => {
      if (!blocked) ws.connectToServer();
    });
    await kari.page.evaluate(() => window.dispatchEvent(new Event('offline')));
    await kari.page.locator('.save-status[data-state="offline"]').waitFor();
    await kari.page.evaluate(() => window.dispatchEvent(new Event('online')));
    await kari.page.keyboard.press('End');
    await kari.page.keyboard.type(' Ikke sendt ennå.');
    await sleep(500);
    assert.equal(count(await serverText(server.url, plan.id, section), 'Ikke sendt'), 0);
    await waitFor(async () => (await kari.page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('temaplan.pending.')).length)) === 1, {
      message: 'the unsent change in localStorage',
    });

    // More typing, and at once a reload with a working socket: what was
    // not stored yet is written as the page goes; all of it is restored and sent.
    await kari.page.keyboard.type(' Rett før omlasting.');
    blocked = false;
    await kari.page.reload();
    await kari.page.locator('.ql-editor[contenteditable="true"]').waitFor();
    await waitSaved(kari.page, 30_000);
    const text = await waitFor(
      async () => {
        const [a, b, s] = await Promise.all([editorText(kari.page), editorText(ola.page), serverText(server.url, plan.id, section)]);
        return a === b && b === s ? s : null;
      },
      { message: 'Kari, Ola and the server to agree' },
    );
    assert.equal(text, 'Lagret. Ikke sendt ennå. Rett før omlasting.\n');
    await waitFor(async () => (await kari.page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('temaplan.pending.')).length)) === 0, {
      message: 'nothing left in localStorage once acknowledged',
    });
    await kari.context.close();
    await ola.context.close();
  });
});
