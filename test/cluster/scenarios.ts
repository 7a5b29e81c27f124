import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { stringify } from 'yaml';
import { buildExternalChart, HOST_ROLE_LABEL, HOSTS_BY_ROLE } from '../../examples/external/chart';
import { buildExternalEndpointsChart } from '../../examples/external-endpoints/chart';
import { buildStackedChart } from '../../examples/stacked/chart';
import { EtcdTopology, FailureToleranceReport, HATopology, HATopologyProps, KarmadaLabels } from '../../src';
import { Manifest } from '../util';
import { HostSpec, hosts, LivePod } from './host-cluster';

/** A topology to apply to the real host cluster: the three examples and the topologies people run. */
export interface Scenario {
  readonly name: string;
  /** The synthesized objects, in the order `cdk8s synth` writes them. */
  readonly objects: Manifest[];
  readonly namespace: string;
  /** The installation (HATopology) name. */
  readonly instance: string;
  readonly tolerance: FailureToleranceReport;
  /**
   * The label the hosts need for their role, when the topology asks for one (external etcd with disjoint host
   * labels): the first `etcdMembers` of every `hostsRequired` hosts get `etcd`, the others `control-plane`.
   */
  readonly hostRoleLabel?: string;
}

function fromChart(name: string, chart: Chart, topology: HATopology, hostRoleLabel?: string): Scenario {
  return {
    name,
    ...(hostRoleLabel ? { hostRoleLabel } : {}),
    objects: Testing.synth(chart),
    namespace: topology.namespace,
    instance: topology.name,
    tolerance: topology.failureTolerance,
  };
}

function example(name: string, build: (app: App) => Chart, hostRoleLabel?: string): () => Scenario {
  return () => {
    const chart = build(Testing.app());
    return fromChart(name, chart, chart.node.findChild('Karmada') as HATopology, hostRoleLabel);
  };
}

function ofProps(name: string, props: HATopologyProps): () => Scenario {
  return () => {
    const chart = new Chart(Testing.app(), 'scenario');
    const hostRoleLabel = props.etcdHosts?.nodeLabels?.[HOST_ROLE_LABEL] ? HOST_ROLE_LABEL : undefined;
    return fromChart(name, chart, new HATopology(chart, 'karmada', props), hostRoleLabel);
  };
}

const FIVE_ZONES = ['zone-a', 'zone-b', 'zone-c', 'zone-d', 'zone-e'];

/** Every scenario, by name; each is synthesized when asked for. */
export const SCENARIOS: Record<string, () => Scenario> = {
  'example stacked (3 nodes, 3 zones, LoadBalancer, pull mode)': example('example-stacked', buildStackedChart),
  'example external (3+3, every optional component)': example('example-external', buildExternalChart, HOST_ROLE_LABEL),
  'example external endpoints (3 nodes, existing Secrets)': example('example-external-endpoints', buildExternalEndpointsChart),
  'stacked 3, no zones': ofProps('stacked-3', { etcd: EtcdTopology.stacked(), controlPlaneNodes: 3 }),
  'stacked 5, 5 zones': ofProps('stacked-5-zones', {
    etcd: EtcdTopology.stacked(), controlPlaneNodes: 5, failureDomain: kplus.Topology.ZONE, zones: FIVE_ZONES,
  }),
  'external 3+3, 3 zones, no host labels': ofProps('external-3-3-zones', {
    etcd: EtcdTopology.external({ members: 3 }), controlPlaneNodes: 3, failureDomain: kplus.Topology.ZONE, zones: FIVE_ZONES.slice(0, 3),
  }),
  'external 3+5, no zones, hosts labelled by role': ofProps('external-3-5', {
    etcd: EtcdTopology.external({ members: 5 }), controlPlaneNodes: 3, ...HOSTS_BY_ROLE,
  }),
  'external endpoints, 3 zones': ofProps('external-endpoints-zones', {
    etcd: EtcdTopology.externalEndpoints({
      endpoints: ['https://etcd-0.db.internal:2379', 'https://etcd-1.db.internal:2379', 'https://etcd-2.db.internal:2379'],
      clientCertificateSecret: 'karmada-etcd-client',
    }),
    controlPlaneNodes: 3,
    failureDomain: kplus.Topology.ZONE,
    zones: FIVE_ZONES.slice(0, 3),
  }),
};

/** The synthesized file, as `cdk8s synth` writes it: one YAML document per object. */
export function manifestFile(objects: readonly Manifest[]): string {
  return objects.map(o => stringify(o, { lineWidth: 0 })).join('---\n');
}

/** `count` hosts over the scenario's zones (round-robin), when it names zones, labelled for their role if it asks. */
export function hostsFor(scenario: Scenario, count: number): HostSpec[] {
  const { etcdMembers, hostsRequired } = scenario.tolerance;
  return hosts(count, scenario.tolerance.zones).map((host, index) => scenario.hostRoleLabel === undefined ? host : {
    ...host,
    labels: { [scenario.hostRoleLabel]: index % hostsRequired < etcdMembers ? 'etcd' : 'control-plane' },
  });
}

