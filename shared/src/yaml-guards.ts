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

/**
 * End (after the closing quote) of a quoted scalar opening at `i`, or -1 when it does not close on
 * its own line: a multi-line quote is then counted as plain text, which can only over-count.
 */
function quotedEnd(text: string, i: number): number {
  const q = text.charCodeAt(i);
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 10) return -1;
    if (q === 34 && c === 92) j++;
    else if (c === q) {
      // '' is an escaped quote inside a single-quoted scalar.
      if (q === 39 && text.charCodeAt(j + 1) === 39) j++;
      else return j + 1;
    }
  }
  return -1;
}

/**
 * Whether a quote at `i` opens a quoted scalar, as the YAML lexer sees it: at the start of a line,
 * after a flow indicator or ":", or after leading "- " / "? " markers. After a plain word
 * (`it's`, `[a 'b`) it is part of a plain scalar and hides nothing.
 */
function opensQuote(text: string, i: number): boolean {
  let k = i - 1;
  while (k >= 0 && (text.charCodeAt(k) === 32 || text.charCodeAt(k) === 9)) k--;
  if (k < 0 || text.charCodeAt(k) === 10) return true;
  const p = text.charCodeAt(k);
  if (p === 91 || p === 123 || p === 44) return true;
  if (p === 58) return k + 1 < i;
  if ((p !== 45 && p !== 63) || k + 1 === i) return false;
  for (let m = k - 1; m >= 0 && text.charCodeAt(m) !== 10; m--) {
    const c = text.charCodeAt(m);
    if (c !== 32 && c !== 45 && c !== 63) return false;
  }
  return true;
}

/**
 * Offset where the flow depth ([ and {) first exceeds `max`, or -1. Brackets inside quoted scalars
 * and comments do not count (a string like "<100 [>" is no nesting); anything the YAML lexer could
 * read differently is counted, so the guard errs on refusing.
 */
function flowDepth(text: string, max: number): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 91 || c === 123) {
      if (++depth > max) return i;
    } else if ((c === 93 || c === 125) && depth > 0) depth--;
    else if ((c === 34 || c === 39) && opensQuote(text, i)) {
      const end = quotedEnd(text, i);
      if (end > 0) i = end - 1;
    } else if (c === 35 && (i === 0 || text.charCodeAt(i - 1) === 32 || text.charCodeAt(i - 1) === 9 || text.charCodeAt(i - 1) === 10)) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl - 1;
    } else if (c === 10) depth = Math.min(depth, max);
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
