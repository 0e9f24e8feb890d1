// The UI's message catalogues: one flat JSON object per language, key →
// text with {name} placeholders. Bokmål is complete and the reference; the
// type below makes a missing key in another catalogue a compile error, and
// a unit test checks every server error code has a message.
import nb from './nb.json';
import nn from './nn.json';

export type MessageKey = keyof typeof nb;
export type Lang = 'nb' | 'nn';

const catalogues: Record<Lang, Record<MessageKey, string>> = { nb, nn };

export const LANGS: Lang[] = ['nb', 'nn'];

const STORAGE_KEY = 'temaplan.lang';

let current: Lang = 'nb';

/** initLang picks the saved language, else the browser's, else bokmål. */
export function initLang(): Lang {
  let saved: string | null = null;
  try {
    saved = localStorage.getItem(STORAGE_KEY);
  } catch {
    // Storage may be disabled; the default is fine.
  }
  if (saved === 'nb' || saved === 'nn') current = saved;
  else if (typeof navigator !== 'undefined' && /^nn\b/i.test(navigator.language)) current = 'nn';
  applyLang();
  return current;
}

export function lang(): Lang {
  return current;
}

export function setLang(l: Lang): void {
  current = l;
  try {
    localStorage.setItem(STORAGE_KEY, l);
  } catch {
    // Not remembered, still used.
  }
  applyLang();
}

function applyLang(): void {
  if (typeof document !== 'undefined') document.documentElement.lang = current;
}

/** t returns the message for key in the current language, with {params} filled in. */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  const text = catalogues[current][key] ?? nb[key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/** has reports whether key is a message key. */
export function has(key: string): key is MessageKey {
  return key in nb;
}

/** errorText returns the message for a server error code. */
export function errorText(code: string): string {
  const key = `error.${code}`;
  return has(key) ? t(key) : t('error.generic');
}

/** messageKeys lists every key (for tests). */
export function catalogue(l: Lang): Record<string, string> {
  return catalogues[l];
}
