import * as kplus from 'cdk8s-plus-28';
import { checkCertManagerPkiOptions } from './cert-manager-pki';
import { EtcdBackupInput, checkCronSchedule, checkEtcdBackup, DEFAULT_ETCD_DEFRAG_SCHEDULE } from './etcd-maintenance';
import { DEFAULT_ETCD_STORAGE_SIZE, ResolvedEtcdTuning, resolveEtcdTuning, sizeBytes } from '../etcd-tuning';
import { ZONE_LABEL } from './host-placement';
import { Defaults } from '../installation';
import { checkLeaderElection, resolveLeaderElection } from '../leader-election';
import { Component, etcdClientServiceName, hostServiceName, nodeApiServerServiceName } from './names';
import { checkNetworkPolicyOptions } from './network-policy-plan';
import { checkComponentSettings } from './resources-and-priority';
import { componentSwitches, runningComponents } from '../components/registry';
import { MAX_ETCD_MEMBER_NAME_LENGTH } from '../constructs/etcd-member';
import type { ApiServerServiceOptions, HATopologyProps } from '../constructs/ha-topology';
import { MAX_CONTROL_PLANE_NODE_NAME_LENGTH } from '../constructs/karmada-control-plane-node';
import { EtcdTopology } from '../etcd-topology';
import { reportFailureTolerance, FailureToleranceReport } from '../failure-tolerance';
import { OptionalKarmadaComponents } from '../karmada-components';
import { CertManagerPkiOptions, Pki } from '../pki';
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


/** The installation HATopology builds, resolved once from its props: every child construct reads this. */
export interface HATopologyPlan {
  readonly name: string;
  readonly namespace: string;
  readonly clusterDomain: string;
  readonly etcd: EtcdTopology;
  readonly failureDomain: kplus.Topology;
  readonly apiServerServiceType: kplus.ServiceType;
  readonly pki: Pki;
  /** Every optional component's switch. */
  readonly components: Required<OptionalKarmadaComponents>;
  readonly schedulerEstimatorClusters: string[];
  readonly controlPlaneNodeNames: string[];
  readonly etcdMemberNames: string[];
  /** Each zone once, in the order given. */
  readonly zones: string[];
  /** The library runs the etcd backup CronJob. */
  readonly etcdBackup: boolean;
  /** The library runs the etcd defragmentation CronJob. */
  readonly etcdDefragmentation: boolean;
  readonly networkPolicies: boolean;
  readonly bootstrapJob: boolean;
  /** What the topology needs and survives (when the input is valid). */
  readonly failureTolerance?: FailureToleranceReport;
  /** Every problem found; nothing is created while this is not empty. */
  readonly errors: string[];
  readonly warnings: string[];
}

/**
 * Resolve HATopology's props into the plan of the installation, with every problem of the input listed (errors) and
 * every legal but unsafe choice named (warnings). Pure: no construct is touched.
 */
