/**
 * Compares an ONNX file's signature with the model's `signature` section in mlops.yaml. Registration refuses
 * a model whose inputs do not line up with the declared features, because serving would feed it the wrong
 * columns. Each problem is one readable sentence naming the feature, input or output at fault.
 */
import { type ModelConfig } from '../../../schemas/src/mlops-yaml';
import { type OnnxSignature, type TensorSpec } from './model';

type Feature = ModelConfig['signature']['inputs'][number];

export function checkSignatureAgainstConfig(signature: OnnxSignature, modelConfig: ModelConfig): string[] {
  const { inputs: features, input_mode: mode, outputs } = modelConfig.signature;
  const problems =
    mode === 'columns' ? checkColumns(signature.inputs, features) : checkTensor(signature.inputs, features);
  return problems.concat(checkOutputs(signature.outputs, outputs));
}

const fmtShape = (s: TensorSpec['shape']): string => `[${s.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
const featureLabel = (f: Feature, i: number): string => `feature ${i + 1} "${f.name}"`;

function checkTensor(inputs: TensorSpec[], features: Feature[]): string[] {
  if (inputs.length !== 1) {
    const names = inputs.map((i) => `"${i.name}"`).join(', ') || 'none';
    return [`input_mode "tensor" expects one model input holding all ${features.length} features, the model has ${inputs.length}: ${names}`];
  }
  const input = inputs[0] as TensorSpec;
  const problems: string[] = [];
  const first = features[0] as Feature;
  // One tensor has one element type, so every feature must share it; name each one that does not.
  const odd = features.map((f, i) => ({ f, i })).filter(({ f }) => f.type !== first.type);
  for (const { f, i } of odd) {
    problems.push(
      `${featureLabel(f, i)}: type ${f.type} differs from feature 1 "${first.name}" (${first.type}); ` +
        'a single tensor input needs one type (or use input_mode "columns")',
    );
  }
  if (!odd.length && input.type !== first.type) {
    const which = features.length === 1 ? `${featureLabel(first, 0)}` : `all ${features.length} features`;
    problems.push(`input "${input.name}": expected ${first.type} (the type of ${which}), the model's input has ${input.type}`);
  }
  // An empty shape means the file declares no shape: nothing to check against.
  if (input.shape.length > 0 && input.shape.length !== 2) {
    problems.push(`input "${input.name}": expected a 2-D tensor [batch, ${features.length}], the model declares ${fmtShape(input.shape)}`);
  } else if (input.shape.length === 2) {
    const width = input.shape[1];
    if (typeof width === 'number' && width !== features.length) {
      problems.push(`input "${input.name}": the model takes ${width} columns, mlops.yaml lists ${features.length} features`);
    }
  }
  return problems;
}

function checkColumns(inputs: TensorSpec[], features: Feature[]): string[] {
  const problems: string[] = [];
  features.forEach((f, i) => {
    const input = inputs[i];
    if (!input) {
      problems.push(`${featureLabel(f, i)}: the model has no input ${i + 1} (it has ${inputs.length} inputs)`);
      return;
    }
    if (input.name !== f.name) {
      const elsewhere = inputs.findIndex((x) => x.name === f.name);
      const hint = elsewhere >= 0 ? ` ("${f.name}" is input ${elsewhere + 1})` : '';
      problems.push(`${featureLabel(f, i)}: the model's input ${i + 1} is named "${input.name}"${hint}`);
    }
    if (input.type !== f.type) problems.push(`${featureLabel(f, i)}: expected ${f.type}, the model's input has ${input.type}`);
    const extra = input.shape.slice(1);
    if (input.shape.length > 2 || extra.some((d) => typeof d === 'number' && d !== 1)) {
      problems.push(`${featureLabel(f, i)}: expected one value per row ([batch] or [batch, 1]), the model's input has shape ${fmtShape(input.shape)}`);
    }
  });
  inputs.slice(features.length).forEach((input, k) => {
    problems.push(`model input ${features.length + k + 1} "${input.name}" is not a feature in mlops.yaml`);
  });
  return problems;
}

function checkOutputs(actual: TensorSpec[], declared: ModelConfig['signature']['outputs']): string[] {
  const problems: string[] = [];
  for (const out of declared) {
    const found = actual.find((a) => a.name === out.name);
    if (!found) {
      const names = actual.map((a) => `"${a.name}"`).join(', ') || 'none';
      problems.push(`output "${out.name}": the model has no such output (it has ${names})`);
    } else if (found.type !== out.type) {
      problems.push(`output "${out.name}": expected ${out.type}, the model's output has ${found.type}`);
    }
  }
  return problems;
}
