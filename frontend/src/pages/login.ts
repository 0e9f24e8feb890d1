// The login page: e-mail and password, and single sign-on when the server
// has an OpenID Connect provider (GET /api/auth/methods). A refused login
// says so in one message for an unknown user and a wrong password alike (as
// the server does), a rate limit says how long to wait. On success the auth
// session tells the app, which goes back to the page the user came from.
//
// Single sign-on is a link, not a form: the server sends the browser on to
// the provider, and the provider back to the server, which sets the session
// cookie and sends the browser to the page it came from — or here, with
// ?feil=<code>, which this page shows.
import { ApiError } from '../api/http';
import type { AuthSession } from '../auth/session';
import { h, uniqueId } from '../dom';
import { errorText, t } from '../i18n';
import { problemText } from './labels';
import { FORGOT_PATH, safeNext, type Page } from './router';

/** AuthMethods is the answer of GET /api/auth/methods. */
export interface AuthMethods {
  sso: boolean;
  sso_name: string;
}

/** ssoStartPath is where the single sign-on link goes, to come back to next. */
export function ssoStartPath(next: string): string {
  const back = safeNext(next);
  return back === '/' ? '/api/auth/oidc/start' : `/api/auth/oidc/start?next=${encodeURIComponent(back)}`;
}

/** ssoLabel is the text of the single sign-on link. */
export function ssoLabel(m: AuthMethods): string {
  const name = m.sso_name.trim();
  return name ? t('login.sso', { name }) : t('login.ssoGeneric');
}

/** ssoProblem is the message for the ?feil= code a refused single sign-on came back with, or null. */
export function ssoProblem(search: string): string | null {
  const code = new URLSearchParams(search).get('feil');
  if (!code || !/^[a-z_]{1,40}$/.test(code)) return null;
  return errorText(code);
}

/** loginProblem says why a login failed, in the user's language. */
export function loginProblem(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'unauthorized') return t('login.failed');
    if (err.code === 'rate_limited') {
      return err.retryAfter !== undefined && err.retryAfter > 0 ? t('login.rateLimited', { seconds: err.retryAfter }) : t('login.rateLimitedSoon');
    }
  }
  return problemText(err);
}

export class LoginPage implements Page {
  readonly element: HTMLElement;

  constructor(
    private readonly auth: AuthSession,
    /** onSubmit is called when the user tries to sign in (the app clears old notices). */
    onSubmit: () => void,
  ) {
    const emailId = uniqueId('login-email');
    const passwordId = uniqueId('login-password');
    const errId = uniqueId('login-err');
    const headId = uniqueId('login-h');
    const email = h('input', {
      id: emailId,
      name: 'email',
      type: 'email',
      autocomplete: 'username',
      required: true,
      'aria-describedby': errId,
      'data-testid': 'login-email',
      spellcheck: 'false',
      autocapitalize: 'none',
    });
    const password = h('input', {
      id: passwordId,
      name: 'password',
      type: 'password',
      autocomplete: 'current-password',
      required: true,
      'aria-describedby': errId,
      'data-testid': 'login-password',
    });
    const err = h('p', { id: errId, class: 'error', 'aria-live': 'assertive', 'data-testid': 'login-error' });
    const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'login-submit' }, t('login.submit'));
    const fail = (text: string, field: HTMLInputElement) => {
      err.textContent = text;
      field.setAttribute('aria-invalid', 'true');
      field.focus();
    };
    const form = h(
      'form',
      {
        class: 'login-form',
        novalidate: true,
        'aria-labelledby': headId,
        'data-testid': 'login-form',
        onsubmit: async (e: SubmitEvent) => {
          e.preventDefault();
          if (submit.disabled) return;
          onSubmit();
          email.removeAttribute('aria-invalid');
          password.removeAttribute('aria-invalid');
          const address = email.value.trim();
          if (!address || !password.value) {
            fail(t('login.required'), address ? password : email);
            return;
          }
          err.textContent = '';
          submit.disabled = true;
          submit.textContent = t('login.busy');
          form.setAttribute('aria-busy', 'true');
          try {
            await this.auth.login(address, password.value);
            // The app takes over from here (the auth session changed).
          } catch (ex) {
            password.value = '';
            fail(loginProblem(ex), ex instanceof ApiError && ex.code === 'unauthorized' ? password : email);
            if (ex instanceof ApiError && ex.code === 'unauthorized') email.setAttribute('aria-invalid', 'true');
          } finally {
            submit.disabled = false;
            submit.textContent = t('login.submit');
            form.removeAttribute('aria-busy');
          }
        },
      },
      h('p', { class: 'field' }, h('label', { for: emailId }, t('login.email')), email),
      h('p', { class: 'field' }, h('label', { for: passwordId }, t('login.password')), password),
      err,
      h('p', { class: 'buttons' }, submit),
      h('p', { class: 'login-forgot' }, h('a', { href: FORGOT_PATH, 'data-link': '', 'data-testid': 'login-forgot' }, t('login.forgot'))),
    );
    // Single sign-on, when the server offers it, above the password form.
    const sso = h('div', { class: 'login-sso', 'data-testid': 'login-sso-box' });
    const problem = ssoProblem(location.search);
    if (problem) {
      err.textContent = problem;
      // A reload should not show it again; where to go afterwards stays.
      const q = new URLSearchParams(location.search);
      q.delete('feil');
      const rest = q.toString();
      history.replaceState(history.state, '', location.pathname + (rest ? `?${rest}` : ''));
    }
    void this.offerSSO(sso);
    this.element = h(
      'div',
      { class: 'page page-login' },
      h('section', { class: 'card login' }, h('h1', { id: headId, tabindex: '-1' }, t('login.heading')), sso, h('p', null, t('login.intro')), form),
    );
    queueMicrotask(() => {
      if (this.element.isConnected && !this.element.contains(document.activeElement)) email.focus();
    });
  }

  /** offerSSO shows the single sign-on link in box if the server has a provider. */
  private async offerSSO(box: HTMLElement): Promise<void> {
    let m: AuthMethods;
    try {
      const res = await fetch('/api/auth/methods', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
      if (!res.ok) return;
      m = (await res.json()) as AuthMethods;
    } catch {
      return; // no single sign-on offered; the password form still works
    }
    if (!m.sso) return;
    const next = new URLSearchParams(location.search).get('neste') ?? '/';
    box.append(
      h('p', { class: 'buttons' }, h('a', { href: ssoStartPath(next), class: 'button primary', 'data-testid': 'login-sso' }, ssoLabel(m))),
      h('p', { class: 'login-or' }, t('login.or')),
    );
  }

  destroy(): void {}
}
