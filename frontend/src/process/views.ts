// The process views of a plan page: Fremdrift (milestones and review
// rounds), Personvern (privacy findings) and Klarspråk (LIX per section).
import type { ViewFactory, ViewName } from '../pages/views';
import { FremdriftView } from './fremdrift';
import { KlarsprakView } from './klarsprak';
import { PersonvernView } from './personvern';

export const processViews: Partial<Record<ViewName, ViewFactory>> = {
  fremdrift: (ctx) => new FremdriftView(ctx),
  personvern: (ctx) => new PersonvernView(ctx),
  klarsprak: (ctx) => new KlarsprakView(ctx),
};
