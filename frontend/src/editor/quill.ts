// Quill, built from its core with exactly the whitelisted formats and
// embeds (plus the table module): nothing else is even
// registered, so the editor cannot produce a format the server refuses.
import Quill from 'quill/core';
import Blockquote from 'quill/formats/blockquote';
import Bold from 'quill/formats/bold';
import Header from 'quill/formats/header';
import Indent from 'quill/formats/indent';
import Italic from 'quill/formats/italic';
import Link from 'quill/formats/link';
import List from 'quill/formats/list';
import Strike from 'quill/formats/strike';
import Underline from 'quill/formats/underline';
import Table from 'quill/modules/table';
import Icons from 'quill/ui/icons';
import { MeasureBlot } from './measureblot';
import { sanitizeLink } from './sanitize';

/** SafeLink writes only allowed URLs into the page (http, https, mailto). */
class SafeLink extends Link {
  static override sanitize(url: string): string {
    return sanitizeLink(url) ?? 'about:blank';
  }
}

let registered = false;

/** registerQuill registers the whitelisted formats and modules once. */
export function registerQuill(): typeof Quill {
  if (registered) return Quill;
  registered = true;
  Quill.register(
    {
      'formats/bold': Bold,
      'formats/italic': Italic,
      'formats/underline': Underline,
      'formats/strike': Strike,
      'formats/link': SafeLink,
      'formats/header': Header,
      'formats/list': List,
      'formats/blockquote': Blockquote,
      'formats/indent': Indent,
      'formats/measure': MeasureBlot,
      'modules/table': Table,
    },
    true,
  );
  return Quill;
}

export { Icons, Quill };
export type { Table as TableModule };
