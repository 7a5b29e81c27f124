import { Size } from 'cdk8s';
import { checkCertManagerPkiOptions } from './cert-manager-pki';
import { runningComponents } from '../components/registry';
import { MAX_ETCD_MEMBER_NAME_LENGTH } from '../constructs/etcd-member';
import { MAX_CONTROL_PLANE_NODE_NAME_LENGTH } from '../constructs/karmada-control-plane-node';
import { EtcdTopology } from '../etcd-topology';
import { HostRequirements } from '../host-requirements';
import { KarmadaImages } from '../images';
import { OptionalKarmadaComponents } from '../karmada-components';
import { CertManagerPkiOptions } from '../pki';
import { EtcdBackupInput, checkCronSchedule, checkEtcdBackup, DEFAULT_ETCD_DEFRAG_SCHEDULE } from './etcd-maintenance';
import { ResolvedEtcdTuning } from './etcd-tuning';
import { Component, etcdClientServiceName, hostServiceName, nodeApiServerServiceName } from './names';
import {
  MINIMUM_HA_COUNT, checkDnsDomain, checkEtcdEndpoint, checkEtcdStorage, checkEtcdTuning, checkKeyPrefix, checkMinimumCount,
  checkNamesMatchCount, checkNamespace, checkNodePort, checkObjectName, checkSecretName,
  checkServiceClusterIpRange, checkSourceRanges, checkTopologyKey, checkUnique, checkZones, warnEtcdMemberCount, warnExternalEtcdHostsNotDisjoint,
  checkCertificateDnsName, checkHttpsUrl, checkInstanceName, checkIpAddress, checkAnnotationKeys, checkImages, checkEtcdImage, checkWholeGibibytes,
  checkSubdomainName, checkHostRequirements, checkOwnNamespace,
} from './validation';

/** Object names (Services) are DNS-1035 labels. */
const MAX_OBJECT_NAME_LENGTH = 63;
/** `-kubeconfig`, the longest suffix after a scheduler estimator's name (its member kubeconfig Secret). */
const MAX_SECRET_SUFFIX = '-kubeconfig'.length;


/** What HATopology hands to the planner: its props with defaults resolved where they cannot be wrong. */
export interface HATopologyInput {
  readonly name: string;
  readonly namespace: string;
  readonly clusterDomain: string;
  readonly etcd: EtcdTopology;
  readonly controlPlaneNodes?: number;
  readonly controlPlaneNodeNames?: string[];
  readonly failureDomainKey: string;
  readonly zones?: string[];
  readonly apiServerServiceType: string;
  readonly apiServerNodePort?: number;
  readonly apiServerSourceRanges?: string[];
  readonly etcdTuning: ResolvedEtcdTuning;
  /** The size of each etcd member's volume. */
  readonly etcdStorageBytes: number;
  readonly controlPlaneHostLabels?: Record<string, string>;
  readonly etcdHostLabels?: Record<string, string>;
  readonly etcdHostsGiven: boolean;
  /** Which hosts may run control-plane nodes and, when external, etcd members (labels and tolerations checked). */
  readonly controlPlaneHosts?: HostRequirements;
  readonly etcdHosts?: HostRequirements;
  /** The size of each etcd member's volume, as given. */
  readonly etcdStorageSize?: Size;
  readonly etcdStorageClassName?: string;
  readonly images?: KarmadaImages;
  readonly etcdImage?: string;
  readonly apiServerAnnotations?: Record<string, string>;
  /** The props that only apply to etcd members the library runs, as given (checked against the placement). */
  readonly inClusterEtcdProps?: string[];
  /** The library creates (and labels) the Namespace. */
  readonly createNamespace: boolean;
  /** The library creates the NetworkPolicies (a default deny in the namespace among them). */
  readonly networkPolicies: boolean;
  /** The cert-manager options, when cert-manager issues the certificates. */
  readonly certManagerOptions?: CertManagerPkiOptions;
  readonly serviceClusterIpRange?: string;
  /** The member clusters given a scheduler estimator. */
  readonly schedulerEstimatorClusters: string[];
  /** The pull-mode endpoint, when pull mode is on. */
  readonly pullModeApiServerEndpoint?: string;
  /** The Karmada CA is an issuer the user named (so the library does not hold its key). */
  readonly karmadaIssuerGiven: boolean;
  /** cert-manager issues the certificates (rather than Secrets the user made). */
  readonly certManager: boolean;
  readonly apiServerExternalDnsNames: string[];
  readonly apiServerExternalIpAddresses: string[];
  /** The optional components switched on. */
  readonly components: OptionalKarmadaComponents;
  /** The etcd backup's settings, when it is on (only checked when the library runs the members). */
  readonly etcdBackup?: EtcdBackupInput;
  /** The etcd defragmentation's schedule, when it is on and given. */
  readonly etcdDefragmentationSchedule?: string;
}

