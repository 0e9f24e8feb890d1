import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeBoxes } from './overlay';

describe('mergeBoxes', () => {
  it('joins the boxes of text split over formats on one line, not those of other lines', () => {
    const boxes = [
      { left: 10, top: 5, width: 20, height: 18 },
      { left: 30, top: 5, width: 15, height: 18 }, // bold part, same line
      { left: 45.5, top: 4, width: 5, height: 20 }, // a bigger font, same line
      { left: 0, top: 30, width: 40, height: 18 }, // next line
    ];
    assert.deepEqual(mergeBoxes(boxes), [
      { left: 10, top: 4, width: 40.5, height: 20 },
      { left: 0, top: 30, width: 40, height: 18 },
    ]);
  });

  it('keeps apart boxes with a gap between them', () => {
    const boxes = [
      { left: 0, top: 0, width: 10, height: 18 },
      { left: 20, top: 0, width: 10, height: 18 },
    ];
    assert.equal(mergeBoxes(boxes).length, 2);
  });
});
