// The process views of a plan page: Fremdrift (milestones and review
// rounds), Personvern (privacy findings) and Klarspråk (LIX per section).
import type { ViewFactory, ViewName, PlanView, ViewContext } from '../pages/views';

function placeholder(title: string): ViewFactory {
  return (_ctx: ViewContext): PlanView => {
    const element = document.createElement('section');
    const h = document.createElement('h2');
    h.textContent = title;
    element.append(h);
    return { element, update() {}, destroy() {} };
  };
}

export const processViews: Partial<Record<ViewName, ViewFactory>> = {
  fremdrift: placeholder('Fremdrift'),
  personvern: placeholder('Personvern'),
  klarsprak: placeholder('Klarspråk'),
};