/** The names of everything to create, and every problem found. Nothing is created while `errors` is not empty. */
export interface HATopologyPlan {
  readonly controlPlaneNodeNames: string[];
  readonly etcdMemberNames: string[];
  readonly errors: string[];
  readonly warnings: string[];
}

/** Resolve the names of a topology and check all of its input. Pure: no construct is touched. */
export function planHATopology(input: HATopologyInput): HATopologyPlan {
  const errors: string[] = [];
  const warnings: string[] = [];

  errors.push(...checkInstanceName('name', input.name));
  errors.push(...checkNamespace('namespace', input.namespace));
  errors.push(...checkOwnNamespace(input.namespace, input.createNamespace ? 'createNamespace' : undefined,
    input.networkPolicies ? 'set networkPolicies.enabled to false' : undefined));
  errors.push(...checkDnsDomain('clusterDomain', input.clusterDomain));
  errors.push(...checkTopologyKey('failureDomain', input.failureDomainKey));
  if (input.apiServerServiceType === 'ExternalName') {
    errors.push('apiServerService.type is ExternalName, which selects no pods: use ServiceType.CLUSTER_IP, NODE_PORT or LOAD_BALANCER');
  }
  errors.push(...checkNodePort(input.apiServerServiceType, input.apiServerNodePort));
  errors.push(...checkAnnotationKeys('apiServerService.annotations', input.apiServerAnnotations));
  errors.push(...checkImages('images', input.images));
  errors.push(...checkSourceRanges(input.apiServerServiceType, input.apiServerSourceRanges));

  // Control-plane nodes.
  const nodeNames = resolveNames(input.controlPlaneNodeNames, input.controlPlaneNodes, 'controlPlaneNodeNames',
    'controlPlaneNodes', index => `${input.name}-cp-${index}`, errors);
  nodeNames.forEach((nodeName, index) =>
    errors.push(...checkObjectName(`controlPlaneNodeNames[${index}]`, nodeName, MAX_CONTROL_PLANE_NODE_NAME_LENGTH, `${input.name}-cp-${index}`)));
  errors.push(...checkUnique('controlPlaneNodeNames', nodeNames, 'control-plane node'));

  // etcd.
  const etcd = input.etcd;
  const etcdTraits = etcd._traits;
  let memberNames: string[] = [];
  if (!etcdTraits.runsMembers) {
    const endpoints = etcd.endpoints ?? [];
    if (endpoints.length === 0) {
      errors.push('etcd endpoints is empty: give the https client URL of every member of the external etcd');
    } else if (endpoints.length < MINIMUM_HA_COUNT) {
      warnings.push(`etcd endpoints lists ${endpoints.length} URL${endpoints.length === 1 ? '' : 's'}: unless ${endpoints.length === 1 ? 'it is a load balancer' : 'they are load balancers'} in front of at least 3 members, one failure stops the control plane; list every member`);
    }
    endpoints.forEach((endpoint, index) => errors.push(...checkEtcdEndpoint(`etcd endpoints[${index}]`, endpoint)));
    errors.push(...checkUnique('etcd endpoints', endpoints, 'endpoint', 'list every endpoint once'));
    errors.push(...checkSecretName('etcd clientCertificateSecret', etcd.clientCertificateSecret ?? ''));
    errors.push(...checkKeyPrefix('etcd keyPrefix', etcd.keyPrefix ?? ''));
    const ignored = input.inClusterEtcdProps ?? [];
    if (ignored.length > 0) {
      warnings.push(`${ignored.join(', ')} ${ignored.length === 1 ? 'is' : 'are'} set but etcd lives outside the cluster, where the library runs no member, so ${ignored.length === 1 ? 'it is' : 'they are'} ignored: drop ${ignored.length === 1 ? 'it' : 'them'}, or let the library run etcd`);
    }
  } else {
    const stacked = etcdTraits.pairsMembersWithNodes;
    const count = stacked ? nodeNames.length : etcd.members;
    const defaultMemberName = (index: number) => `${input.name}-etcd-${index}`;
    // Stacked members without names of their own follow the nodes, whose count is already checked.
    memberNames = stacked && etcd.memberNames === undefined
      ? nodeNames.map((_, index) => defaultMemberName(index))
      : resolveNames(etcd.memberNames, count, 'etcd memberNames', stacked ? 'controlPlaneNodes' : 'etcd members', defaultMemberName, errors);
    memberNames.forEach((memberName, index) =>
      errors.push(...checkObjectName(`etcd memberNames[${index}]`, memberName, MAX_ETCD_MEMBER_NAME_LENGTH, defaultMemberName(index))));
    errors.push(...checkUnique('etcd memberNames', memberNames, 'etcd member'));
    if (stacked) {
      warnings.push(...warnEtcdMemberCount('controlPlaneNodes (one stacked etcd member each)', memberNames.length));
    } else {
      warnings.push(...warnEtcdMemberCount('etcd members', memberNames.length));
      warnings.push(...warnExternalEtcdHostsNotDisjoint(input.controlPlaneHostLabels, input.etcdHostLabels));
    }

    const tuning = checkEtcdTuning(input.etcdTuning);
    errors.push(...tuning.errors);
    warnings.push(...tuning.warnings);
    if (input.etcdImage !== undefined) errors.push(...checkEtcdImage('etcdImage', input.etcdImage));
    errors.push(...checkWholeGibibytes('etcdStorageSize', input.etcdStorageSize, 'Size.gibibytes(20)'));
    if (input.etcdStorageClassName !== undefined) {
      errors.push(...checkSubdomainName('etcdStorageClassName', input.etcdStorageClassName, 'StorageClass', 'fast-ssd'));
    }
    const storage = checkEtcdStorage(input.etcdStorageBytes, input.etcdTuning.quotaBackendBytes);
    errors.push(...storage.errors);
    warnings.push(...storage.warnings);
    // Its warnings are the EtcdBackup construct's to give, once.
    if (input.etcdBackup) errors.push(...checkEtcdBackup('etcdBackup', input.etcdBackup).errors);
    if (input.etcdDefragmentationSchedule !== undefined) {
      errors.push(...checkCronSchedule('etcdDefragmentation.schedule', input.etcdDefragmentationSchedule, DEFAULT_ETCD_DEFRAG_SCHEDULE));
    }
  }

  errors.push(...checkServiceClusterIpRange(input.serviceClusterIpRange));
  errors.push(...checkHostRequirements('controlPlaneHosts', input.controlPlaneHosts));
  errors.push(...checkHostRequirements('etcdHosts', input.etcdHosts));
  if (input.etcdHostsGiven && !etcdTraits.membersOnOwnHosts) {
    errors.push(etcdTraits.pairsMembersWithNodes
      ? 'etcdHosts is set but etcd is stacked: stacked members run on their control-plane node\'s host, so use controlPlaneHosts'
      : 'etcdHosts is set but etcd lives outside the cluster: drop etcdHosts');
  }

  const zoneFindings = checkZones(input.zones, input.failureDomainKey, nodeNames.length, memberNames.length);
  errors.push(...zoneFindings.errors);
  warnings.push(...zoneFindings.warnings);

  // Components, certificates, pull mode.
  input.schedulerEstimatorClusters.forEach((cluster, index) => errors.push(...checkObjectName(
    `components.schedulerEstimatorClusters[${index}]`, cluster, MAX_OBJECT_NAME_LENGTH - `${input.name}-scheduler-estimator-`.length - MAX_SECRET_SUFFIX, 'member-1')));
  errors.push(...checkUnique('components.schedulerEstimatorClusters', input.schedulerEstimatorClusters, 'member cluster'));
  warnings.push(...runningComponents(input.components).flatMap(component => component.planWarnings?.(input) ?? []));
  input.apiServerExternalDnsNames.forEach((name, index) => errors.push(
    ...checkCertificateDnsName(`apiServerService.externalDnsNames[${index}]`, name, 'apiServerService.externalIpAddresses')));
  input.apiServerExternalIpAddresses.forEach((address, index) => errors.push(
    ...checkIpAddress(`apiServerService.externalIpAddresses[${index}]`, address, 'apiServerService.externalDnsNames')));
  if (input.pullModeApiServerEndpoint !== undefined) {
    errors.push(...checkHttpsUrl('pullMode.apiServerEndpoint', input.pullModeApiServerEndpoint, 'https://karmada.example.com:5443'));
    if (input.karmadaIssuerGiven) {
      errors.push('pullMode needs the Karmada CA\'s key (kube-controller-manager signs karmada-agent certificates with it), but pki.karmadaIssuer names an issuer whose key the library does not hold: drop pki.karmadaIssuer or pullMode');
    }
    if (input.apiServerServiceType === 'ClusterIP') {
      warnings.push(`pullMode.apiServerEndpoint is ${input.pullModeApiServerEndpoint} but the entry point is a ClusterIP Service, which member clusters cannot reach: set apiServerService.type to LOAD_BALANCER or NODE_PORT, or make sure that endpoint forwards to it`);
    }
  }
  if (input.certManagerOptions !== undefined) {
    const pki = checkCertManagerPkiOptions('pki', input.certManagerOptions);
    errors.push(...pki.errors);
    warnings.push(...pki.warnings);
  }
  if (!input.certManager && input.karmadaIssuerGiven) {
    errors.push('pki names a Karmada issuer but uses existing Secrets: use Pki.certManager({ karmadaIssuer }) or Pki.existingSecrets()');
  }

  errors.push(...checkDistinctObjectNames(input.name, nodeNames, memberNames));
  return { controlPlaneNodeNames: nodeNames, etcdMemberNames: memberNames, errors, warnings };
}

