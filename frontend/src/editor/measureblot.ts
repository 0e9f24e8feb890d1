// The measure embed of the text: {"insert":{"measure":"<measure id>"}}, a
// block that shows one measure of the plan live (docs/content.md,
// "Measures in the text"). The document holds only the measure's id; what
// the block shows is drawn into it from the plan as it is now
// (content/embed.ts), never written into the document, so nothing of it
// becomes an op.
import { BlockEmbed } from 'quill/blots/block';

/** MEASURE_ID is the shape of a measure id the whitelist allows (collab/delta/formats.json). */
export const MEASURE_ID = /^[A-Za-z0-9_-]{1,100}$/;

export class MeasureBlot extends BlockEmbed {
  static override blotName = 'measure';
  static override tagName = 'DIV';
  static override className = 'ql-measure';

  static override create(value: unknown): HTMLElement {
    const node = super.create(value) as HTMLElement;
    const id = typeof value === 'string' && MEASURE_ID.test(value) ? value : '';
    node.setAttribute('contenteditable', 'false');
    node.dataset.measure = id;
    node.dataset.testid = 'measure-embed';
    return node;
  }

  static override value(node: HTMLElement): string {
    return node.dataset.measure ?? '';
  }
}
