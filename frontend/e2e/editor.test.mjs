// The editor produces only what the server accepts: pasted content from a
// word processor is cleaned down to the whitelist, unsafe links are
// dropped, and the server stores exactly what the editor shows.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  api,
  editingNewPlan,
  createPlan,
  editorText,
  loginAs,
  sectionPath,
  serverText,
  useServerAndBrowser,
  waitEditor,
  waitFor,
  waitSaved,
} from './harness.mjs';

const WORD_HTML = `
<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><style>p.MsoNormal{font-family:Calibri}</style></head><body>
<h5 style="color:#2F5496;font-family:'Calibri Light'">Overskrift fra Word</h5>
<p class="MsoNormal"><span style="font-size:14pt;color:red;background:yellow;font-family:Calibri">Farget tekst</span>
<b>fet</b> <i>kursiv</i> <u>understreket</u> <s>gjennomstreket</s> <sub>senket</sub>
<a href="javascript:alert(1)">farlig lenke</a> <a href="https://www.husbanken.no/">Husbanken</a> <a href="tel:+4712345678">telefon</a></p>
<p><img src="https://example.com/logo.png" alt="logo"><font face="Arial" size="5">gammel font</font></p>
<ul><li data-list="checked">Avkrysset punkt</li></ul>
<pre>kodeblokk</pre>
<p style="text-align:center;direction:rtl">midtstilt</p>
</body></html>`;

const ALLOWED = new Set(['bold', 'italic', 'underline', 'strike', 'link', 'header', 'list', 'blockquote', 'indent', 'table']);

