/**
 * `deployments.<name>.enabled` set in mlops.yaml itself (one source of truth), with the same
 * format-keeping edits as the editor's quick fixes: only that scalar changes (or the key is inserted),
 * comments and layout stay byte for byte. The file is replaced atomically; the running deployment
 * follows the file.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { applyYamlEdits, yamlEdits } from '../../../shared/src/yaml-edit';
import { DomainError } from '../util/errors';

export function writeFlag(root: string, deployment: string, enabled: boolean): { changed: boolean; file: string } {
  const file = join(root, 'mlops.yaml');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new DomainError(404, 'not_found', `no mlops.yaml in ${root}`, undefined, 'deployment');
  }
  const doc = parseDocument(text);
  if (doc.errors.length) throw new DomainError(422, 'invalid_config', `mlops.yaml has a syntax error (${doc.errors[0]?.message ?? ''}); fix it before changing the flag`);
  const current = doc.getIn(['deployments', deployment, 'enabled']);
  if (!doc.hasIn(['deployments', deployment])) throw new DomainError(404, 'not_found', `no deployment "${deployment}" in mlops.yaml`, undefined, 'deployment');
  if ((current ?? true) === enabled && (current !== undefined || enabled)) return { changed: false, file };
  const edits = yamlEdits(text, [{ op: 'set', path: ['deployments', deployment, 'enabled'], value: enabled }]);
  if (typeof edits === 'string') throw new DomainError(409, 'conflict', `cannot edit mlops.yaml safely: ${edits}`);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, applyYamlEdits(text, edits));
  renameSync(tmp, file);
  return { changed: true, file };
}
