// The password pages, reachable without signing in: "Glemt passord?"
// (/glemt-passord) asks for a link by e-mail, and the page a link opens
// (/nytt-passord#<token>) sets a new password — after a reset, or to accept
// an invitation. The token travels in the URL's fragment, which the
// browser sends to no server; the page takes it out of the address bar at
// once and keeps it in memory only.
import { ApiError, decode, networkError } from '../api/http';
import type { AuthSession } from '../auth/session';
import { h, replace, uniqueId } from '../dom';
import { t } from '../i18n';
import { problemText } from './labels';
import { FORGOT_PATH, type Page, type Router } from './router';

/** MIN_PASSWORD is the shortest password the server accepts (auth.MinPasswordLen). */
export const MIN_PASSWORD = 12;

/** TokenInfo is what POST /api/auth/password/token answers. */
export interface TokenInfo {
  kind: 'invitation' | 'password_reset';
  email: string;
  name: string;
  expires: string;
}

/** tokenFromHash returns the token of a password link's fragment ("#<token>"), or "". */
export function tokenFromHash(hash: string): string {
  const tok = hash.replace(/^#/, '');
  return /^[A-Za-z0-9_-]{16,200}$/.test(tok) ? tok : '';
}

/** linkProblem says why a password link cannot be used, in the user's language. */
export function linkProblem(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'token_expired') return t('password.expired');
    if (err.code === 'token_used') return t('password.used');
    if (err.code === 'unauthorized') return t('password.invalid');
  }
  return problemText(err);
}

/** passwordProblem checks a new password and its repetition before they are sent; null when fine. */
export function passwordProblem(password: string, again: string): string | null {
  if ([...password].length < MIN_PASSWORD) return t('password.tooShort', { min: MIN_PASSWORD });
  if (password.trim() === '') return t('password.blank');
  if (password !== again) return t('password.mismatch');
  return null;
}

/** postPublic posts JSON to a route that needs no login and decodes the answer. */
async function postPublic<T>(path: string, body: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch (err) {
    throw networkError(err);
  }
  return decode<T>(res);
}

/** ForgotPasswordPage asks for a link to set a new password. */
export class ForgotPasswordPage implements Page {
  readonly element: HTMLElement;

  constructor() {
    const emailId = uniqueId('forgot-email');
    const headId = uniqueId('forgot-h');
    const msgId = uniqueId('forgot-msg');
    const email = h('input', {
      id: emailId,
      name: 'email',
      type: 'email',
      autocomplete: 'username',
      required: true,
      spellcheck: 'false',
      autocapitalize: 'none',
      'aria-describedby': msgId,
      'data-testid': 'forgot-email',
    });
    const msg = h('p', { id: msgId, class: 'error', 'aria-live': 'assertive', 'data-testid': 'forgot-error' });
    const done = h('p', { class: 'notice', role: 'status', 'data-testid': 'forgot-done' });
    const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'forgot-submit' }, t('forgot.submit'));
    const form = h(
      'form',
      {
        novalidate: true,
        'aria-labelledby': headId,
        onsubmit: async (e: SubmitEvent) => {
          e.preventDefault();
          if (submit.disabled) return;
          const address = email.value.trim();
          msg.textContent = '';
          done.textContent = '';
          email.removeAttribute('aria-invalid');
          if (!address) {
            msg.textContent = t('forgot.required');
            email.setAttribute('aria-invalid', 'true');
            email.focus();
            return;
          }
          submit.disabled = true;
          form.setAttribute('aria-busy', 'true');
          try {
            await postPublic('/api/auth/password/forgot', { email: address });
            // The same answer whether the address has an account or not.
            done.textContent = t('forgot.sent', { email: address });
          } catch (ex) {
            msg.textContent =
              ex instanceof ApiError && ex.code === 'rate_limited'
                ? ex.retryAfter
                  ? t('forgot.rateLimited', { minutes: Math.max(1, Math.ceil(ex.retryAfter / 60)) })
                  : t('login.rateLimitedSoon')
                : problemText(ex);
          } finally {
            submit.disabled = false;
            form.removeAttribute('aria-busy');
          }
        },
      },
      h('p', { class: 'field' }, h('label', { for: emailId }, t('login.email')), email),
      msg,
      h('p', { class: 'buttons' }, submit),
    );
    this.element = h(
      'div',
      { class: 'page page-login' },
      h(
        'section',
        { class: 'card login' },
        h('h1', { id: headId, tabindex: '-1' }, t('forgot.heading')),
        h('p', null, t('forgot.intro')),
        form,
        done,
        h('p', null, h('a', { href: '/logg-inn', 'data-link': '' }, t('forgot.back'))),
      ),
    );
    queueMicrotask(() => {
      if (this.element.isConnected && !this.element.contains(document.activeElement)) email.focus();
    });
  }

  destroy(): void {}
}

