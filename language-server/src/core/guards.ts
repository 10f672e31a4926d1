/**
 * Cheap pre-parse guards: the `yaml` parser and composer recurse per nesting level, so a deeply
 * nested or huge hostile document is refused before parsing instead of burning the stack and the
 * CPU (measured: 100,000 "[" takes ~600 ms inside `yaml` before it gives up).
 */

export const LIMITS = {
  /** Larger documents are not analysed at all. */
  maxChars: 5_000_000,
  /** Block + flow nesting; mlops.yaml needs about 8, free params a few more. */
  maxDepth: 64,
  /** Expanded alias nodes per document (YAML bombs). */
  maxAliasCount: 200,
};

export interface GuardProblem {
  code: 'too-large' | 'too-deep';
  message: string;
  offset: number;
}

/** Highest flow depth ([ and {) reached, and where; strings are not excluded, so it over-counts. */
function flowDepth(text: string, max: number): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 91 || c === 123) {
      if (++depth > max) return i;
    } else if ((c === 93 || c === 125) && depth > 0) depth--;
    else if (c === 10) depth = Math.min(depth, max);
  }
  return -1;
}

/** Block depth from indentation and leading "- " markers, as a stack of indents. */
function blockDepth(text: string, max: number): number {
  const stack: number[] = [];
  let pos = 0;
  while (pos <= text.length) {
    const nl = text.indexOf('\n', pos);
    const end = nl < 0 ? text.length : nl;
    let i = pos;
    let dashes = 0;
    for (;;) {
      while (i < end && text.charCodeAt(i) === 32) i++;
      if (i + 1 < end && text.charCodeAt(i) === 45 && text.charCodeAt(i + 1) === 32) {
        dashes++;
        i += 2;
      } else break;
    }
    const blank = i >= end || text.charCodeAt(i) === 35;
    if (!blank) {
      const indent = i - pos;
      while (stack.length && (stack[stack.length - 1] ?? 0) >= indent) stack.pop();
      stack.push(indent);
      if (stack.length + dashes > max) return i;
    }
    if (nl < 0) break;
    pos = nl + 1;
  }
  return -1;
}

export function checkGuards(text: string): GuardProblem | undefined {
  if (text.length > LIMITS.maxChars) {
    return {
      code: 'too-large',
      message: `document too large to analyse: ${text.length} characters (limit ${LIMITS.maxChars})`,
      offset: 0,
    };
  }
  const at = Math.max(flowDepth(text, LIMITS.maxDepth), blockDepth(text, LIMITS.maxDepth));
  if (at >= 0) {
    return {
      code: 'too-deep',
      message: `nesting deeper than ${LIMITS.maxDepth} levels; the document is not analysed further`,
      offset: at,
    };
  }
  return undefined;
}
