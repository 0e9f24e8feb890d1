// Forgotten password and notification settings, in the browser: the login
// page's "Glemt passord?" asks for a link, the link is read from the
// message a real SMTP conversation delivered to this test, the page it
// opens sets a new password and signs the person in; the link does not
// work twice. Then the person chooses a daily digest in nynorsk from the
// user menu.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { DEMO_PASSWORD, DEMO_USERS, axeViolations, nb, newContext, useServerAndBrowser, waitFor } from './harness.mjs';

/**
 * startSMTPSink is a minimal SMTP server: it accepts every message and
 * keeps its data (dot-unstuffed), speaking just enough of RFC 5321 for a
 * client that needs no TLS and no AUTH.
 */
function startSMTPSink() {
  const messages = [];
  const srv = createServer((sock) => {
    sock.setEncoding('latin1');
    let buf = '';
    let data = null;
    const reply = (line) => sock.write(`${line}\r\n`);
    reply('220 sink.test ESMTP');
    sock.on('data', (chunk) => {
      buf += chunk;
      for (;;) {
        if (data !== null) {
          const end = buf.indexOf('\r\n.\r\n');
          if (end < 0) return;
          data += buf.slice(0, end + 2);
          buf = buf.slice(end + 5);
          messages.push(Buffer.from(data.replace(/^\.\./gm, '.'), 'latin1').toString('utf8'));
          data = null;
          reply('250 2.0.0 queued');
          continue;
        }
        const nl = buf.indexOf('\r\n');
        if (nl < 0) return;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') {
          reply('250-sink.test');
          reply('250 8BITMIME');
        } else if (verb === 'HELO' || verb === 'MAIL' || verb === 'RCPT' || verb === 'RSET' || verb === 'NOOP') reply('250 OK');
        else if (verb === 'DATA') {
          data = '';
          reply('354 end with <CRLF>.<CRLF>');
        } else if (verb === 'QUIT') {
          reply('221 bye');
          sock.end();
          return;
        } else reply('502 not implemented');
      }
    });
    sock.on('error', () => {});
  });
  return new Promise((resolve) => {
    srv.listen(0, '127.0.0.1', () => resolve({ port: srv.address().port, messages, close: () => srv.close() }));
  });
}

/** bodyText decodes the quoted-printable text of a message. */
function bodyText(raw) {
  const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
  const qp = body.replace(/=\r\n/g, '');
  const bytes = [];
  for (let i = 0; i < qp.length; i++) {
    if (qp[i] === '=' && /^[0-9A-F]{2}$/.test(qp.slice(i + 1, i + 3))) {
      bytes.push(parseInt(qp.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(qp.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('utf8');
}

describe('forgotten password', () => {
  let server;
  let browser;
  let sink;
  before(async () => {
    sink = await startSMTPSink();
  });
  after(() => sink?.close());
  useServerAndBrowser(
    (s, b) => {
      server = s;
      browser = b;
    },
    {
      env: (url) => ({
        TEMAPLAN_SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
        TEMAPLAN_MAIL_FROM: 'Temaplan Demo <noreply@demo.no>',
        TEMAPLAN_PUBLIC_URL: url,
      }),
    },
  );

  it('a link from the e-mail sets a new password once', async () => {
    const context = await newContext(browser, 'leader', { bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${server.url}/logg-inn`);
    await page.getByTestId('login-forgot').click();
    await page.getByRole('heading', { name: nb['forgot.heading'] }).waitFor();
    assert.deepEqual(await axeViolations(page), []);
    await page.getByTestId('forgot-email').fill(DEMO_USERS.leader.email);
    await page.getByTestId('forgot-submit').click();
    await page.getByTestId('forgot-done').filter({ hasText: DEMO_USERS.leader.email }).waitFor();

    const raw = await waitFor(() => sink.messages.find((m) => m.includes('To: <leader@demo.no>')), { message: 'the reset e-mail' });
    assert.match(raw, /^Subject: Sett nytt passord i Temaplan\r$/m);
    assert.match(raw, /^Content-Language: nb\r$/m);
    assert.match(raw, /forh=C3=A5pentligvis/, 'å quoted-printable');
    const text = bodyText(raw);
    const link = text.match(new RegExp(`${server.url.replace(/[.]/g, '\\.')}/nytt-passord#[A-Za-z0-9_-]+`))?.[0];
    assert.ok(link, `no link in:\n${text}`);
    assert.match(text, /Hei Lene Leder,/);

    await page.goto(link);
    await page.getByTestId('password-new').waitFor();
    // The token left the address bar at once.
    assert.equal(new URL(page.url()).hash, '');
    assert.deepEqual(await axeViolations(page), []);
    await page.getByTestId('password-new').fill('kort');
    await page.getByTestId('password-again').fill('kort');
    await page.getByTestId('password-submit').click();
    await page.getByTestId('password-error').filter({ hasText: '12' }).waitFor();
    await page.getByTestId('password-new').fill('et nytt passord for Lene');
    await page.getByTestId('password-again').fill('et nytt passord for Lene');
    await page.getByTestId('password-submit').click();
    await page.getByTestId('current-user').filter({ hasText: DEMO_USERS.leader.name }).waitFor();
    await page.getByTestId('flash').filter({ hasText: nb['password.done'] }).waitFor();

    const login = (password) =>
      fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: DEMO_USERS.leader.email, password }),
      }).then((r) => r.status);
    assert.equal(await login(DEMO_PASSWORD), 401);
    assert.equal(await login('et nytt passord for Lene'), 200);

    // The link again, in another browser: used.
    const other = await newContext(browser, 'again');
    const again = await other.newPage();
    await again.goto(link);
    await again.getByTestId('password-error').filter({ hasText: nb['password.used'] }).waitFor();
    await again.getByTestId('password-new-link').waitFor();
    await other.close();

    // The notification settings, from the user menu.
    await page.getByTestId('nav-notifications').click();
    await page.getByRole('heading', { name: nb['notify.heading'] }).waitFor();
    assert.deepEqual(await axeViolations(page), []);
    await page.getByTestId('notify-mode-digest').check();
    await page.getByTestId('notify-lang').selectOption('nn');
    await page.getByTestId('notify-save').click();
    await page.getByTestId('notify-status').filter({ hasText: nb['notify.saved'] }).waitFor();
    await page.reload();
    await page.getByTestId('notify-mode-digest').waitFor();
    assert.equal(await page.getByTestId('notify-mode-digest').isChecked(), true);
    assert.equal(await page.getByTestId('notify-lang').inputValue(), 'nn');
    await context.close();
  });

  it('answers an unknown e-mail the same way, and sends nothing', async () => {
    const before = sink.messages.length;
    const context = await newContext(browser, 'nobody');
    const page = await context.newPage();
    await page.goto(`${server.url}/glemt-passord`);
    await page.getByTestId('forgot-email').fill('ingen@demo.no');
    await page.getByTestId('forgot-submit').click();
    await page.getByTestId('forgot-done').filter({ hasText: 'ingen@demo.no' }).waitFor();
    await page.goto(`${server.url}/nytt-passord#ikke-en-gyldig-lenke-123456`);
    await page.getByTestId('password-error').filter({ hasText: nb['password.invalid'] }).waitFor();
    await context.close();
    assert.equal(sink.messages.length, before);
  });
});
