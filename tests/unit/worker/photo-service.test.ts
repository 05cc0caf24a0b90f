import { describe, expect, it } from 'vitest';
import { fittedSize } from '../../../src/worker/photo-service.js';

describe('the size a photo is re-encoded at', () => {
  it('scales the longest side down to 2048 px and keeps the shape', () => {
    expect(fittedSize(4032, 3024)).toEqual({ width: 2048, height: 1536 });
    expect(fittedSize(3024, 4032)).toEqual({ width: 1536, height: 2048 });
  });

  it('never enlarges a small photo', () => {
    expect(fittedSize(800, 600)).toEqual({ width: 800, height: 600 });
  });
});
