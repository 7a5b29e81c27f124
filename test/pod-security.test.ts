import { EtcdTopology, HATopologyProps, KarmadaLabels } from '../src';
import { Manifest, synthTopology } from './util';

/**
 * Every pod template the library synthesizes, checked against every control of the Kubernetes Pod Security
 * Standards (kubernetes.io, "Pod Security Standards": the Baseline and Restricted profiles, as of v1.35) and the
 * library's own rules. Each rule is proved to bite by a negative test: a compliant pod, broken in one field, fails.
 */

// ---------------------------------------------------------------------------------------------------------------
// The pods
// ---------------------------------------------------------------------------------------------------------------

/** A pod template as it appears in a workload: metadata and spec. */
interface PodTemplate {
  readonly metadata: Manifest;
  readonly spec: Manifest;
}

/** One pod template of one synthesized object. */
interface SynthesizedPod {
  /** `<Kind>/<name>`. */
  readonly source: string;
  readonly pod: PodTemplate;
}

/** The kinds that carry a pod template, and where. */
const POD_TEMPLATE_PATHS: { readonly [kind: string]: (object: Manifest) => PodTemplate } = {
  Deployment: o => o.spec.template,
  StatefulSet: o => o.spec.template,
  DaemonSet: o => o.spec.template,
  ReplicaSet: o => o.spec.template,
  Job: o => o.spec.template,
  CronJob: o => o.spec.jobTemplate.spec.template,
  Pod: o => ({ metadata: o.metadata, spec: o.spec }),
};

/** Every pod template of the objects; fails on an object that holds containers where no known path reaches them. */
function podTemplates(objects: Manifest[]): SynthesizedPod[] {
  const pods: SynthesizedPod[] = [];
  for (const object of objects) {
    const holdsContainers = JSON.stringify(object).includes('"containers":');
    const path = POD_TEMPLATE_PATHS[object.kind];
    if (!path) {
      if (holdsContainers) throw new Error(`${object.kind}/${object.metadata?.name} holds containers but the checker does not know where its pod template is`);
      continue;
    }
    pods.push({ source: `${object.kind}/${object.metadata.name}`, pod: path(object) });
  }
  return pods;
}

type Container = Manifest;
const containersOf = (spec: Manifest): Container[] =>
  [...spec.containers ?? [], ...spec.initContainers ?? [], ...spec.ephemeralContainers ?? []];

// ---------------------------------------------------------------------------------------------------------------
// The rules
// ---------------------------------------------------------------------------------------------------------------

/**
 * Components that may write to their root filesystem, with the reason. Every component writes only to emptyDir
 * volumes it mounts (kube-controller-manager's self-signed serving certificate, the bootstrap Job's work
 * directory), so there are none.
 */
const WRITABLE_ROOT_FILESYSTEM_EXCEPTIONS: { readonly [component: string]: string } = {};

/** The PriorityClass each component's pods must have; components not listed (maintenance Jobs) have none. */
const EXPECTED_PRIORITY_CLASS: { readonly [component: string]: string } = {
  'etcd': 'system-node-critical',
  'karmada-apiserver': 'system-node-critical',
  'karmada-aggregated-apiserver': 'system-cluster-critical',
  'kube-controller-manager': 'system-cluster-critical',
  'karmada-controller-manager': 'system-cluster-critical',
  'karmada-scheduler': 'system-cluster-critical',
  'karmada-webhook': 'system-cluster-critical',
  'karmada-descheduler': 'system-cluster-critical',
  'karmada-search': 'system-cluster-critical',
  'karmada-metrics-adapter': 'system-cluster-critical',
  'karmada-scheduler-estimator': 'system-cluster-critical',
};
/** Components whose CPU must not be throttled (heartbeats, lease renewals). */
const NO_CPU_LIMIT = ['etcd', 'karmada-apiserver'];

/** Baseline "Capabilities": the only capabilities that may be added. */
const BASELINE_ADDABLE_CAPABILITIES = [
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID',
  'SETPCAP', 'SETUID', 'SYS_CHROOT',
];
/** Baseline "Sysctls": the safe set. */
const SAFE_SYSCTLS = [
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes', 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem',
];
/** Baseline "SELinux": the allowed types. */
const SELINUX_TYPES = ['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t'];
/** Restricted "Volume Types": the only volume sources allowed. */
const RESTRICTED_VOLUME_TYPES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];