/** SetPasswordPage uses a password link: it says whose it is, then sets the new password and signs in. */
export class SetPasswordPage implements Page {
  readonly element: HTMLElement;
  private readonly body: HTMLElement;
  private readonly heading: HTMLElement;
  private readonly token: string;
  private destroyed = false;

  constructor(
    private readonly router: Router,
    private readonly auth: AuthSession,
  ) {
    this.token = tokenFromHash(location.hash);
    if (location.hash) history.replaceState(history.state, '', location.pathname + location.search);
    this.heading = h('h1', { tabindex: '-1', 'data-testid': 'password-heading' }, t('password.heading'));
    this.body = h('div', { 'aria-live': 'polite' }, h('p', { 'aria-busy': 'true' }, t('app.loading')));
    this.element = h('div', { class: 'page page-login' }, h('section', { class: 'card login' }, this.heading, this.body));
    void this.load();
  }

  destroy(): void {
    this.destroyed = true;
  }

  private async load(): Promise<void> {
    if (!this.token) {
      this.refuse(t('password.invalid'));
      return;
    }
    try {
      const info = await postPublic<TokenInfo>('/api/auth/password/token', { token: this.token });
      if (!this.destroyed) this.showForm(info);
    } catch (ex) {
      if (!this.destroyed) this.refuse(linkProblem(ex));
    }
  }

  // refuse says the link cannot be used and offers a new one.
  private refuse(text: string): void {
    replace(
      this.body,
      h('p', { class: 'error', 'data-testid': 'password-error' }, text),
      h('p', null, h('a', { href: FORGOT_PATH, 'data-link': '', 'data-testid': 'password-new-link' }, t('password.newLink'))),
    );
  }

  private showForm(info: TokenInfo): void {
    const invitation = info.kind === 'invitation';
    this.heading.textContent = invitation ? t('password.welcome', { name: info.name }) : t('password.heading');
    const pwId = uniqueId('pw-new');
    const againId = uniqueId('pw-again');
    const hintId = uniqueId('pw-hint');
    const errId = uniqueId('pw-err');
    const user = h('input', { type: 'email', name: 'email', autocomplete: 'username', value: info.email, readonly: true, hidden: true });
    const pw = h('input', {
      id: pwId,
      type: 'password',
      name: 'new-password',
      autocomplete: 'new-password',
      required: true,
      minlength: String(MIN_PASSWORD),
      'aria-describedby': `${hintId} ${errId}`,
      'data-testid': 'password-new',
    });
    const again = h('input', {
      id: againId,
      type: 'password',
      name: 'new-password-again',
      autocomplete: 'new-password',
      required: true,
      'aria-describedby': errId,
      'data-testid': 'password-again',
    });
    const err = h('p', { id: errId, class: 'error', 'aria-live': 'assertive', 'data-testid': 'password-error' });
    const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'password-submit' }, t('password.submit'));
    const form = h(
      'form',
      {
        novalidate: true,
        onsubmit: async (e: SubmitEvent) => {
          e.preventDefault();
          if (submit.disabled) return;
          pw.removeAttribute('aria-invalid');
          again.removeAttribute('aria-invalid');
          const problem = passwordProblem(pw.value, again.value);
          if (problem) {
            err.textContent = problem;
            const field = problem === t('password.mismatch') ? again : pw;
            field.setAttribute('aria-invalid', 'true');
            field.focus();
            return;
          }
          err.textContent = '';
          submit.disabled = true;
          form.setAttribute('aria-busy', 'true');
          try {
            await postPublic('/api/auth/password/reset', { token: this.token, password: pw.value });
          } catch (ex) {
            submit.disabled = false;
            form.removeAttribute('aria-busy');
            if (ex instanceof ApiError && ex.code === 'invalid') {
              err.textContent = problemText(ex);
              pw.focus();
            } else {
              this.refuse(linkProblem(ex));
            }
            return;
          }
          try {
            await this.auth.login(info.email, pw.value);
            this.router.navigate('/', { replace: true, notice: t('password.done') });
          } catch {
            // Set, but not signed in (single sign-on only, say): log in by hand.
            this.router.navigate('/logg-inn', { replace: true, notice: t('password.doneLogin') });
          }
        },
      },
      user,
      h('p', { class: 'field' }, h('label', { for: pwId }, t('password.new')), pw),
      h('p', { id: hintId, class: 'hint' }, t('password.hint', { min: MIN_PASSWORD })),
      h('p', { class: 'field' }, h('label', { for: againId }, t('password.again')), again),
      err,
      h('p', { class: 'buttons' }, submit),
    );
    replace(
      this.body,
      h('p', { 'data-testid': 'password-intro' }, invitation ? t('password.introInvitation', { email: info.email }) : t('password.intro', { email: info.email })),
      form,
    );
    pw.focus();
  }
}
