/**
 * Fallback rules (`deployments.<name>.fallback.rules`) checked against the signature the model
 * declares in `models.<model>.signature.inputs`, with the daemon's own check, each problem underlined
 * at its exact place inside the rule's text.
 */
import { isScalar, type Node } from 'yaml';
import { obj } from '../../../shared/src/pipelines/checks';
import { compileFallback } from '../../../shared/src/rules/fallback';
import { type Value } from '../../../shared/src/rules/rules';
import { locate } from '../../../shared/src/yaml-nodes';
import { type ParsedYaml } from './parse';
import { formatPath } from './text';
import { type MlopsDiagnostic } from './types';
import { diag, nodeRange } from './validate';

/** Source offset of character `offset` of a scalar's value: plain and quoted scalars without escapes map exactly. */
function offsetIn(parsed: ParsedYaml, node: Node, offset: number): number | undefined {
  if (!isScalar(node) || typeof node.value !== 'string' || !node.range) return undefined;
  const src = parsed.text.slice(node.range[0], node.range[1]);
  const at = src.indexOf(node.value);
  return at < 0 ? undefined : node.range[0] + at + offset;
}

function declaredFeatures(root: Record<string, unknown>, model: unknown): { name: string; type?: string }[] | undefined {
  if (typeof model !== 'string') return undefined;
  const inputs = obj(obj(obj(root['models'])?.[model])?.['signature'])?.['inputs'];
  if (!Array.isArray(inputs) || !inputs.length) return undefined;
  const out: { name: string; type?: string }[] = [];
  for (const i of inputs) {
    const f = obj(i);
    if (typeof f?.['name'] !== 'string') return undefined;
    out.push({ name: f['name'], type: typeof f['type'] === 'string' ? f['type'] : undefined });
  }
  return out;
}

export function fallbackDiagnostics(parsed: ParsedYaml, root: Record<string, unknown>, out: MlopsDiagnostic[]): void {
  for (const [name, d] of Object.entries(obj(root['deployments']) ?? {})) {
    const fb = obj(obj(d)?.['fallback']);
    const rules = fb?.['rules'];
    const dflt = fb?.['default'];
    if (!fb || !Array.isArray(rules) || !rules.every((r) => typeof r === 'string')) continue;
    if (!['number', 'string', 'boolean'].includes(typeof dflt)) continue;
    const features = declaredFeatures(root, obj(d)?.['model']);
    if (!features) continue;
    const { problems } = compileFallback({ rules: rules as string[], default: dflt as Value }, features);
    for (const p of problems) {
      if (p.rule === 'default') continue;
      const path = ['deployments', name, 'fallback', 'rules', p.rule];
      const node = locate(parsed.root, path).node;
      const start = node ? offsetIn(parsed, node, p.offset) : undefined;
      const range = start === undefined ? nodeRange(parsed, node) : parsed.index.range(start, start + p.length);
      out.push(diag(range, 'fallback-rule', `${formatPath(path)}, column ${p.offset + 1}: ${p.message}`));
    }
  }
}
