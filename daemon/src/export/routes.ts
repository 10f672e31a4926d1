/**
 * Handler of `exportSklearn` (schemas/src/endpoints/export.ts): the fitted parameters `mlops.log_model` sends become an ONNX graph
 * (onnx/sklearn.ts), which then goes through the registry's usual checks and storage like an uploaded file.
 */
import { exportSklearn } from '../../../schemas/src/endpoints/export';
import { type ExportSklearnRequest } from '../../../schemas/src/export';
import { serve, type Route } from '../http/router';
import { InvalidEstimatorError, buildSklearnOnnx } from '../onnx/sklearn';
import { type ArtifactIntake } from '../registry/intake';
import { type Registry } from '../registry/registry';
import { DomainError } from '../util/errors';
import { VERSION } from '../../../shared/src/version';

export function exportRoutes(registry: Registry, intake: ArtifactIntake): Route[] {
  return [
    serve(exportSklearn, async ({ params, body, actor }) => {
      const bytes = sklearnBytes(body);
      const prepared = await intake.prepareBytes(params.name, bytes, `the exported ${body.estimator_class || 'estimator'}`, body);
      const r = registry.register(params.name, prepared.version, prepared.keepVersions, actor);
      return { version: r.version, removed_versions: r.removed };
    }),
  ];
}

function sklearnBytes(body: ExportSklearnRequest): Uint8Array {
  try {
    return buildSklearnOnnx(body.estimator, {
      featureNames: body.feature_names,
      metadata: {
        source: 'scikit-learn',
        ...(body.estimator_class ? { estimator_class: body.estimator_class } : {}),
        ...(body.sklearn_version ? { sklearn_version: body.sklearn_version } : {}),
        exporter: `mlops-workbench ${VERSION}`,
      },
    });
  } catch (e) {
    if (e instanceof InvalidEstimatorError) {
      throw new DomainError(422, 'invalid_estimator', `the estimator cannot be exported: ${e.message}`, [{ path: `body.${e.path}`, message: e.message }]);
    }
    throw e;
  }
}
