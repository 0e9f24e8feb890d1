// The Målekort view of a plan: per target area and goal, the indicators of
// the scorecard with their traffic light and chart. (A placeholder until
// the view is filled in.)
import { h } from '../dom';
import type { ViewFactory } from '../pages/views';

export const scorecardView: ViewFactory = () => {
  const element = h('section', { class: 'scorecard' }, h('h2', null, 'Målekort'));
  return {
    element,
    update() {},
    destroy() {
      element.remove();
    },
  };
};