describe('editor', () => {
  let server;
  let browser;
  useServerAndBrowser((s, b) => {
    server = s;
    browser = b;
  });

  it('cleans pasted word-processor content down to the whitelist, and the server takes it', async () => {
    const { plan, section, users: [leader] } = await editingNewPlan(server, browser, 'Limeplan', ['leader']);
    await leader.page.locator('.ql-editor').click();
    await leader.page.evaluate((html) => {
      const dt = new DataTransfer();
      dt.setData('text/html', html);
      dt.setData('text/plain', 'fallback');
      document.querySelector('.ql-editor').dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
    }, WORD_HTML);
    await waitFor(async () => (await editorText(leader.page)).includes('midtstilt'), { message: 'the pasted text' });
    await waitSaved(leader.page);
    assert.equal(await leader.page.locator('.save-problem').isVisible(), false, 'no refused change');

    const content = await api(server, 'admin', 'GET', `/api/plans/${plan.id}/sections/${section}/content`);
    const ops = content.data.ops;
    for (const op of ops) {
      assert.equal(typeof op.insert, 'string', `only text, no embeds: ${JSON.stringify(op)}`);
      for (const [k, v] of Object.entries(op.attributes ?? {})) {
        assert.ok(ALLOWED.has(k), `attribute ${k} in ${JSON.stringify(op)}`);
        if (k === 'header') assert.ok(v >= 1 && v <= 4, `header ${v}`);
        if (k === 'list') assert.ok(v === 'ordered' || v === 'bullet', `list ${v}`);
        if (k === 'link') assert.match(v, /^(https?:\/\/|mailto:)/, `link ${v}`);
      }
    }
    if (process.env.E2E_DEBUG) console.log(JSON.stringify(ops));
    const attrsOf = (text) => ops.find((o) => o.insert.includes(text))?.attributes ?? {};
    assert.deepEqual(attrsOf('fet'), { bold: true });
    assert.deepEqual(attrsOf('Husbanken'), { link: 'https://www.husbanken.no/' });
    assert.equal(attrsOf('farlig lenke').link, undefined, 'javascript: link dropped');
    assert.equal(attrsOf('telefon').link, undefined, 'tel: link dropped');
    assert.deepEqual(attrsOf('Farget tekst'), {});
    const text = await serverText(server, plan.id, section);
    assert.equal(await editorText(leader.page), text, 'the editor shows what the server stored');
    await leader.context.close();
  });

  it('sends a big paste in parts, each under the server\'s op limit', async () => {
    const { plan, section, users: [leader] } = await editingNewPlan(server, browser, 'Stor plan', ['leader']);
    const page = leader.page;
    const paste = (text) =>
      page.evaluate((t) => {
        const dt = new DataTransfer();
        dt.setData('text/plain', t);
        document.querySelector('.ql-editor').dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
      }, text);
    // 200 000 characters: far over the server's 64 KiB per op.
    const line = 'Boligbehovet i kommunen øker med befolkningen – særlig for eldre. ';
    const big = Array.from({ length: 2000 }, (_, i) => `${i}: ${line}`).join('\n');
    await page.locator('.ql-editor').click();
    await paste(big);
    await waitSaved(page, 60_000);
    const text = await serverText(server, plan.id, section);
    assert.equal(text, big + '\n');

    await leader.context.close();
  });

  it('lets the keyboard out of the text and makes no checklists', async () => {
    const { plan, section, users: [leader] } = await editingNewPlan(server, browser, 'Tastaturplan', ['leader']);
    const page = leader.page;
    await page.locator('.ql-editor').click();
    await page.keyboard.type('[ ] ikke en sjekkliste');
    await page.keyboard.press('Enter');
    await page.keyboard.type('- punkt');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('ql-editor')), false, 'Tab leaves the editor');
    await waitSaved(page);
    const c = await api(server, 'admin', 'GET', `/api/plans/${plan.id}/sections/${section}/content`);
    assert.deepEqual(c.data.ops, [{ insert: '[ ] ikke en sjekkliste\npunkt' }, { insert: '\n', attributes: { list: 'bullet' } }]);
    await page.locator('.ql-editor').click();
    await page.keyboard.press('Escape');
    assert.equal(await page.evaluate(() => document.activeElement?.closest('[role="toolbar"]') !== null), true, 'Escape goes to the toolbar');
    await leader.context.close();
  });

  it('inserts only http, https and mailto links from the link dialog', async () => {
    const { plan, section, users: [leader] } = await editingNewPlan(server, browser, 'Lenkeplan', ['leader']);
    const page = leader.page;
    await page.locator('.ql-editor').click();
    await page.keyboard.type('Les veilederen');
    await page.keyboard.press('Shift+Home');
    await page.getByRole('button', { name: 'Lenke' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Adresse (https://, http:// eller mailto:)').fill('javascript:alert(1)');
    await dialog.getByRole('button', { name: 'Sett inn lenke' }).click();
    await dialog.getByText('Adressen må begynne med https://, http:// eller mailto:').waitFor();
    await dialog.getByLabel('Adresse (https://, http:// eller mailto:)').fill('husbanken.no/veiledere');
    await dialog.getByRole('button', { name: 'Sett inn lenke' }).click();
    await waitSaved(page);
    await waitFor(
      async () => {
        const c = await api(server, 'admin', 'GET', `/api/plans/${plan.id}/sections/${section}/content`);
        return c.data.ops.some((o) => o.insert === 'Les veilederen' && o.attributes?.link === 'https://husbanken.no/veiledere');
      },
      { message: 'the link on the server' },
    );
    assert.equal(await page.locator('.ql-editor a').getAttribute('href'), 'https://husbanken.no/veiledere');
    await leader.context.close();
  });

  it('opening empty sections, in one section and as the whole plan, edits none of them; the first word does', async () => {
    const { plan, section, users: [leader] } = await editingNewPlan(server, browser, 'Tom plan', ['leader']);
    const page = leader.page;
    const versions = async () => {
      const p = await api(server, 'admin', 'GET', `/api/plans/${plan.id}`);
      const walk = (list) => list.flatMap((s) => [s, ...walk(s.children ?? [])]);
      const out = {};
      for (const s of walk(p.sections)) out[s.id] = (await api(server, 'admin', 'GET', `/api/plans/${plan.id}/sections/${s.id}/content`)).v;
      return out;
    };
    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
    // Look, click into the text, leave it: no edit.
    await page.locator('.ql-editor').click();
    await page.keyboard.press('Tab');
    await page.getByTestId('document-mode').click();
    const editors = page.getByTestId('doc-section').locator('.ql-editor[contenteditable="true"]');
    await editors.nth(2).waitFor();
    await editors.nth(1).click();
    await editors.nth(2).click();
    await sleep(3000);
    const before = await versions();
    assert.deepEqual(Object.values(before).filter((v) => v !== 0), [], `every section still at version 0: ${JSON.stringify(before)}`);
    const history = await api(server, 'admin', 'GET', `/api/plans/${plan.id}/sections/${section}/history`);
    assert.deepEqual(history.items, [], 'no history line for looking');
    // The first word goes with the line it is on, once.
    await editors.nth(1).click();
    await page.keyboard.type('Hei');
    const second = Object.keys(before)[1];
    await waitFor(async () => (await serverText(server, plan.id, second)) === 'Hei\n', { message: 'the first word saved' });
    const after = await versions();
    assert.deepEqual(Object.entries(after).filter(([, v]) => v !== 0).map(([id]) => id), [second], 'only the written section changed');
    await leader.context.close();
  });

  it('a document without its final newline (stored before sections started as one empty line) is not edited by looking; the first word carries the newline', async () => {
    const plan = await createPlan(server, 'Gammel tom plan');
    const section = plan.sections[0].id;
    const leader = await loginAs(server, browser, 'leader', { path: '/' });
    const page = leader.page;
    // The server's version 0 is one empty line; the socket hands the page
    // the empty document of old instead, and records the ops it sends.
    const sent = [];
    await page.routeWebSocket(/\/api\/ws$/, (ws) => {
      const srv = ws.connectToServer();
      ws.onMessage((m) => {
        for (const line of String(m).split('\n')) if (line.includes('"type":"op"')) sent.push(JSON.parse(line));
        srv.send(m);
      });
      srv.onMessage((m) => {
        const lines = String(m).split('\n').map((line) => {
          const msg = line.startsWith('{') ? JSON.parse(line) : null;
          if (msg?.type !== 'snapshot' || msg.v !== 0) return line;
          return JSON.stringify({ ...msg, data: { ops: [] } });
        });
        ws.send(lines.join('\n'));
      });
    });
    await page.goto(server.url + sectionPath(plan.id, section));
    await waitEditor(page);
    await page.locator('.ql-editor').click();
    await page.getByTestId('document-mode').click();
    const editors = page.getByTestId('doc-section').locator('.ql-editor[contenteditable="true"]');
    await editors.nth(2).waitFor();
    await editors.nth(1).click();
    await new Promise((r) => setTimeout(r, 3000));
    assert.deepEqual(sent, [], 'no op for looking');
    const content = await api(server, 'admin', 'GET', `/api/plans/${plan.id}/sections/${section}/content`);
    assert.equal(content.v, 0);
    await editors.nth(1).click();
    await page.keyboard.type('Hei');
    await waitFor(() => sent.length > 0, { message: 'the first word sent' });
    // The first key goes at once, with the newline the server lacks.
    assert.deepEqual(sent[0].op.ops, [{ insert: 'H\n' }]);
    await leader.context.close();
  });
});
