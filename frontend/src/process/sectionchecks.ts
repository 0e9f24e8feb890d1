// SectionChecks: on-demand klarspråk and personvern highlights over one
// section's editor.
import type Quill from 'quill';
import type { Api } from '../api/client';

export interface SectionChecksOptions {
  api: Api;
  planId: string;
  section: string;
  quill: Quill;
  /** host is an element positioned over the editor where highlight boxes are drawn. */
  host: HTMLElement;
  /** bar is where the checks add their toggle buttons (the section toolbar area). */
  bar: HTMLElement;
}

export class SectionChecks {
  constructor(private readonly o: SectionChecksOptions) {}

  /** refresh re-fetches the checks after the text changed. */
  refresh(): void {}

  /** reveal selects a range of the section's text and scrolls it into view. */
  reveal(range: { index: number; length: number }): void {
    this.o.quill.setSelection(range.index, range.length, 'api');
  }

  destroy(): void {}
}
