// The login page: e-mail and password. A refused login says so in one
// message for an unknown user and a wrong password alike (as the server
// does), a rate limit says how long to wait. On success the auth session
// tells the app, which goes back to the page the user came from.
import { ApiError } from '../api/http';
import type { AuthSession } from '../auth/session';
import { h, uniqueId } from '../dom';
import { t } from '../i18n';
import { problemText } from './labels';
import type { Page } from './router';

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
    );
    this.element = h(
      'div',
      { class: 'page page-login' },
      h('section', { class: 'card login' }, h('h1', { id: headId, tabindex: '-1' }, t('login.heading')), h('p', null, t('login.intro')), form),
    );
    queueMicrotask(() => {
      if (this.element.isConnected && !this.element.contains(document.activeElement)) email.focus();
    });
  }

  destroy(): void {}
}
