import { Construct } from 'constructs';
import { WARNING_METADATA_TYPE } from './private/warnings';

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
