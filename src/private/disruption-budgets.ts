import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { etcdQuorum } from '../failure-tolerance';
import { hostServiceName, schedulerEstimatorServiceName } from './names';
import { allEtcdMembersSelector, componentSelector, schedulerEstimatorSelector } from './selectors';

/** What the disruption budgets cover. */
export interface DisruptionBudgetsInput {
  readonly instance: string;
  readonly namespace: string;
  /** Members the library runs (0 with external endpoints). */
  readonly etcdMembers: number;
  readonly controlPlaneNodes: number;
  /** The components every control-plane node runs. */
  readonly components: string[];
  /** Member clusters with a scheduler estimator, and the replicas of each. */
  readonly schedulerEstimatorClusters: string[];
  readonly schedulerEstimatorReplicas: number;
}

/**
 * Budgets for voluntary disruptions (drains, node upgrades, cluster autoscaler):
 *
 * - etcd: `minAvailable` = quorum, so an eviction never takes the members below a majority. Each member is its own
 *   StatefulSet; an integer `minAvailable` needs no controller scale, so one budget spans them all. An unhealthy
 *   member is only evicted while the budget still allows it (`IfHealthyBudget`): a member catching up is not one
 *   to lose too.
 * - each control-plane component: all instances but one (`minAvailable` = nodes - 1) over every node's Deployment.
 *   An instance that is not Ready may always be evicted (`AlwaysAllow`): it serves nothing, and a crash-looping
 *   pod must not block a drain.
 * - each member cluster's scheduler estimator: all replicas but one.
 */
export function addDisruptionBudgets(scope: Construct, input: DisruptionBudgetsInput): void {
  const budget = (id: string, name: string, selector: Record<string, string>, minAvailable: number, unhealthyPodEvictionPolicy: string) =>
    new kplus.k8s.KubePodDisruptionBudget(scope, id, {
      metadata: { name, namespace: input.namespace, labels: selector },
      spec: {
        minAvailable: kplus.k8s.IntOrString.fromNumber(minAvailable),
        selector: { matchLabels: selector },
        unhealthyPodEvictionPolicy,
      },
    });

  if (input.etcdMembers > 0) {
    budget('etcd', `${input.instance}-etcd`, allEtcdMembersSelector(input.instance), etcdQuorum(input.etcdMembers), 'IfHealthyBudget');
  }
  for (const component of input.components) {
    budget(component, hostServiceName(input.instance, component), componentSelector(input.instance, component), input.controlPlaneNodes - 1, 'AlwaysAllow');
  }
  if (input.schedulerEstimatorReplicas > 1) {
    for (const memberCluster of input.schedulerEstimatorClusters) {
      budget(`estimator-${memberCluster}`, schedulerEstimatorServiceName(input.instance, memberCluster),
        schedulerEstimatorSelector(input.instance, memberCluster), input.schedulerEstimatorReplicas - 1, 'AlwaysAllow');
    }
  }
}