export function planHATopology(props: HATopologyProps, name: string, namespace: string): HATopologyPlan {
  const findings: Findings = { errors: [], warnings: [] };
  const { errors, warnings } = findings;
  const {
    clusterDomain, etcd, failureDomain, apiServerService, apiServerServiceType, pki, certManagerOptions, karmadaIssuerGiven, components,
    schedulerEstimatorClusters, createNamespace, networkPolicies, etcdTuning, etcdBackupOn, etcdDefragmentationOn, pullModeApiServerEndpoint,
    etcdBackup, etcdDefragmentationSchedule, inClusterEtcdProps,
  } = resolveProps(props);
  const etcdTraits = etcd._traits;

  errors.push(...checkInstanceName('name', name));
  errors.push(...checkNamespace('namespace', namespace));
  errors.push(...checkOwnNamespace(namespace, createNamespace ? 'createNamespace' : undefined,
    networkPolicies ? 'set networkPolicies.enabled to false' : undefined));
  errors.push(...checkDnsDomain('clusterDomain', clusterDomain));
  errors.push(...checkTopologyKey('failureDomain', failureDomain.key));
  if (apiServerServiceType === 'ExternalName') {
    errors.push('apiServerService.type is ExternalName, which selects no pods: use ServiceType.CLUSTER_IP, NODE_PORT or LOAD_BALANCER');
  }
  errors.push(...checkNodePort(apiServerServiceType, apiServerService.nodePort));
  errors.push(...checkAnnotationKeys('apiServerService.annotations', apiServerService.annotations));
  errors.push(...checkImages('images', props.images));
  errors.push(...checkSourceRanges(apiServerServiceType, apiServerService.loadBalancerSourceRanges));

  // Control-plane nodes.
  const nodeNames = resolveNames(props.controlPlaneNodeNames, props.controlPlaneNodes, 'controlPlaneNodeNames',
    'controlPlaneNodes', index => `${name}-cp-${index}`, errors);
  nodeNames.forEach((nodeName, index) =>
    errors.push(...checkObjectName(`controlPlaneNodeNames[${index}]`, nodeName, MAX_CONTROL_PLANE_NODE_NAME_LENGTH, `${name}-cp-${index}`)));
  errors.push(...checkUnique('controlPlaneNodeNames', nodeNames, 'control-plane node'));

  // etcd.
  const memberNames = etcdTraits.runsMembers
    ? planEtcdMembers(props, { name, etcd, nodeNames, etcdTuning, etcdBackup, etcdDefragmentationSchedule }, findings)
    : [];
  if (!etcdTraits.runsMembers) checkEtcdOutsideCluster(etcd, inClusterEtcdProps, findings);

  errors.push(...checkServiceClusterIpRange(props.serviceClusterIpRange));
  errors.push(...checkHostRequirements('controlPlaneHosts', props.controlPlaneHosts));
  errors.push(...checkHostRequirements('etcdHosts', props.etcdHosts));
  if (props.etcdHosts !== undefined && !etcdTraits.membersOnOwnHosts) {
    errors.push(etcdTraits.pairsMembersWithNodes
      ? 'etcdHosts is set but etcd is stacked: stacked members run on their control-plane node\'s host, so use controlPlaneHosts'
      : 'etcdHosts is set but etcd lives outside the cluster: drop etcdHosts');
  }

  const zoneFindings = checkZones(props.zones, failureDomain.key, nodeNames.length, memberNames.length);
  errors.push(...zoneFindings.errors);
  warnings.push(...zoneFindings.warnings);

  checkComponentsAndAccess({
    name,
    components,
    schedulerEstimatorClusters,
    apiServerService,
    apiServerServiceType,
    pullModeApiServerEndpoint,
    certManagerOptions,
    karmadaIssuerGiven,
  }, findings);
  errors.push(...checkDistinctObjectNames(name, nodeNames, memberNames));
  errors.push(...checkLeaderElection(resolveLeaderElection(props.leaderElection)));
  // The policies' own warnings come from KarmadaNetworkPolicies; their errors are listed here, before any object exists.
  if (networkPolicies) errors.push(...checkNetworkPolicyOptions(props.networkPolicies ?? {}).errors);
  const settings = checkComponentSettings('componentSettings', props.componentSettings);
  errors.push(...settings.errors);
  warnings.push(...settings.warnings);

  const zones = [...new Set(props.zones ?? [])];
  const failureTolerance = errors.length > 0 ? undefined : reportFailureTolerance({
    placement: etcd.placement,
    controlPlaneNodes: nodeNames.length,
    etcdMembers: memberNames.length,
    zones,
    failureDomainIsZone: failureDomain.key === ZONE_LABEL,
  });
  if (failureTolerance && zones.length >= 3 && failureTolerance.zoneFailuresTolerated === 0) {
    warnings.push(`zones lists ${zones.length} zones, but the control plane does not survive the loss of any one of them (${failureTolerance.summary}): use an etcd member count and a control-plane node count that spread evenly, e.g. 3 or 5 members over 3 zones`);
  }
  return {
    name,
    namespace,
    clusterDomain,
    etcd,
    failureDomain,
    apiServerServiceType,
    pki,
    components: componentSwitches(components),
    schedulerEstimatorClusters,
    controlPlaneNodeNames: nodeNames,
    etcdMemberNames: memberNames,
    zones,
    etcdBackup: etcdBackupOn,
    etcdDefragmentation: etcdDefragmentationOn,
    networkPolicies,
    bootstrapJob: props.bootstrapJob ?? true,
    failureTolerance,
    errors,
    warnings,
  };
}

