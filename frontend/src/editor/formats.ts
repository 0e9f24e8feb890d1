// The format whitelist shared with the server: collab/delta/formats.json is
// the one list. The editor is configured with exactly these formats, and
// every change it makes passes the same checks before it is sent.
import whitelist from '../../../collab/delta/formats.json';

export type FormatType = 'true' | 'integer' | 'enum' | 'url' | 'string';

export interface FormatRule {
  name: string;
  scope: string;
  type: FormatType;
  min?: number;
  max?: number;
  values?: string[];
  schemes?: string[];
  pattern?: string;
  maxLength?: number;
}

export const FORMAT_RULES: readonly FormatRule[] = whitelist.formats as FormatRule[];

/** EMBED_RULES lists the allowed embeds (measure: a measure of the plan, by id). */
export const EMBED_RULES: readonly FormatRule[] = (whitelist.embeds ?? []) as FormatRule[];

/** QUILL_FORMATS is Quill's `formats` option: the whitelisted names, formats and embeds. */
export const QUILL_FORMATS: readonly string[] = [...FORMAT_RULES, ...EMBED_RULES].map((r) => r.name);

export const RULES_BY_NAME: ReadonlyMap<string, FormatRule> = new Map(FORMAT_RULES.map((r) => [r.name, r]));
