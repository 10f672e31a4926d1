/**
 * The safety-net test project: the serving project (servingConfig) with a file's extra deployments,
 * a registry seeded as seedRegistry does plus churn v3, a model that throws at run time for any
 * feature value above 2 (so breakers trip and fallback rules answer).
 */
import { join } from 'node:path';
import { throwingOnnx, writeBytes } from './onnx-graphs';
import { registry, seedRegistry, servingConfig } from './serving';
import { daemonSuite, type DaemonSuite } from './suite';

/** A test file's safety project and daemon (see daemonSuite), seeded before the first test. */
export function safetySuite(extraDeployments: string): DaemonSuite {
  // Breakers judge latency too: a generous threshold keeps a loaded test machine from tripping them.
  const config = servingConfig(extraDeployments).replace('retention:', 'monitoring:\n  latency:\n    p95_ms: 60000\nretention:');
  return daemonSuite({
    config,
    setup: async ({ daemon, project }) => {
      await seedRegistry(daemon.client, project.root);
      await registry(daemon.client).register('churn', { artifact_path: writeBytes(join(project.root, 'models', 'throw.onnx'), throwingOnnx(3)) }); // v3
    },
  });
}