/** HATopology's props with every default filled in, each in one place. */
function resolveProps(props: HATopologyProps) {
  const clusterDomain = props.clusterDomain ?? Defaults.CLUSTER_DOMAIN;
  const etcd = props.etcd ?? EtcdTopology.stacked();
  const failureDomain = props.failureDomain ?? kplus.Topology.HOSTNAME;
  const apiServerService = props.apiServerService ?? {};
  const apiServerServiceType = apiServerService.type ?? kplus.ServiceType.CLUSTER_IP;
  const pki = props.pki ?? Pki.certManager();
  const certManagerOptions = pki._issuedByCertManager;
  const karmadaIssuerGiven = pki.certManagerOptions.karmadaIssuer !== undefined;
  const components = props.components ?? {};
  const schedulerEstimatorClusters = components.schedulerEstimatorClusters ?? [];
  const createNamespace = props.createNamespace ?? true;
  const networkPolicies = props.networkPolicies?.enabled ?? true;
  const etcdTuning = resolveEtcdTuning(props.etcdTuning);
  // etcd maintenance runs only on the members the library runs.
  const etcdBackupOn = etcd._traits.runsMembers && (props.etcdBackup?.enabled ?? true);
  const etcdDefragmentationOn = etcd._traits.runsMembers && (props.etcdDefragmentation?.enabled ?? true);
  const pullModeApiServerEndpoint = props.pullMode?.apiServerEndpoint;
  const etcdBackup: EtcdBackupInput | undefined = etcdBackupOn ? {
    schedule: props.etcdBackup?.schedule,
    retention: props.etcdBackup?.retention,
    storageBytes: props.etcdBackup?.storageSize ? sizeBytes(props.etcdBackup.storageSize) : undefined,
    storageClassName: props.etcdBackup?.storageClassName,
    existingClaimName: props.etcdBackup?.existingClaimName,
    quotaBackendBytes: etcdTuning.quotaBackendBytes,
  } : undefined;
  const etcdDefragmentationSchedule = etcdDefragmentationOn ? props.etcdDefragmentation?.schedule : undefined;
  // The props that only apply to etcd members the library runs, as given (checked against the placement).
  const inClusterEtcdProps = Object.entries({
    'etcdImage': props.etcdImage,
    'etcdTuning': props.etcdTuning,
    'etcdStorageSize': props.etcdStorageSize,
    'etcdStorageClassName': props.etcdStorageClassName,
    'etcdBackup': props.etcdBackup?.enabled === false ? undefined : props.etcdBackup,
    'etcdDefragmentation': props.etcdDefragmentation?.enabled === false ? undefined : props.etcdDefragmentation,
    'componentSettings.etcd': props.componentSettings?.etcd,
  }).filter(([, value]) => value !== undefined).map(([property]) => property);
  return {
    clusterDomain,
    etcd,
    failureDomain,
    apiServerService,
    apiServerServiceType,
    pki,
    certManagerOptions,
    karmadaIssuerGiven,
    components,
    schedulerEstimatorClusters,
    createNamespace,
    networkPolicies,
    etcdTuning,
    etcdBackupOn,
    etcdDefragmentationOn,
    pullModeApiServerEndpoint,
    etcdBackup,
    etcdDefragmentationSchedule,
    inClusterEtcdProps,
  };
}

/** What checkComponentsAndAccess reads. */
interface ComponentsAndAccessInput {
  readonly name: string;
  readonly components: OptionalKarmadaComponents;
  readonly schedulerEstimatorClusters: string[];
  readonly apiServerService: ApiServerServiceOptions;
  readonly apiServerServiceType: string;
  readonly pullModeApiServerEndpoint?: string;
  readonly certManagerOptions?: CertManagerPkiOptions;
  readonly karmadaIssuerGiven: boolean;
}

/** The optional components, the names and addresses clients reach the entry point by, pull mode and the PKI. */
function checkComponentsAndAccess(input: ComponentsAndAccessInput, { errors, warnings }: Findings): void {
  const {
    name, components, schedulerEstimatorClusters, apiServerService, apiServerServiceType, pullModeApiServerEndpoint, certManagerOptions,
    karmadaIssuerGiven,
  } = input;
  schedulerEstimatorClusters.forEach((cluster, index) => errors.push(...checkObjectName(
    `components.schedulerEstimatorClusters[${index}]`, cluster, MAX_OBJECT_NAME_LENGTH - `${name}-scheduler-estimator-`.length - MAX_SECRET_SUFFIX, 'member-1')));
  errors.push(...checkUnique('components.schedulerEstimatorClusters', schedulerEstimatorClusters, 'member cluster'));
  warnings.push(...runningComponents(components).flatMap(component => component.planWarnings?.({ schedulerEstimatorClusters }) ?? []));
  (apiServerService.externalDnsNames ?? []).forEach((dnsName, index) => errors.push(
    ...checkCertificateDnsName(`apiServerService.externalDnsNames[${index}]`, dnsName, 'apiServerService.externalIpAddresses')));
  (apiServerService.externalIpAddresses ?? []).forEach((address, index) => errors.push(
    ...checkIpAddress(`apiServerService.externalIpAddresses[${index}]`, address, 'apiServerService.externalDnsNames')));
  if (pullModeApiServerEndpoint !== undefined) {
    errors.push(...checkHttpsUrl('pullMode.apiServerEndpoint', pullModeApiServerEndpoint, 'https://karmada.example.com:5443'));
    if (karmadaIssuerGiven) {
      errors.push('pullMode needs the Karmada CA\'s key (kube-controller-manager signs karmada-agent certificates with it), but pki.karmadaIssuer names an issuer whose key the library does not hold: drop pki.karmadaIssuer or pullMode');
    }
    if (apiServerServiceType === 'ClusterIP') {
      warnings.push(`pullMode.apiServerEndpoint is ${pullModeApiServerEndpoint} but the entry point is a ClusterIP Service, which member clusters cannot reach: set apiServerService.type to LOAD_BALANCER or NODE_PORT, or make sure that endpoint forwards to it`);
    }
  }
  if (certManagerOptions !== undefined) {
    const lifetimes = checkCertManagerPkiOptions('pki', certManagerOptions);
    errors.push(...lifetimes.errors);
    warnings.push(...lifetimes.warnings);
  }
  if (certManagerOptions === undefined && karmadaIssuerGiven) {
    errors.push('pki names a Karmada issuer but uses existing Secrets: use Pki.certManager({ karmadaIssuer }) or Pki.existingSecrets()');
  }
}