interface Rule {
  /** The control's name, as the Pod Security Standards page names it (or the library's own rule). */
  readonly name: string;
  readonly profile: 'Baseline' | 'Restricted' | 'cdk8s-karmada';
  /** The violations in a pod: empty when it complies. */
  readonly check: (pod: PodTemplate) => string[];
  /** Ways to break a compliant pod in this rule only; each must make `check` fail. */
  readonly breaks: { readonly [how: string]: (pod: PodTemplate) => void };
}

/** `${where}: ${what}` for every container for which `bad` returns a message. */
function perContainer(pod: PodTemplate, bad: (c: Container) => string | undefined): string[] {
  return containersOf(pod.spec).flatMap(c => {
    const message = bad(c);
    return message ? [`container ${c.name}: ${message}`] : [];
  });
}

const componentOf = (pod: PodTemplate): string => pod.metadata?.labels?.[KarmadaLabels.NAME];
const firstContainer = (pod: PodTemplate): Container => pod.spec.containers[0];
const firstInitContainer = (pod: PodTemplate): Container => pod.spec.initContainers[0];
const securityContext = (c: Container): Manifest => (c.securityContext = c.securityContext ?? {});
const probeHandlers = (c: Container): Manifest[] => [
  c.livenessProbe, c.readinessProbe, c.startupProbe, c.lifecycle?.postStart, c.lifecycle?.preStop,
].filter(handler => handler !== undefined);
const hasCpuOrMemory = (quantity: unknown): boolean => quantity !== undefined && quantity !== null && quantity !== '';

