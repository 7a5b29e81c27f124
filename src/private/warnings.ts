import { Construct } from 'constructs';

/** The metadata type under which cdk8s-karmada records its warnings on a construct. */
export const WARNING_METADATA_TYPE = 'cdk8s-karmada:warning';

/**
 * Record a warning on a construct and print it to stderr. Warnings flag legal but unsafe choices;
 * `KarmadaWarnings.of(scope)` reads them back.
 */
export function addWarning(scope: Construct, message: string): void {
  scope.node.addMetadata(WARNING_METADATA_TYPE, message);
  if (process.env.CDK8S_KARMADA_SILENCE_WARNINGS !== '1') {
    process.stderr.write(`[cdk8s-karmada] warning: ${scope.node.path}: ${message}\n`);
  }
}
