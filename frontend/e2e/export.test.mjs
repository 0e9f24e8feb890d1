// Export in the browser: a reader opens "Eksporter" on the plan page,
// chooses PDF and the current text, follows the job (the live region
// says it is under way, then ready) and downloads the file through the
// link the dialog offers; then a spreadsheet of a named version. The
// dialog passes axe. SHOTS=1 saves a screenshot to /tmp/shots/export.png.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { api, axeViolations, createPlan, loginAs, nb, useServerAndBrowser } from './harness.mjs';

const msg = (key, vars = {}) => nb[key].replace(/\{(\w+)\}/g, (_, k) => String(vars[k]));

describe('export', () => {
  let server;
  let browser;
  useServerAndBrowser((s, b) => {
    server = s;
    browser = b;
  });

  it('a reader exports the plan as PDF and a version as a spreadsheet, and downloads them', async () => {
    const plan = await createPlan(server, 'Boligplan for eksport');
    await api(server, 'leader', 'POST', `/api/plans/${plan.id}/versions`, { name: 'Utkast 1' });

    const { page } = await loginAs(server, browser, 'reader', { path: `/plans/${plan.id}`, contextOptions: { bypassCSP: true } });
    await page.getByTestId('export-open').click();
    const dialog = page.getByTestId('export-dialog');
    await dialog.waitFor();
    assert.equal(await dialog.getByTestId('export-format-pdf').isChecked(), true);
    const options = await dialog.getByTestId('export-version').locator('option').allTextContents();
    assert.equal(options[0], nb['export.version.current']);
    assert.match(options[1], /^Utkast 1 \(/);
    assert.deepEqual(await axeViolations(page), []);

    // PDF of the current text: under way, then ready with a link.
    await dialog.getByTestId('export-start').click();
    const status = dialog.getByTestId('export-status');
    assert.equal(await status.getAttribute('aria-live'), 'polite');
    const link = dialog.getByTestId('export-download');
    await link.waitFor({ timeout: 60_000 });
    assert.equal(await status.textContent(), nb['export.done']);
    assert.equal(await link.textContent(), msg('export.download', { name: 'Boligplan for eksport.pdf' }));
    const [pdf] = await Promise.all([page.waitForEvent('download'), link.click()]);
    assert.equal(pdf.suggestedFilename(), 'Boligplan for eksport.pdf');
    assert.equal(readFileSync(await pdf.path()).subarray(0, 5).toString(), '%PDF-');
    if (process.env.SHOTS) {
      mkdirSync('/tmp/shots', { recursive: true });
      await page.screenshot({ path: '/tmp/shots/export.png' });
    }

    // A spreadsheet of "Utkast 1".
    await dialog.getByTestId('export-format-xlsx').check();
    await dialog.getByTestId('export-version').selectOption({ label: options[1] });
    await dialog.getByTestId('export-start').click();
    await dialog.getByTestId('export-download').filter({ hasText: 'Utkast 1' }).waitFor({ timeout: 30_000 });
    const [xlsx] = await Promise.all([page.waitForEvent('download'), dialog.getByTestId('export-download').click()]);
    assert.equal(xlsx.suggestedFilename(), 'Boligplan for eksport - Utkast 1.xlsx');
    assert.equal(readFileSync(await xlsx.path()).subarray(0, 2).toString(), 'PK');

    // Lukk gives the focus back to the button.
    await dialog.getByTestId('export-close').click();
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'export-open');
  });
});