const RULES: Rule[] = [
  // ----- Baseline -----
  {
    name: 'HostProcess',
    profile: 'Baseline',
    check: pod => [
      ...(pod.spec.securityContext?.windowsOptions?.hostProcess ? ['spec.securityContext.windowsOptions.hostProcess is true'] : []),
      ...perContainer(pod, c => c.securityContext?.windowsOptions?.hostProcess ? 'windowsOptions.hostProcess is true' : undefined),
    ],
    breaks: {
      'pod hostProcess': pod => { pod.spec.securityContext.windowsOptions = { hostProcess: true }; },
      'container hostProcess': pod => { securityContext(firstContainer(pod)).windowsOptions = { hostProcess: true }; },
    },
  },
  {
    name: 'Host Namespaces',
    profile: 'Baseline',
    check: pod => ['hostNetwork', 'hostPID', 'hostIPC'].filter(field => pod.spec[field]).map(field => `spec.${field} is true`),
    breaks: {
      hostNetwork: pod => { pod.spec.hostNetwork = true; },
      hostPID: pod => { pod.spec.hostPID = true; },
      hostIPC: pod => { pod.spec.hostIPC = true; },
    },
  },
  {
    name: 'Privileged Containers',
    profile: 'Baseline',
    check: pod => perContainer(pod, c => c.securityContext?.privileged ? 'privileged is true' : undefined),
    breaks: {
      'container privileged': pod => { securityContext(firstContainer(pod)).privileged = true; },
      'ephemeral container privileged': pod => {
        pod.spec.ephemeralContainers = [{ name: 'debug', image: 'busybox', securityContext: { privileged: true } }];
      },
    },
  },
  {
    name: 'Capabilities (Baseline)',
    profile: 'Baseline',
    check: pod => perContainer(pod, c => {
      const added: string[] = (c.securityContext?.capabilities?.add ?? []).filter((cap: string) => !BASELINE_ADDABLE_CAPABILITIES.includes(cap));
      return added.length > 0 ? `adds ${added.join(', ')}` : undefined;
    }),
    breaks: { 'add NET_ADMIN': pod => { securityContext(firstContainer(pod)).capabilities.add = ['NET_ADMIN']; } },
  },
  {
    name: 'HostPath Volumes',
    profile: 'Baseline',
    check: pod => (pod.spec.volumes ?? []).filter((v: Manifest) => v.hostPath).map((v: Manifest) => `volume ${v.name} is a hostPath`),
    breaks: { hostPath: pod => { pod.spec.volumes = [...pod.spec.volumes ?? [], { name: 'host', hostPath: { path: '/' } }]; } },
  },
  {
    name: 'Host Ports',
    profile: 'Baseline',
    check: pod => perContainer(pod, c => {
      const hostPorts = (c.ports ?? []).filter((p: Manifest) => p.hostPort !== undefined && p.hostPort !== 0);
      return hostPorts.length > 0 ? `hostPort ${hostPorts.map((p: Manifest) => p.hostPort).join(', ')}` : undefined;
    }),
    breaks: { hostPort: pod => { firstContainer(pod).ports = [{ containerPort: 8080, hostPort: 8080 }]; } },
  },
  {
    name: 'Host Probes / Lifecycle Hooks',
    profile: 'Baseline',
    check: pod => perContainer(pod, c => {
      const hosts = probeHandlers(c).flatMap(h => [h.httpGet?.host, h.tcpSocket?.host]).filter(host => host !== undefined && host !== '');
      return hosts.length > 0 ? `probe or lifecycle host ${hosts.join(', ')}` : undefined;
    }),
    breaks: {
      'liveness probe host': pod => { firstContainer(pod).livenessProbe = { httpGet: { host: '10.0.0.1', path: '/', port: 80 } }; },
      'preStop hook host': pod => { firstContainer(pod).lifecycle = { preStop: { tcpSocket: { host: '10.0.0.1', port: 80 } } }; },
    },
  },
  {
    name: 'AppArmor',
    profile: 'Baseline',
    check: pod => {
      const allowedType = (type: string | undefined) => type === undefined || type === 'RuntimeDefault' || type === 'Localhost';
      const annotations: Manifest = pod.metadata?.annotations ?? {};
      return [
        ...(allowedType(pod.spec.securityContext?.appArmorProfile?.type) ? [] : ['spec.securityContext.appArmorProfile.type is not RuntimeDefault or Localhost']),
        ...perContainer(pod, c => allowedType(c.securityContext?.appArmorProfile?.type) ? undefined : 'appArmorProfile.type is not RuntimeDefault or Localhost'),
        ...Object.entries(annotations)
          .filter(([key, value]) => key.startsWith('container.apparmor.security.beta.kubernetes.io/') && value !== 'runtime/default' && !String(value).startsWith('localhost/'))
          .map(([key, value]) => `annotation ${key}: ${value}`),
      ];
    },
    breaks: {
      'pod Unconfined': pod => { pod.spec.securityContext.appArmorProfile = { type: 'Unconfined' }; },
      'container Unconfined': pod => { securityContext(firstContainer(pod)).appArmorProfile = { type: 'Unconfined' }; },
      'annotation unconfined': pod => {
        pod.metadata.annotations = { [`container.apparmor.security.beta.kubernetes.io/${firstContainer(pod).name}`]: 'unconfined' };
      },
    },
  },
  {
    name: 'SELinux',
    profile: 'Baseline',
    check: pod => {
      const bad = (options: Manifest | undefined): string | undefined => {
        if (!options) return undefined;
        if (options.type !== undefined && !SELINUX_TYPES.includes(options.type)) return `seLinuxOptions.type ${options.type}`;
        if (options.user || options.role) return 'seLinuxOptions.user or role is set';
        return undefined;
      };
      const podProblem = bad(pod.spec.securityContext?.seLinuxOptions);
      return [...(podProblem ? [`pod: ${podProblem}`] : []), ...perContainer(pod, c => bad(c.securityContext?.seLinuxOptions))];
    },
    breaks: {
      'pod type spc_t': pod => { pod.spec.securityContext.seLinuxOptions = { type: 'spc_t' }; },
      'container user': pod => { securityContext(firstContainer(pod)).seLinuxOptions = { user: 'system_u' }; },
    },
  },
  {
    name: '/proc Mount Type',
    profile: 'Baseline',
    check: pod => perContainer(pod, c => {
      const procMount = c.securityContext?.procMount;
      return procMount === undefined || procMount === 'Default' ? undefined : `procMount ${procMount}`;
    }),
    breaks: { Unmasked: pod => { securityContext(firstContainer(pod)).procMount = 'Unmasked'; } },
  },
  {
    name: 'Seccomp (Baseline)',
    profile: 'Baseline',
    check: pod => [
      ...(pod.spec.securityContext?.seccompProfile?.type === 'Unconfined' ? ['spec.securityContext.seccompProfile.type is Unconfined'] : []),
      ...perContainer(pod, c => c.securityContext?.seccompProfile?.type === 'Unconfined' ? 'seccompProfile.type is Unconfined' : undefined),
    ],
    breaks: {
      'pod Unconfined': pod => { pod.spec.securityContext.seccompProfile = { type: 'Unconfined' }; },
      'container Unconfined': pod => { securityContext(firstContainer(pod)).seccompProfile = { type: 'Unconfined' }; },
    },
  },
  {
    name: 'Sysctls',
    profile: 'Baseline',
    check: pod => (pod.spec.securityContext?.sysctls ?? [])
      .filter((s: Manifest) => !SAFE_SYSCTLS.includes(s.name)).map((s: Manifest) => `unsafe sysctl ${s.name}`),
    breaks: { 'kernel.msgmax': pod => { pod.spec.securityContext.sysctls = [{ name: 'kernel.msgmax', value: '65536' }]; } },
  },
  // ----- Restricted -----
  {
    name: 'Volume Types',
    profile: 'Restricted',
    check: pod => (pod.spec.volumes ?? []).flatMap((v: Manifest) => {
      const sources = Object.keys(v).filter(key => key !== 'name');
      const forbidden = sources.filter(source => !RESTRICTED_VOLUME_TYPES.includes(source));
      return forbidden.length > 0 ? [`volume ${v.name} is a ${forbidden.join(', ')}`] : [];
    }),
    breaks: { nfs: pod => { pod.spec.volumes = [...pod.spec.volumes ?? [], { name: 'nfs', nfs: { server: 'nfs', path: '/' } }]; } },
  },
  {
    name: 'Privilege Escalation',
    profile: 'Restricted',
    check: pod => perContainer(pod, c => c.securityContext?.allowPrivilegeEscalation === false ? undefined : 'allowPrivilegeEscalation is not false'),
    breaks: {
      'unset': pod => { delete securityContext(firstContainer(pod)).allowPrivilegeEscalation; },
      'init container true': pod => { securityContext(firstInitContainer(pod)).allowPrivilegeEscalation = true; },
    },
  },
  {
    name: 'Running as Non-root',
    profile: 'Restricted',
    check: pod => {
      const podNonRoot = pod.spec.securityContext?.runAsNonRoot === true;
      return perContainer(pod, c => {
        const value = c.securityContext?.runAsNonRoot;
        if (value === false) return 'runAsNonRoot is false';
        return value === true || podNonRoot ? undefined : 'runAsNonRoot is set neither on the pod nor on the container';
      });
    },
    breaks: {
      'container false': pod => { securityContext(firstContainer(pod)).runAsNonRoot = false; },
      'unset on pod and container': pod => {
        delete pod.spec.securityContext.runAsNonRoot;
        delete securityContext(firstContainer(pod)).runAsNonRoot;
      },
    },
  },
  {
    name: 'Running as Non-root user',
    profile: 'Restricted',
    check: pod => [
      ...(pod.spec.securityContext?.runAsUser === 0 ? ['spec.securityContext.runAsUser is 0'] : []),
      ...perContainer(pod, c => c.securityContext?.runAsUser === 0 ? 'runAsUser is 0' : undefined),
    ],
    breaks: {
      'pod root': pod => { pod.spec.securityContext.runAsUser = 0; },
      'init container root': pod => { securityContext(firstInitContainer(pod)).runAsUser = 0; },
    },
  },
  {
    name: 'Seccomp (Restricted)',
    profile: 'Restricted',
    check: pod => {
      const allowed = (type: string | undefined) => type === 'RuntimeDefault' || type === 'Localhost';
      const podType = pod.spec.securityContext?.seccompProfile?.type;
      return [
        ...(podType !== undefined && !allowed(podType) ? [`spec.securityContext.seccompProfile.type is ${podType}`] : []),
        ...perContainer(pod, c => {
          const type = c.securityContext?.seccompProfile?.type;
          if (type === undefined) return allowed(podType) ? undefined : 'seccompProfile is set neither on the pod nor on the container';
          return allowed(type) ? undefined : `seccompProfile.type is ${type}`;
        }),
      ];
    },
    breaks: {
      'unset on pod and container': pod => {
        delete pod.spec.securityContext.seccompProfile;
        delete securityContext(firstContainer(pod)).seccompProfile;
      },
      'init container Unconfined': pod => { securityContext(firstInitContainer(pod)).seccompProfile = { type: 'Unconfined' }; },
    },
  },
  {
    name: 'Capabilities (Restricted)',
    profile: 'Restricted',
    check: pod => perContainer(pod, c => {
      const capabilities = c.securityContext?.capabilities ?? {};
      if (!(capabilities.drop ?? []).includes('ALL')) return 'does not drop ALL';
      const added = (capabilities.add ?? []).filter((cap: string) => cap !== 'NET_BIND_SERVICE');
      return added.length > 0 ? `adds ${added.join(', ')}` : undefined;
    }),
    breaks: {
      'no drop ALL': pod => { securityContext(firstContainer(pod)).capabilities = { drop: ['NET_RAW'] }; },
      'add CHOWN': pod => { securityContext(firstInitContainer(pod)).capabilities.add = ['CHOWN']; },
    },
  },
  // ----- The library's own -----
  {
    name: 'Read-only root filesystem',
    profile: 'cdk8s-karmada',
    check: pod => componentOf(pod) in WRITABLE_ROOT_FILESYSTEM_EXCEPTIONS ? [] :
      perContainer(pod, c => c.securityContext?.readOnlyRootFilesystem === true ? undefined : 'readOnlyRootFilesystem is not true'),
    breaks: { 'init container writable': pod => { securityContext(firstInitContainer(pod)).readOnlyRootFilesystem = false; } },
  },
  {
    name: 'No service-account token',
    profile: 'cdk8s-karmada',
    check: pod => pod.spec.automountServiceAccountToken === false ? [] : ['automountServiceAccountToken is not false'],
    breaks: { unset: pod => { delete pod.spec.automountServiceAccountToken; } },
  },
  {
    name: 'Requests and memory limit',
    profile: 'cdk8s-karmada',
    check: pod => perContainer(pod, c => {
      const missing = [
        ...(hasCpuOrMemory(c.resources?.requests?.cpu) ? [] : ['requests.cpu']),
        ...(hasCpuOrMemory(c.resources?.requests?.memory) ? [] : ['requests.memory']),
        ...(hasCpuOrMemory(c.resources?.limits?.memory) ? [] : ['limits.memory']),
      ];
      return missing.length > 0 ? `no ${missing.join(', ')}` : undefined;
    }),
    breaks: {
      'no memory limit': pod => { delete firstContainer(pod).resources.limits; },
      'init container without requests': pod => { delete firstInitContainer(pod).resources.requests; },
    },
  },
  {
    name: 'No CPU limit on etcd and karmada-apiserver',
    profile: 'cdk8s-karmada',
    check: pod => NO_CPU_LIMIT.includes(componentOf(pod)) ? perContainer(pod, c => c.resources?.limits?.cpu ? `CPU limit ${c.resources.limits.cpu}` : undefined) : [],
    breaks: {
      'etcd with a CPU limit': pod => {
        pod.metadata.labels = { ...pod.metadata.labels, [KarmadaLabels.NAME]: 'etcd' };
        firstContainer(pod).resources.limits = { ...firstContainer(pod).resources.limits, cpu: '2' };
      },
    },
  },
  {
    name: 'PriorityClass',
    profile: 'cdk8s-karmada',
    check: pod => {
      const expected = EXPECTED_PRIORITY_CLASS[componentOf(pod)];
      return pod.spec.priorityClassName === expected ? [] : [`priorityClassName is ${pod.spec.priorityClassName}, expected ${expected}`];
    },
    breaks: {
      'a maintenance Job with a class': pod => { pod.spec.priorityClassName = 'system-cluster-critical'; },
      'apiserver at cluster-critical': pod => {
        pod.metadata.labels = { ...pod.metadata.labels, [KarmadaLabels.NAME]: 'karmada-apiserver' };
        pod.spec.priorityClassName = 'system-cluster-critical';
      },
    },
  },
  {
    name: 'Image pull policy IfNotPresent',
    profile: 'cdk8s-karmada',
    check: pod => perContainer(pod, c => c.imagePullPolicy === 'IfNotPresent' ? undefined : `imagePullPolicy is ${c.imagePullPolicy}`),
    breaks: { Always: pod => { firstContainer(pod).imagePullPolicy = 'Always'; } },
  },
];

