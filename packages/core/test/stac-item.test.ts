import { ITEM_MEMBER_NAMES, isItemMember } from '@scm/core/stac-item';
import { describe, expect, it } from 'vitest';

describe('Item members', () => {
  it('lists the ten STAC Item members and nothing else', () => {
    expect(ITEM_MEMBER_NAMES).toHaveLength(10);
    for (const name of ['id', 'geometry', 'bbox', 'properties', 'links', 'assets', 'collection']) {
      expect(isItemMember(name), name).toBe(true);
    }
    for (const name of ['datetime', 'title', '__proto__', 'constructor', 'Type']) {
      expect(isItemMember(name), name).toBe(false);
    }
  });
});