/** How the pods of a scenario are expected to sit on the hosts, and what they actually do. */
export interface PlacementReport {
  /** host: what runs there, e.g. `karmada-cp-0 (6) + etcd karmada-etcd-0`. */
  readonly perHost: Record<string, string>;
  /** Violations of the topology's placement promises; empty when placement is right. */
  readonly violations: string[];
}

/**
 * Checks the placement of the scheduled pods against what the topology promises: each control-plane node's pods
 * share one host and no other node's; stacked: each member sits with its node; external: members on hosts of
 * their own; no two members on one host; with a zone failure domain, no two nodes (nor two members) in one zone.
 */
export function placementOf(scenario: Scenario, pods: readonly LivePod[], zoneOfHost: Readonly<Record<string, string>>): PlacementReport {
  const violations: string[] = [];
  const scheduled = pods.filter(p => p.nodeName && !p.deleting && p.ownerKind !== 'Job');
  const hostsOfNode = new Map<string, Set<string>>();
  const memberHost = new Map<string, string>();
  const stackedMemberOf = new Map<string, string>();
  for (const pod of scheduled) {
    const node = pod.labels[KarmadaLabels.CONTROL_PLANE_NODE];
    const member = pod.labels[KarmadaLabels.ETCD_MEMBER];
    if (member) {
      memberHost.set(member, pod.nodeName!);
      if (node) stackedMemberOf.set(node, member);
    }
    if (node) hostsOfNode.set(node, (hostsOfNode.get(node) ?? new Set()).add(pod.nodeName!));
  }
  for (const [node, nodeHosts] of hostsOfNode) {
    if (nodeHosts.size !== 1) violations.push(`${node}'s pods are on ${nodeHosts.size} hosts: ${[...nodeHosts].join(', ')}`);
  }
  const hostOf = (node: string) => [...hostsOfNode.get(node)!][0];
  const nodes = [...hostsOfNode.keys()];
  for (const [i, a] of nodes.entries()) {
    for (const b of nodes.slice(i + 1)) {
      if (hostOf(a) === hostOf(b)) violations.push(`${a} and ${b} share host ${hostOf(a)}`);
      if (scenario.tolerance.zonesRequired > 1 && zoneOfHost[hostOf(a)] === zoneOfHost[hostOf(b)]) {
        violations.push(`${a} and ${b} share zone ${zoneOfHost[hostOf(a)]}`);
      }
    }
  }
  const members = [...memberHost.keys()];
  for (const [i, a] of members.entries()) {
    for (const b of members.slice(i + 1)) {
      if (memberHost.get(a) === memberHost.get(b)) violations.push(`etcd members ${a} and ${b} share host ${memberHost.get(a)}`);
      if (scenario.tolerance.zonesRequired > 1 && zoneOfHost[memberHost.get(a)!] === zoneOfHost[memberHost.get(b)!]) {
        violations.push(`etcd members ${a} and ${b} share zone ${zoneOfHost[memberHost.get(a)!]}`);
      }
    }
  }
  const controlPlaneHosts = new Set(nodes.map(hostOf));
  for (const [member, host] of memberHost) {
    const stackedOn = [...stackedMemberOf].find(([, m]) => m === member)?.[0];
    if (stackedOn) {
      if (hostsOfNode.has(stackedOn) && host !== hostOf(stackedOn)) violations.push(`stacked member ${member} is on ${host}, its node ${stackedOn} on ${hostOf(stackedOn)}`);
    } else if (controlPlaneHosts.has(host)) {
      violations.push(`external member ${member} shares host ${host} with a control-plane node`);
    }
  }
  const perHost: Record<string, string> = {};
  for (const host of [...new Set(scheduled.map(p => p.nodeName!))].sort(byHostIndex)) {
    const here = scheduled.filter(p => p.nodeName === host);
    const parts: string[] = [];
    for (const node of nodes.filter(n => hostOf(n) === host)) {
      parts.push(`${node} (${here.filter(p => p.labels[KarmadaLabels.CONTROL_PLANE_NODE] === node && !p.labels[KarmadaLabels.ETCD_MEMBER]).length})`);
    }
    for (const member of members.filter(m => memberHost.get(m) === host)) parts.push(`etcd ${member}`);
    const others = here.filter(p => !p.labels[KarmadaLabels.CONTROL_PLANE_NODE] && !p.labels[KarmadaLabels.ETCD_MEMBER]);
    for (const other of others) parts.push(other.labels[KarmadaLabels.NAME] ?? other.name);
    perHost[`${host}${zoneOfHost[host] ? ` [${zoneOfHost[host]}]` : ''}`] = parts.join(' + ');
  }
  return { perHost, violations };
}

function byHostIndex(a: string, b: string): number {
  return Number(a.replace(/\D/g, '')) - Number(b.replace(/\D/g, ''));
}
