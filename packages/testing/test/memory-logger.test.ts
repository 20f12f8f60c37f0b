import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../src/index.js';

describe('memoryLogger', () => {
  it('keeps lines of children in the same list, with their module', () => {
    const logger = memoryLogger();
    logger.info('start');
    logger.child('demo').warn('no CID found', { item_id: 'a' });
    expect(logger.lines).toEqual([
      { level: 'info', module: 'test', message: 'start' },
      { level: 'warn', module: 'demo', message: 'no CID found', context: { item_id: 'a' } },
    ]);
  });
});
