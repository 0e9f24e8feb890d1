// Cleaning of editor changes and pasted content down to the whitelist, with
// the same rules the server's validator applies (collab/delta/whitelist.go),
// so the server never refuses an op the editor already applied.
import Delta, { type AttributeMap, type Op } from 'quill-delta';
import { EMBED_RULES, RULES_BY_NAME, type FormatRule } from './formats';

const LINK_RULE = RULES_BY_NAME.get('link');

/**
 * checkURL reports whether s is a safe absolute URL with one of the
 * schemes: no whitespace or control characters anywhere, a scheme from the
 * list, and for http(s) a host.
 */
export function checkURL(s: string, schemes: readonly string[], maxLength: number): boolean {
  if (s === '' || s.length > maxLength) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f) return false;
  }
  const colon = s.indexOf(':');
  if (colon <= 0) return false;
  const scheme = s.slice(0, colon);
  if (!/^[A-Za-z][A-Za-z0-9+.-]*$/.test(scheme)) return false;
  const lower = scheme.toLowerCase();
  if (!schemes.includes(lower)) return false;
  const rest = s.slice(colon + 1);
  if (lower === 'http' || lower === 'https') {
    if (!rest.startsWith('//')) return false;
    const host = rest.slice(2).split('/')[0] ?? '';
    return host !== '' && !host.includes('\\');
  }
  return rest !== '';
}

/**
 * sanitizeLink turns what a user typed or pasted into an allowed link, or
 * null: "example.no/x" becomes "https://example.no/x", "ola@kommune.no"
 * becomes "mailto:ola@kommune.no"; anything with another scheme (javascript:,
 * data:, file:, tel:) or with spaces is refused.
 */
export function sanitizeLink(input: string): string | null {
  const schemes = LINK_RULE?.schemes ?? ['http', 'https', 'mailto'];
  const maxLength = LINK_RULE?.maxLength ?? 2048;
  let s = input.trim();
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(s)) {
    if (/^[^\s@/]+@[^\s@/]+\.[^\s@/]+$/.test(s)) s = `mailto:${s}`;
    else if (/^(www\.)?[^\s/:]+\.[A-Za-z]{2,}(:\d+)?([/?#]\S*)?$/.test(s)) s = `https://${s}`;
    else if (s.startsWith('//')) s = `https:${s}`;
  }
  return checkURL(s, schemes, maxLength) ? s : null;
}

/**
 * cleanValue returns the allowed value closest to v for the format, or
 * undefined when there is none (the attribute is dropped).
 */
export function cleanValue(rule: FormatRule, v: unknown): unknown {
  switch (rule.type) {
    case 'true':
      return v === true || v === 'true' ? true : undefined;
    case 'integer': {
      const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
      if (!Number.isFinite(n)) return undefined;
      return Math.min(rule.max ?? n, Math.max(rule.min ?? n, Math.round(n)));
    }
    case 'enum': {
      if (typeof v !== 'string') return undefined;
      if (rule.values?.includes(v)) return v;
      // Quill's checklists are lists too: show them as bullets.
      if (rule.name === 'list' && (v === 'checked' || v === 'unchecked') && rule.values?.includes('bullet')) return 'bullet';
      return undefined;
    }
    case 'url':
      return typeof v === 'string' ? (sanitizeLink(v) ?? undefined) : undefined;
    case 'string': {
      if (typeof v !== 'string' || v.length > (rule.maxLength ?? Infinity)) return undefined;
      if (rule.pattern && !new RegExp(rule.pattern).test(v)) return undefined;
      return v;
    }
  }
  return undefined;
}

/**
 * cleanAttributes keeps the whitelisted attributes with allowed values. In
 * a retain (insert = false) null stays: it removes a format.
 */
export function cleanAttributes(attrs: AttributeMap | undefined, insert: boolean): AttributeMap | undefined {
  if (!attrs) return undefined;
  const out: AttributeMap = {};
  let n = 0;
  for (const [name, value] of Object.entries(attrs)) {
    const rule = RULES_BY_NAME.get(name);
    if (!rule) {
      // An unknown format in a retain could only have come from the editor
      // itself; dropping it leaves the text as it was.
      continue;
    }
    if (value === null || value === undefined) {
      if (!insert) {
        out[name] = null;
        n++;
      }
      continue;
    }
    const c = cleanValue(rule, value);
    if (c === undefined) {
      // An invalid link in a retain is removed rather than left as it was.
      if (!insert && rule.type === 'url') {
        out[name] = null;
        n++;
      }
      continue;
    }
    out[name] = c;
    n++;
  }
  return n > 0 ? out : undefined;
}

function embedAllowed(insert: Record<string, unknown>): boolean {
  const keys = Object.keys(insert);
  if (keys.length !== 1) return false;
  const rule = EMBED_RULES.find((r) => r.name === keys[0]);
  return rule !== undefined && cleanValue(rule, insert[keys[0]!]) !== undefined;
}

/**
 * cleanChange returns change with every op cleaned: embeds that are not
 * whitelisted are dropped, attributes cleaned, lone surrogates replaced.
 * The result is normalised (built with push and chopped), as the server
 * requires.
 */
export function cleanChange(change: Delta): Delta {
  const out = new Delta();
  for (const op of change.ops) {
    if (op.insert !== undefined) {
      if (typeof op.insert === 'string') {
        out.insert(wellFormed(op.insert), cleanAttributes(op.attributes, true));
      } else if (typeof op.insert === 'object' && op.insert !== null && embedAllowed(op.insert as Record<string, unknown>)) {
        out.insert(op.insert as Record<string, unknown>, cleanAttributes(op.attributes, true));
      }
    } else if (op.delete !== undefined) {
      out.delete(op.delete);
    } else if (typeof op.retain === 'number') {
      out.retain(op.retain, cleanAttributes(op.attributes, false));
    } else if (op.retain !== undefined) {
      // An embed change (retain of an object) is not supported by the server.
      out.retain(1);
    }
  }
  return out.chop();
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

// wellFormed replaces lone UTF-16 surrogates (which the server refuses)
// with U+FFFD, keeping the length.
function wellFormed(s: string): string {
  return s.replace(LONE_SURROGATE, '\uFFFD');
}

/** cleanDocument cleans a document (inserts only), e.g. pasted content. */
export function cleanDocument(doc: Delta): Delta {
  return cleanChange(new Delta(doc.ops.filter((op: Op) => op.insert !== undefined)));
}

/** sameOps reports whether two deltas have the same ops. */
export function sameOps(a: Delta, b: Delta): boolean {
  return JSON.stringify(a.ops) === JSON.stringify(b.ops);
}
