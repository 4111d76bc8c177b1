import { describe, expect, it } from 'vitest';
import { transportFigures } from './process-stats.js';

describe('transportFigures', () => {
  it("takes a transport's count of messages that never arrived (Redis `missed`) as messagesLost", () => {
    expect(transportFigures({ missed: 7, queued: 3 })).toEqual({
      bytesIn: 0,
      queuedBytes: 0,
      messagesLost: 7,
    });
    expect(transportFigures({ queuedBytes: 5 }).messagesLost).toBeUndefined();
    expect(transportFigures(undefined).messagesLost).toBeUndefined();
  });
});
