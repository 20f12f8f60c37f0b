/** Longest `match` pattern accepted. */
export const MAX_PATTERN_LENGTH = 512;
/** Most unbounded quantifiers (`*`, `+`, `{n,}`) a `match` pattern may hold. */
export const MAX_UNBOUNDED_QUANTIFIERS = 3;

/** A group that repeats or alternates may itself be repeated at most this many times. */
const MAX_NESTED_REPEAT = 10;

interface Frame {
  quantified: boolean;
  alternation: boolean;
}

/**
 * Why `pattern` is refused as a `match` rule, or `undefined` when it is accepted. A heuristic in the spirit
 * of safe-regex: it must compile, stay short, use no backreferences, hold at most a few unbounded quantifiers,
 * and never repeat a group that itself repeats or alternates (`(a+)+`, `(a|ab)*`), the shapes that backtrack
 * exponentially.
 */
export function regexProblem(pattern: string): string | undefined {
  if (pattern.length > MAX_PATTERN_LENGTH) return `is longer than ${MAX_PATTERN_LENGTH} characters`;
  try {
    new RegExp(pattern);
  } catch (error) {
    return `is not a valid regular expression (${(error as Error).message})`;
  }
  if (/\\[1-9]|\\k</.test(pattern)) return 'uses a backreference, which is not allowed';
  const stack: Frame[] = [{ quantified: false, alternation: false }];
  let unbounded = 0;
  let inClass = false;
  // The group that just closed, while the next character may quantify it.
  let lastGroup: Frame | undefined;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      i++;
      lastGroup = undefined;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      continue;
    }
    const top = stack[stack.length - 1]!;
    let quantifier = ch === '*' || ch === '+' || ch === '?';
    // Most repetitions the quantifier allows: `?` 1, `{n}` n, `{n,m}` m, `*` `+` `{n,}` unbounded.
    let most = ch === '?' ? 1 : Number.POSITIVE_INFINITY;
    let width = 1;
    if (ch === '{') {
      const brace = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
      if (brace) {
        quantifier = true;
        most =
          brace[2] === undefined
            ? Number(brace[1])
            : brace[3] === ''
              ? Number.POSITIVE_INFINITY
              : Number(brace[3]);
        width = brace[0].length;
      }
    }
    if (quantifier) {
      if (most === Number.POSITIVE_INFINITY) unbounded++;
      if (lastGroup && (lastGroup.quantified || lastGroup.alternation) && most > MAX_NESTED_REPEAT) {
        return 'repeats a group that itself repeats or alternates (nested quantifier), which can backtrack forever';
      }
      top.quantified = true;
      lastGroup = undefined;
      i += width - 1;
      if (pattern[i + 1] === '?') i++; // lazy form
      continue;
    }
    lastGroup = undefined;
    if (ch === '[') inClass = true;
    else if (ch === '|') top.alternation = true;
    else if (ch === '(') {
      stack.push({ quantified: false, alternation: false });
      const modifier = /^\(\?(?:[:=!]|<[=!]|<[A-Za-z_$][\w$]*>)/.exec(pattern.slice(i));
      if (modifier) i += modifier[0].length - 1;
    } else if (ch === ')' && stack.length > 1) {
      const closed = stack.pop()!;
      if (closed.quantified) stack[stack.length - 1]!.quantified = true;
      lastGroup = closed;
    }
  }
  if (unbounded > MAX_UNBOUNDED_QUANTIFIERS) {
    return `holds ${unbounded} unbounded quantifiers (at most ${MAX_UNBOUNDED_QUANTIFIERS})`;
  }
  return undefined;
}
