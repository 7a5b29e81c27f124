import * as kplus from 'cdk8s-plus-28';
import { HostRequirements } from '../host-requirements';

/** Require the workload's pods on hosts that carry the labels, and let them tolerate the taints. */
export function applyHostRequirements(workload: kplus.Workload, hosts: HostRequirements | undefined): void {
  const labels = Object.entries(hosts?.nodeLabels ?? {});
  if (labels.length > 0) {
    workload.scheduling.attract(kplus.Node.labeled(...labels.map(([key, value]) => kplus.NodeLabelQuery.is(key, value))));
  }
  for (const taint of hosts?.tolerations ?? []) {
    workload.scheduling.tolerate(kplus.Node.tainted(taint));
  }
}