/** The problems found so far: errors refuse the input, warnings name legal but unsafe choices. */
interface Findings {
  readonly errors: string[];
  readonly warnings: string[];
}

/** An etcd outside the cluster: its endpoints, client certificate and key prefix; the in-cluster props it ignores. */
function checkEtcdOutsideCluster(etcd: EtcdTopology, inClusterEtcdProps: string[], { errors, warnings }: Findings): void {
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
  const ignored = inClusterEtcdProps;
  if (ignored.length > 0) {
    warnings.push(`${ignored.join(', ')} ${ignored.length === 1 ? 'is' : 'are'} set but etcd lives outside the cluster, where the library runs no member, so ${ignored.length === 1 ? 'it is' : 'they are'} ignored: drop ${ignored.length === 1 ? 'it' : 'them'}, or let the library run etcd`);
  }
}

/** What planEtcdMembers reads beside the props. */
interface EtcdMembersInput {
  readonly name: string;
  readonly etcd: EtcdTopology;
  readonly nodeNames: string[];
  readonly etcdTuning: ResolvedEtcdTuning;
  readonly etcdBackup?: EtcdBackupInput;
  readonly etcdDefragmentationSchedule?: string;
}

/** The members the library runs: their names (given or generated), their count, and how they run. */
function planEtcdMembers(props: HATopologyProps, input: EtcdMembersInput, { errors, warnings }: Findings): string[] {
  const { name, etcd, nodeNames, etcdTuning, etcdBackup, etcdDefragmentationSchedule } = input;
  const etcdTraits = etcd._traits;
  const stacked = etcdTraits.pairsMembersWithNodes;
  const count = stacked ? nodeNames.length : etcd.members;
  const defaultMemberName = (index: number) => `${name}-etcd-${index}`;
  // Stacked members without names of their own follow the nodes, whose count is already checked.
  const memberNames = stacked && etcd.memberNames === undefined
    ? nodeNames.map((_, index) => defaultMemberName(index))
    : resolveNames(etcd.memberNames, count, 'etcd memberNames', stacked ? 'controlPlaneNodes' : 'etcd members', defaultMemberName, errors);
  memberNames.forEach((memberName, index) =>
    errors.push(...checkObjectName(`etcd memberNames[${index}]`, memberName, MAX_ETCD_MEMBER_NAME_LENGTH, defaultMemberName(index))));
  errors.push(...checkUnique('etcd memberNames', memberNames, 'etcd member'));
  if (stacked) {
    warnings.push(...warnEtcdMemberCount('controlPlaneNodes (one stacked etcd member each)', memberNames.length));
  } else {
    warnings.push(...warnEtcdMemberCount('etcd members', memberNames.length));
    warnings.push(...warnExternalEtcdHostsNotDisjoint(props.controlPlaneHosts?.nodeLabels, props.etcdHosts?.nodeLabels));
  }

  const tuning = checkEtcdTuning(etcdTuning);
  errors.push(...tuning.errors);
  warnings.push(...tuning.warnings);
  if (props.etcdImage !== undefined) errors.push(...checkEtcdImage('etcdImage', props.etcdImage));
  errors.push(...checkWholeGibibytes('etcdStorageSize', props.etcdStorageSize, 'Size.gibibytes(20)'));
  if (props.etcdStorageClassName !== undefined) {
    errors.push(...checkSubdomainName('etcdStorageClassName', props.etcdStorageClassName, 'StorageClass', 'fast-ssd'));
  }
  const storage = checkEtcdStorage(sizeBytes(props.etcdStorageSize ?? DEFAULT_ETCD_STORAGE_SIZE), etcdTuning.quotaBackendBytes);
  errors.push(...storage.errors);
  warnings.push(...storage.warnings);
  // Its warnings are the EtcdBackup construct's to give, once.
  if (etcdBackup) errors.push(...checkEtcdBackup('etcdBackup', etcdBackup).errors);
  if (etcdDefragmentationSchedule !== undefined) {
    errors.push(...checkCronSchedule('etcdDefragmentation.schedule', etcdDefragmentationSchedule, DEFAULT_ETCD_DEFRAG_SCHEDULE));
  }

  return memberNames;
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