/** Names given explicitly, or generated from a count (default 3); the two must agree when both are given. */
function resolveNames(names: string[] | undefined, count: number | undefined, namesProperty: string, countProperty: string,
  generate: (index: number) => string, errors: string[]): string[] {
  if (names !== undefined) {
    if (count !== undefined && names.length !== count) {
      errors.push(...checkNamesMatchCount(namesProperty, names, countProperty, count));
    }
    errors.push(...checkMinimumCount(`${namesProperty} (count)`, names.length));
    return [...names];
  }
  const resolved = count ?? MINIMUM_HA_COUNT;
  const countErrors = checkMinimumCount(countProperty, resolved);
  errors.push(...countErrors);
  return countErrors.length > 0 && !Number.isInteger(resolved) ? [] : Array.from({ length: Math.max(resolved, 0) }, (_, index) => generate(index));
}

/** Two objects of one kind may not share a name: node-derived names must not collide with members or the entry point. */
function checkDistinctObjectNames(instance: string, nodeNames: string[], memberNames: string[]): string[] {
  const services = new Map<string, string>();
  const errors: string[] = [];
  const claim = (serviceName: string, owner: string) => {
    const previous = services.get(serviceName);
    if (previous !== undefined && previous !== owner) {
      errors.push(`${owner} and ${previous} would both create Service '${serviceName}': rename one of them`);
    }
    services.set(serviceName, owner);
  };
  claim(hostServiceName(instance, Component.API_SERVER), 'the HA entry point');
  nodeNames.forEach(nodeName => claim(nodeApiServerServiceName(nodeName), `control-plane node '${nodeName}'`));
  memberNames.forEach(memberName => claim(memberName, `etcd member '${memberName}'`));
  if (memberNames.length > 0) claim(etcdClientServiceName(instance), 'the etcd client Service');
  return errors;
}
