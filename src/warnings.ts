import { Construct } from 'constructs';

/** The metadata type under which cdk8s-karmada records its warnings on a construct. */
const WARNING_METADATA_TYPE = 'cdk8s-karmada:warning';

/**
 * Reads back the warnings cdk8s-karmada recorded for legal but unsafe choices (an even etcd member count, one zone).
 * They are also printed to stderr at synth time unless `CDK8S_KARMADA_SILENCE_WARNINGS=1`.
 */
export class KarmadaWarnings {
  /** Every warning recorded on `scope` and on the constructs below it, in construct order. */
  public static of(scope: Construct): string[] {
    return scope.node.findAll().flatMap(construct =>
      construct.node.metadata.filter(entry => entry.type === WARNING_METADATA_TYPE).map(entry => String(entry.data)));
  }

  private constructor() {}
}

// How the library records them (not exported from the package's index).

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
