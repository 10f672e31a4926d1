/**
 * Parsing with positions. Small documents are parsed whole. Large ones are cut into blocks along
 * their indentation (top-level keys, and big blocks again into their child keys); each block is
 * parsed on its own and cached by its text, so an edit re-parses only the block it touched and
 * the others are reused, shifted to their new offsets. Anything the cut could change the meaning
 * of (anchors/aliases, document markers, tabs, flow or complex keys at a cut) falls back to a full
 * parse, as does any structural change that makes a block unparseable on its own.
 */
import { type Node } from 'yaml';
import { parseYaml, type YamlProblem } from '../../../shared/src/mlops-yaml';
import { checkGuards } from '../../../shared/src/yaml-guards';
import { BlockParser } from './blocks';
import { LineIndex } from './text';

export type { YamlProblem } from '../../../shared/src/mlops-yaml';

export interface ParsedYaml {
  text: string;
  index: LineIndex;
  /** Root node with absolute offsets in `range`; null when empty or refused. */
  root: Node | null;
  /** The plain value (aliases and merge keys resolved); undefined when empty or refused. */
  value: unknown;
  problems: YamlProblem[];
  mode: 'full' | 'blocks' | 'refused';
}

/** Below this many lines a whole parse costs ~1 ms and cutting buys nothing. */
const BLOCK_MODE_MIN_LINES = 200;

/** The whole-document parse is the shared loader's, so the editor accepts what the daemon and CLI accept. */
function fullParse(text: string, index: LineIndex): ParsedYaml {
  const r = parseYaml(text);
  return { text, index, root: r.root, value: r.value, problems: r.problems, mode: r.refused ? 'refused' : 'full' };
}

/** A whole parse, bypassing the block cache (tests compare the two). */
export function parseWhole(text: string): ParsedYaml {
  return fullParse(text, new LineIndex(text));
}

/** Parses one document over and over as it is edited, reusing unchanged blocks. */
export class YamlParser {
  private blocks: BlockParser | undefined;

  parse(text: string): ParsedYaml {
    const index = new LineIndex(text);
    // The guards run before cutting too: a hostile document is refused, never parsed in blocks.
    if (index.lineCount >= BLOCK_MODE_MIN_LINES && !checkGuards(text)) {
      this.blocks ??= new BlockParser();
      const built = this.blocks.parse(text);
      if (built) return { text, index, root: built.root, value: built.value, problems: [], mode: 'blocks' };
    }
    return fullParse(text, index);
  }
}