// ---------------------------------------------------------------------------------------------------------------
// The scenarios
// ---------------------------------------------------------------------------------------------------------------

const SCENARIOS: { readonly [name: string]: HATopologyProps } = {
  'stacked 3 (defaults)': {},
  'external 5 members + 3 nodes, every optional component, estimators, pull mode': {
    etcd: EtcdTopology.external({ members: 5 }),
    controlPlaneNodes: 3,
    components: { descheduler: true, search: true, metricsAdapter: true, schedulerEstimatorClusters: ['member-1', 'member-2'] },
    pullMode: { apiServerEndpoint: 'https://karmada.example.com:5443' },
    apiServerService: { externalDnsNames: ['karmada.example.com'] },
  },
  'external endpoints': {
    etcd: EtcdTopology.externalEndpoints({
      endpoints: ['https://etcd-a.example.internal:2379', 'https://etcd-b.example.internal:2379', 'https://etcd-c.example.internal:2379'],
      clientCertificateSecret: 'external-etcd-client',
    }),
  },
};

const synthesized = Object.fromEntries(Object.entries(SCENARIOS).map(([name, props]) => [name, podTemplates(synthTopology(props).objects)]));
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value));

describe('the scenarios synthesize the pods the rules are checked on', () => {
  test.each(Object.keys(SCENARIOS))('%s: every kind of workload is found, with init containers among them', scenario => {
    // GIVEN the scenario WHEN synthesized THEN it has etcd (unless external endpoints), control-plane Deployments and the bootstrap Job
    const sources = synthesized[scenario].map(p => p.source);
    expect(sources.filter(s => s.startsWith('Deployment/')).length).toBeGreaterThanOrEqual(18);
    expect(sources.some(s => s.startsWith('Job/'))).toBe(true);
    expect(synthesized[scenario].some(p => (p.pod.spec.initContainers ?? []).length > 0)).toBe(true);
    if (scenario !== 'external endpoints') expect(sources.filter(s => s.startsWith('StatefulSet/')).length).toBeGreaterThanOrEqual(3);
  });

  test('the full scenario runs every optional component and every estimator', () => {
    const components = new Set(synthesized['external 5 members + 3 nodes, every optional component, estimators, pull mode'].map(p => componentOf(p.pod)));
    for (const component of Object.keys(EXPECTED_PRIORITY_CLASS)) expect(components).toContain(component);
  });

  test('a CronJob\'s pods are found under its jobTemplate, and an unknown kind with containers fails loudly', () => {
    // GIVEN a CronJob and an unknown kind that both hold containers
    const template = { metadata: { labels: { [KarmadaLabels.NAME]: 'etcd-backup' } }, spec: { containers: [{ name: 'backup' }] } };
    const cronJob = { kind: 'CronJob', metadata: { name: 'backup' }, spec: { jobTemplate: { spec: { template } } } };
    // WHEN the pods are collected THEN the CronJob's template is one of them
    expect(podTemplates([cronJob])).toEqual([{ source: 'CronJob/backup', pod: template }]);
    // AND a kind whose pod template the checker cannot find is an error, not a silent skip
    expect(() => podTemplates([{ kind: 'Rollout', metadata: { name: 'x' }, spec: { template } }]))
      .toThrow('Rollout/x holds containers but the checker does not know where its pod template is');
  });

  test('no component needs a writable root filesystem', () => {
    expect(WRITABLE_ROOT_FILESYSTEM_EXCEPTIONS).toEqual({});
  });
});

