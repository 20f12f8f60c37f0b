import { isForbiddenKey, isPlainObject, setOwnMember } from '@scm/core';

/**
 * Applies an RFC 7386 JSON merge patch and returns the result: an object
 * patch merges member by member (`null` removes a member), anything else
 * replaces the target. The target is not modified; forbidden keys
 * (`__proto__`, `constructor`, `prototype`) in the patch are ignored.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (isForbiddenKey(key)) continue;
    if (value === null) delete out[key];
    else {
      setOwnMember(out, key, applyMergePatch(Object.hasOwn(out, key) ? out[key] : undefined, value));
    }
  }
  return out;
}
