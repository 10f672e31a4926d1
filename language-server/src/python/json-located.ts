/**
 * A small JSON reader that remembers, for every string, where each of its characters sits in the
 * raw text (escapes make the two differ). Notebook diagnostics and edits need exactly that. It
 * returns undefined for text that is not JSON instead of throwing: a half-typed notebook is normal.
 */
export interface JsonString {
  kind: 'string';
  value: string;
  /** Raw offset of each decoded UTF-16 unit, plus one entry for the closing quote. */
  rawMap: number[];
}
export type JsonNode =
  | JsonString
  | { kind: 'object'; entries: [string, JsonNode][] }
  | { kind: 'array'; items: JsonNode[] }
  | { kind: 'scalar' };

const MAX_DEPTH = 64;

class Reader {
  pos = 0;
  constructor(private readonly s: string) {}

  ws(): void {
    while (this.pos < this.s.length && ' \t\r\n'.includes(this.s[this.pos] ?? '')) this.pos++;
  }

  value(depth: number): JsonNode {
    if (depth > MAX_DEPTH) throw new Error('too deep');
    this.ws();
    const c = this.s[this.pos];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return this.string();
    const m = /^(true|false|null|-?\d+(\.\d+)?([eE][+-]?\d+)?)/.exec(this.s.slice(this.pos, this.pos + 40));
    if (!m) throw new Error(`unexpected character at ${this.pos}`);
    this.pos += m[0].length;
    return { kind: 'scalar' };
  }

  private expect(ch: string): void {
    this.ws();
    if (this.s[this.pos] !== ch) throw new Error(`expected ${ch} at ${this.pos}`);
    this.pos++;
  }

  private object(depth: number): JsonNode {
    this.pos++;
    const entries: [string, JsonNode][] = [];
    this.ws();
    if (this.s[this.pos] === '}') {
      this.pos++;
      return { kind: 'object', entries };
    }
    for (;;) {
      this.ws();
      const key = this.string();
      this.expect(':');
      entries.push([key.value, this.value(depth + 1)]);
      this.ws();
      if (this.s[this.pos] === ',') this.pos++;
      else return this.expect('}'), { kind: 'object', entries };
    }
  }

  private array(depth: number): JsonNode {
    this.pos++;
    const items: JsonNode[] = [];
    this.ws();
    if (this.s[this.pos] === ']') {
      this.pos++;
      return { kind: 'array', items };
    }
    for (;;) {
      items.push(this.value(depth + 1));
      this.ws();
      if (this.s[this.pos] === ',') this.pos++;
      else return this.expect(']'), { kind: 'array', items };
    }
  }

  private string(): JsonString {
    if (this.s[this.pos] !== '"') throw new Error(`expected a string at ${this.pos}`);
    this.pos++;
    let value = '';
    const rawMap: number[] = [];
    for (;;) {
      const c = this.s[this.pos];
      if (c === undefined) throw new Error('unterminated string');
      if (c === '"') break;
      const at = this.pos;
      if (c !== '\\') {
        value += c;
        rawMap.push(at);
        this.pos++;
        continue;
      }
      const e = this.s[this.pos + 1];
      if (e === 'u') {
        const hex = this.s.slice(this.pos + 2, this.pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new Error(`bad escape at ${at}`);
        value += String.fromCharCode(parseInt(hex, 16));
        this.pos += 6;
      } else {
        const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '/': '/', '\\': '\\', '"': '"' };
        const d = e === undefined ? undefined : map[e];
        if (d === undefined) throw new Error(`bad escape at ${at}`);
        value += d;
        this.pos += 2;
      }
      rawMap.push(at);
    }
    rawMap.push(this.pos);
    this.pos++;
    return { kind: 'string', value, rawMap };
  }
}

export function parseJsonLocated(text: string): JsonNode | undefined {
  try {
    const r = new Reader(text);
    const v = r.value(0);
    r.ws();
    return r.pos === text.length ? v : undefined;
  } catch {
    return undefined;
  }
}
