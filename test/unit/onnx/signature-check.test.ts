import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSignatureAgainstConfig, type OnnxSignature } from '../../../daemon/src/onnx/model';
import { modelConfigSchema, type ModelConfig } from '../../../schemas/src/mlops-yaml';

function config(
  inputs: { name: string; type?: 'float' | 'double' | 'int64' | 'int32' | 'bool' | 'string' }[],
  mode: 'tensor' | 'columns' = 'tensor',
  outputs: { name: string; type?: 'float' | 'int64' }[] = [],
): ModelConfig {
  return modelConfigSchema.parse({ task: 'classification', signature: { inputs, input_mode: mode, outputs } });
}

const probOut = { name: 'probability', type: 'float', shape: ['N', 1] };
const tensorSig = (type: string, shape: (number | string | null)[]): OnnxSignature => ({
  inputs: [{ name: 'features', type, shape }],
  outputs: [probOut, { name: 'label', type: 'int64', shape: ['N', 1] }],
});
const three = [{ name: 'tenure_months' }, { name: 'monthly_charges' }, { name: 'support_calls' }];

describe('checkSignatureAgainstConfig, input_mode tensor', () => {
  test('a matching model has no problems (symbolic, unnamed or fixed widths)', () => {
    const cfg = config(three, 'tensor', [{ name: 'probability' }, { name: 'label', type: 'int64' }]);
    assert.deepEqual(checkSignatureAgainstConfig(tensorSig('float', ['N', 3]), cfg), []);
    assert.deepEqual(checkSignatureAgainstConfig(tensorSig('float', [null, 'F']), cfg), []);
    assert.deepEqual(checkSignatureAgainstConfig(tensorSig('float', []), cfg), []);
  });

  test('width, rank and element type mismatches', () => {
    const cfg = config(three);
    assert.deepEqual(checkSignatureAgainstConfig(tensorSig('float', ['N', 4]), cfg), [
      'input "features": the model takes 4 columns, mlops.yaml lists 3 features',
    ]);
    assert.deepEqual(checkSignatureAgainstConfig(tensorSig('float', ['N', 3, 1]), cfg), [
      'input "features": expected a 2-D tensor [batch, 3], the model declares [N, 3, 1]',
    ]);
    assert.deepEqual(checkSignatureAgainstConfig(tensorSig('double', ['N', 3]), cfg), [
      'input "features": expected float (the type of all 3 features), the model\'s input has double',
    ]);
  });

  test('features of mixed types cannot share one tensor: each odd feature is named', () => {
    const cfg = config([{ name: 'a' }, { name: 'b', type: 'int64' }, { name: 'c' }]);
    const problems = checkSignatureAgainstConfig(tensorSig('float', ['N', 3]), cfg);
    assert.equal(problems.length, 1);
    assert.match(problems[0] ?? '', /^feature 2 "b": type int64 differs from feature 1 "a" \(float\)/);
  });

  test('more than one model input', () => {
    const sig: OnnxSignature = {
      inputs: [
        { name: 'a', type: 'float', shape: ['N'] },
        { name: 'b', type: 'float', shape: ['N'] },
      ],
      outputs: [],
    };
    assert.deepEqual(checkSignatureAgainstConfig(sig, config(three)), [
      'input_mode "tensor" expects one model input holding all 3 features, the model has 2: "a", "b"',
    ]);
  });
});

describe('checkSignatureAgainstConfig, input_mode columns', () => {
  const cols = (specs: [string, string][]): OnnxSignature => ({
    inputs: specs.map(([name, type]) => ({ name, type, shape: ['N', 1] })),
    outputs: [probOut],
  });
  const cfg = config(
    [{ name: 'tenure_months', type: 'int64' }, { name: 'monthly_charges' }, { name: 'contract', type: 'string' }],
    'columns',
  );

  test('same names, order and types: ok', () => {
    const sig = cols([['tenure_months', 'int64'], ['monthly_charges', 'float'], ['contract', 'string']]);
    assert.deepEqual(checkSignatureAgainstConfig(sig, cfg), []);
  });

  test('type mismatch names the feature', () => {
    const sig = cols([['tenure_months', 'float'], ['monthly_charges', 'float'], ['contract', 'string']]);
    assert.deepEqual(checkSignatureAgainstConfig(sig, cfg), ['feature 1 "tenure_months": expected int64, the model\'s input has float']);
  });

  test('swapped order, missing and extra inputs', () => {
    const swapped = cols([['monthly_charges', 'float'], ['tenure_months', 'int64'], ['contract', 'string'], ['extra', 'float']]);
    assert.deepEqual(checkSignatureAgainstConfig(swapped, cfg), [
      'feature 1 "tenure_months": the model\'s input 1 is named "monthly_charges" ("tenure_months" is input 2)',
      "feature 1 \"tenure_months\": expected int64, the model's input has float",
      'feature 2 "monthly_charges": the model\'s input 2 is named "tenure_months" ("monthly_charges" is input 1)',
      "feature 2 \"monthly_charges\": expected float, the model's input has int64",
      'model input 4 "extra" is not a feature in mlops.yaml',
    ]);
    const short = cols([['tenure_months', 'int64'], ['monthly_charges', 'float']]);
    assert.deepEqual(checkSignatureAgainstConfig(short, cfg), ['feature 3 "contract": the model has no input 3 (it has 2 inputs)']);
  });

  test('a column input holding several values per row', () => {
    const sig: OnnxSignature = {
      inputs: [
        { name: 'tenure_months', type: 'int64', shape: ['N', 4] },
        { name: 'monthly_charges', type: 'float', shape: ['N'] },
        { name: 'contract', type: 'string', shape: [null, 1] },
      ],
      outputs: [],
    };
    assert.deepEqual(checkSignatureAgainstConfig(sig, cfg), [
      'feature 1 "tenure_months": expected one value per row ([batch] or [batch, 1]), the model\'s input has shape [N, 4]',
    ]);
  });
});

describe('checkSignatureAgainstConfig, outputs', () => {
  test('missing output and output type mismatch', () => {
    const cfg = config(three, 'tensor', [{ name: 'label', type: 'int64' }, { name: 'score' }, { name: 'probability', type: 'int64' }]);
    assert.deepEqual(checkSignatureAgainstConfig(tensorSig('float', ['N', 3]), cfg), [
      'output "score": the model has no such output (it has "probability", "label")',
      'output "probability": expected int64, the model\'s output has float',
    ]);
  });
});