describe.each(Object.keys(SCENARIOS))('%s', scenario => {
  test.each(RULES.map(rule => [`${rule.profile}: ${rule.name}`, rule] as const))('every pod complies with %s', (_name, rule) => {
    // GIVEN every pod template of the scenario WHEN the rule checks each THEN none violates it
    const violations = synthesized[scenario].flatMap(p => rule.check(clone(p.pod)).map(v => `${p.source}: ${v}`));
    expect(violations).toEqual([]);
  });
});

describe('every rule fails a pod that breaks it', () => {
  // A compliant pod with an init container: the bootstrap Job's.
  const compliant = synthesized['stacked 3 (defaults)'].find(p => p.source.startsWith('Job/'))!.pod;

  test('the pod the rules are broken on complies with every rule', () => {
    expect(RULES.flatMap(rule => rule.check(clone(compliant)))).toEqual([]);
  });

  const cases = RULES.flatMap(rule => Object.entries(rule.breaks).map(([how, broken]) => [`${rule.profile}: ${rule.name}`, how, rule, broken] as const));
  test.each(cases)('%s: %s', (_name, _how, rule, broken) => {
    // GIVEN a compliant pod WHEN one field breaks the rule THEN the rule reports it
    const pod = clone(compliant);
    broken(pod);
    expect(rule.check(pod).length).toBeGreaterThan(0);
  });
});
