import { ScmError } from '@scm/core';
import { DEFAULT_MAX_SEGMENT_LENGTH, hashedSegment } from './safe-path.js';

/** What {@link NameRegistry.claim} decided. */
export interface NameClaim {
  /** The folder or file name to use. */
  name: string;
  /** False when `key` already held a name (a duplicate record). */
  isNew: boolean;
}

/**
 * The names in use inside one folder. Names are compared case-insensitively,
 * so two keys whose safe names differ only by case (`ABC`, `abc`) still get
 * different folders on macOS and Windows. The first key keeps its plain name;
 * a later one gets a hashed name.
 *
 * Memory is one map entry per key: the folded name and the key. Names are
 * worked out again from the key when they are listed.
 */
export class NameRegistry {
  private readonly owners = new Map<string, string>();

  /** `plainName(key)` gives the name a key gets when it is free (a {@link safePathSegment} of the key's id). */
  constructor(private readonly plainName: (key: string) => string) {}

  /** Number of keys holding a name. */
  get size(): number {
    return this.owners.size;
  }

  /** Gives `key` a name, or returns the name it already has. */
  claim(key: string): NameClaim {
    const plain = this.plainName(key);
    const folded = fold(plain, key);
    const owner = this.owners.get(folded);
    if (owner === undefined) {
      this.owners.set(folded, key);
      return { name: plain, isNew: true };
    }
    if (owner === key) return { name: plain, isNew: false };
    const other = alternateName(plain, key);
    const foldedOther = other.toLowerCase();
    const otherOwner = this.owners.get(foldedOther);
    if (otherOwner === undefined) {
      this.owners.set(foldedOther, key);
      return { name: other, isNew: true };
    }
    if (otherOwner === key) return { name: other, isNew: false };
    throw new ScmError('SCM_INTERNAL', `two records hash to the same file name "${other}"`, {
      details: { name: other },
    });
  }

  /** The name `key` holds, or `undefined`. */
  nameOf(key: string): string | undefined {
    const plain = this.plainName(key);
    if (this.owners.get(fold(plain, key)) === key) return plain;
    const other = alternateName(plain, key);
    return this.owners.get(other.toLowerCase()) === key ? other : undefined;
  }

  /** Frees the name `key` holds (after a failed write). */
  release(key: string): void {
    const name = this.nameOf(key);
    if (name !== undefined) this.owners.delete(name.toLowerCase());
  }

  /** Keys and their names, in the order they were first claimed. */
  *entries(): Generator<{ key: string; name: string }> {
    for (const [folded, key] of this.owners) {
      const plain = this.plainName(key);
      yield { key, name: plain.toLowerCase() === folded ? plain : alternateName(plain, key) };
    }
  }
}

/** Lower-cases a name, reusing the key's string when they are equal (saves memory for lower-case ids). */
function fold(name: string, key: string): string {
  const lower = name.toLowerCase();
  return lower === key ? key : lower;
}

function alternateName(plain: string, key: string): string {
  return hashedSegment(plain, `taken:${key}`, DEFAULT_MAX_SEGMENT_LENGTH);
}
