// The traffic light of an indicator as a person sees it: the status in
// words, beside an icon whose shape differs as much as its colour does (a
// circle with a tick, a triangle with "!", an octagon with "×", an empty
// dashed circle), so nobody needs to tell colours apart.
import type { IndicatorStatus } from '../api/types';
import { h } from '../dom';
import { t } from '../i18n';
import { s } from './chart';

export const STATUSES: IndicatorStatus[] = ['on_track', 'at_risk', 'off_track', 'no_data'];

/** statusText names a status ("På sporet"). */
export const statusText = (status: IndicatorStatus): string => t(`scorecard.status.${status}`);

// The octagon of "off track", around (9, 9).
const OCTAGON = 'M5.7,1.2L12.3,1.2L16.8,5.7L16.8,12.3L12.3,16.8L5.7,16.8L1.2,12.3L1.2,5.7Z';

/** lightIcon draws a status's icon (hidden from screen readers: the text says it). */
export function lightIcon(status: IndicatorStatus): SVGElement {
  const attrs = { viewBox: '0 0 18 18', width: 18, height: 18, 'aria-hidden': 'true', focusable: 'false', class: 'light-icon' };
  switch (status) {
    case 'on_track':
      return s('svg', attrs, s('circle', { cx: 9, cy: 9, r: 8, class: 'shape' }), s('path', { d: 'M5,9.5L8,12.5L13,6', class: 'glyph', fill: 'none' }));
    case 'at_risk':
      return s('svg', attrs, s('path', { d: 'M9,1L17.2,16.5L0.8,16.5Z', class: 'shape' }), s('path', { d: 'M9,6.5L9,11', class: 'glyph' }), s('circle', { cx: 9, cy: 13.7, r: 1.1, class: 'glyph-dot' }));
    case 'off_track':
      return s('svg', attrs, s('path', { d: OCTAGON, class: 'shape' }), s('path', { d: 'M6,6L12,12M12,6L6,12', class: 'glyph' }));
    default:
      return s('svg', attrs, s('circle', { cx: 9, cy: 9, r: 7.5, class: 'shape' }), s('path', { d: 'M5.5,9L12.5,9', class: 'glyph' }));
  }
}

/** light shows a status: "Status: På sporet" with its icon. */
export function light(status: IndicatorStatus): HTMLElement {
  return h(
    'p',
    { class: `light light-${status}`, 'data-testid': 'indicator-status', 'data-status': status },
    h('span', { class: 'visually-hidden' }, `${t('scorecard.status')}: `),
    lightIcon(status),
    h('span', { class: 'light-text' }, statusText(status)),
  );
}
