/** Exporting fitted estimators to ONNX: `mlops.log_model` without skl2onnx (shapes in schemas/src/export.ts). */
import { modelNameParam, registerVersionResponse } from '../api';
import { defineEndpoint } from '../endpoint';
import { MAX_SKLEARN_BODY_BYTES, exportSklearnRequest } from '../export';

/**
 * The fitted parameters of a scikit-learn estimator become an ONNX graph, registered as a new version with the
 * registry's usual checks. `invalid_estimator`: a parameter that cannot make a model, named by its body path.
 */
export const exportSklearn = defineEndpoint({
  method: 'POST',
  path: '/models/:name/versions/sklearn',
  params: modelNameParam,
  body: exportSklearnRequest,
  response: registerVersionResponse,
  status: 201,
  errors: ['invalid_estimator', 'invalid_artifact', 'invalid_config', 'signature_mismatch'],
  maxBodyBytes: MAX_SKLEARN_BODY_BYTES,
  timeoutMs: 300_000,
});
