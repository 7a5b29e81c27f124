import { ApiObject, Yaml } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ControlPlaneComponent } from '../components/component-spec';
import { RBAC_GROUP, READ, WRITE } from '../components/rbac-rules';
import { runningComponents } from '../components/registry';
import { Defaults } from '../installation';
import { OptionalKarmadaComponents } from '../karmada-components';
import { serviceHostName } from '../private/dns';
import { renderOptions, karmadaCrds } from '../private/karmada-crds';
import {
  ADMIN_GROUP, CA_BUNDLE_PLACEHOLDER, Component, KARMADA_SYSTEM_NAMESPACE, Ports, SecretNames, componentUserName, hostServiceName,
  karmadaSideServiceName,
} from '../private/names';
import { installationLabels } from '../private/selectors';
import { checkDnsDomain, checkHttpsUrl, checkInstanceName, checkNamespace } from '../private/validation';

const k8s = kplus.k8s;

/**
 * Props of the objects that must exist inside the Karmada API.
 */
export interface KarmadaApiObjectsProps extends OptionalKarmadaComponents {
  /**
   * The installation's name: the prefix of its Services in the host cluster (e.g. `<instance>-webhook`).
   * @default 'karmada'
   */
  readonly instance?: string;
  /**
   * The host-cluster namespace the Karmada control plane runs in: webhook URLs and the ExternalName Services of the
   * aggregated API servers point at Services there.
   * @default 'karmada-system'
   */
  readonly hostNamespace?: string;
  /**
   * The host cluster's DNS domain, used in the ExternalName Services.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
  /**
   * The base64 of the Karmada CA certificate (PEM): the `caBundle` of every webhook, conversion webhook and
   * APIService, and the CA of the pull-mode `cluster-info`. It is the `ca.crt` entry of the CA Secret's `data`.
   * @default - a placeholder (`CDK8S_KARMADA_CA_BUNDLE` in base64) that `KarmadaBootstrapJob` replaces with the CA
   *   it finds in the cluster
   */
  readonly caBundle?: string;
  /**
   * Pull mode: the https URL member clusters' karmada-agents reach karmada-apiserver at from outside the host cluster
   * (it must be in the apiserver's serving certificate). When given, the objects `karmadactl register` relies on are
   * created: the `kube-public/cluster-info` ConfigMap, the bootstrap-token RBAC and the CSR auto-approval roles.
   * @default - no pull-mode objects (push mode only)
   */
  readonly pullModeApiEndpoint?: string;
}


/** One admission webhook of karmada-webhook, as Karmada v1.18.2 registers it. */
interface WebhookSpec {
  readonly name: string;
  readonly path: string;
  readonly apiGroup: string;
  readonly resource: string;
  readonly scope: 'Namespaced' | 'Cluster' | '*';
  readonly operations: string[];
  readonly timeoutSeconds?: number;
  readonly sideEffects?: string;
  readonly objectSelectorExists?: string;
}

const CREATE_UPDATE = ['CREATE', 'UPDATE'];

/**
 * The webhooks of `mutating-config` and `validating-config`, from Karmada v1.18.2's
 * `artifacts/deploy/webhook-configuration.yaml`: the most complete of the upstream copies (the Helm chart, the
 * operator and karmadactl lag behind it), and the one whose paths match every handler karmada-webhook v1.18.2
 * registers (`cmd/webhook/app/webhook.go`). Each path is served by the one karmada-webhook Deployment.
 */
const MUTATING_WEBHOOKS: WebhookSpec[] = [
  { name: 'propagationpolicy.karmada.io', path: 'mutate-propagationpolicy', apiGroup: 'policy.karmada.io', resource: 'propagationpolicies', scope: 'Namespaced', operations: CREATE_UPDATE },
  { name: 'clusterpropagationpolicy.karmada.io', path: 'mutate-clusterpropagationpolicy', apiGroup: 'policy.karmada.io', resource: 'clusterpropagationpolicies', scope: 'Cluster', operations: CREATE_UPDATE },
  { name: 'overridepolicy.karmada.io', path: 'mutate-overridepolicy', apiGroup: 'policy.karmada.io', resource: 'overridepolicies', scope: 'Namespaced', operations: CREATE_UPDATE },
  { name: 'resourcebinding.karmada.io', path: 'mutate-resourcebinding', apiGroup: 'work.karmada.io', resource: 'resourcebindings', scope: 'Namespaced', operations: ['CREATE'] },
  { name: 'clusterresourcebinding.karmada.io', path: 'mutate-clusterresourcebinding', apiGroup: 'work.karmada.io', resource: 'clusterresourcebindings', scope: 'Cluster', operations: ['CREATE'] },
  { name: 'work.karmada.io', path: 'mutate-work', apiGroup: 'work.karmada.io', resource: 'works', scope: 'Namespaced', operations: CREATE_UPDATE },
  { name: 'autoscaling.karmada.io', path: 'mutate-federatedhpa', apiGroup: 'autoscaling.karmada.io', resource: 'federatedhpas', scope: 'Namespaced', operations: CREATE_UPDATE },
  { name: 'multiclusterservice.karmada.io', path: 'mutate-multiclusterservice', apiGroup: 'networking.karmada.io', resource: 'multiclusterservices', scope: 'Namespaced', operations: CREATE_UPDATE },
];

const VALIDATING_WEBHOOKS: WebhookSpec[] = [
  { name: 'propagationpolicy.karmada.io', path: 'validate-propagationpolicy', apiGroup: 'policy.karmada.io', resource: 'propagationpolicies', scope: 'Namespaced', operations: CREATE_UPDATE },
  { name: 'clusterpropagationpolicy.karmada.io', path: 'validate-clusterpropagationpolicy', apiGroup: 'policy.karmada.io', resource: 'clusterpropagationpolicies', scope: 'Cluster', operations: CREATE_UPDATE },
  { name: 'overridepolicy.karmada.io', path: 'validate-overridepolicy', apiGroup: 'policy.karmada.io', resource: 'overridepolicies', scope: 'Namespaced', operations: CREATE_UPDATE },
  { name: 'clusteroverridepolicy.karmada.io', path: 'validate-clusteroverridepolicy', apiGroup: 'policy.karmada.io', resource: 'clusteroverridepolicies', scope: 'Cluster', operations: CREATE_UPDATE },
  { name: 'config.karmada.io', path: 'validate-resourceinterpreterwebhookconfiguration', apiGroup: 'config.karmada.io', resource: 'resourceinterpreterwebhookconfigurations', scope: 'Cluster', operations: CREATE_UPDATE },
  // Validating a customization runs its Lua scripts: it gets more time than the others.
  { name: 'resourceinterpretercustomization.karmada.io', path: 'validate-resourceinterpretercustomization', apiGroup: 'config.karmada.io', resource: 'resourceinterpretercustomizations', scope: 'Cluster', operations: CREATE_UPDATE, timeoutSeconds: 10 },
  { name: 'federatedresourcequota.karmada.io', path: 'validate-federatedresourcequota', apiGroup: 'policy.karmada.io', resource: 'federatedresourcequotas', scope: 'Namespaced', operations: CREATE_UPDATE },
  { name: 'multiclusteringress.karmada.io', path: 'validate-multiclusteringress', apiGroup: 'networking.karmada.io', resource: 'multiclusteringresses', scope: 'Namespaced', operations: CREATE_UPDATE },
  { name: 'federatedhpa.karmada.io', path: 'validate-federatedhpa', apiGroup: 'autoscaling.karmada.io', resource: 'federatedhpas', scope: 'Namespaced', operations: CREATE_UPDATE },
  { name: 'cronfederatedhpa.karmada.io', path: 'validate-cronfederatedhpa', apiGroup: 'autoscaling.karmada.io', resource: 'cronfederatedhpas', scope: 'Namespaced', operations: CREATE_UPDATE },
  { name: 'multiclusterservice.karmada.io', path: 'validate-multiclusterservice', apiGroup: 'networking.karmada.io', resource: 'multiclusterservices', scope: 'Namespaced', operations: CREATE_UPDATE },
  // Refuses to delete any object labelled `resourcetemplate.karmada.io/deletion-protected`.
  { name: 'resourcedeletionprotection.karmada.io', path: 'validate-resourcedeletionprotection', apiGroup: '*', resource: '*', scope: '*', operations: ['DELETE'], objectSelectorExists: 'resourcetemplate.karmada.io/deletion-protected' },
  // Charges a binding's resources to FederatedResourceQuotas (it writes their status): dry runs must not do that.
  { name: 'resourcebinding.karmada.io', path: 'validate-resourcebinding', apiGroup: 'work.karmada.io', resource: 'resourcebindings', scope: 'Namespaced', operations: CREATE_UPDATE, sideEffects: 'NoneOnDryRun' },
  { name: 'clustertaintpolicy.karmada.io', path: 'validate-clustertaintpolicy', apiGroup: 'policy.karmada.io', resource: 'clustertaintpolicies', scope: 'Cluster', operations: CREATE_UPDATE },
];

/** Karmada's resources a person with the built-in `view` or `edit` role may use (upstream `karmada-view`/`-edit`). */
const USER_FACING_RESOURCES: Array<[string, string[]]> = [
  ['autoscaling.karmada.io', ['cronfederatedhpas', 'cronfederatedhpas/status', 'federatedhpas', 'federatedhpas/status']],
  ['multicluster.x-k8s.io', ['serviceexports', 'serviceexports/status', 'serviceimports', 'serviceimports/status']],
  ['networking.karmada.io', ['multiclusteringresses', 'multiclusteringresses/status', 'multiclusterservices', 'multiclusterservices/status']],
  ['policy.karmada.io', ['overridepolicies', 'propagationpolicies']],
  ['work.karmada.io', ['resourcebindings', 'resourcebindings/status', 'works', 'works/status']],
];

/** The bootstrap-token group `karmadactl register` uses (`system:bootstrappers:karmada:default-cluster-token`). */
const BOOTSTRAP_TOKEN_GROUP = 'system:bootstrappers:karmada:default-cluster-token';
/** The group of every karmada-agent's client certificate. */
const AGENTS_GROUP = 'system:karmada:agents';
/** The user `karmadactl register` acts as while it creates the agent's RBAC. */
const AGENT_RBAC_GENERATOR_USER = 'system:karmada:agent:rbac-generator';


/**
 * Every object that must exist inside the Karmada API before the control plane works: the `karmada-system`
 * namespace, Karmada's CRDs (with the conversion webhook of the binding CRDs), the admission webhook configurations,
 * the APIServices of the aggregated API servers with their ExternalName Services, RBAC (one ClusterRole per component,
 * bound to the component's certificate user; the admin group bound to `cluster-admin`) and, for pull mode, what
 * `karmadactl register` relies on.
 *
 * Place it in a chart that is applied with the Karmada kubeconfig (`kubectl apply --server-side`), e.g. through
 * `KarmadaApiChart`, or let `KarmadaBootstrapJob` apply it.
 *
 * @example
 * // In a chart applied with the Karmada kubeconfig; caBundle unset: the CA bundle placeholder, which
 * // KarmadaBootstrapJob fills in (or give the Karmada CA's ca.crt in base64).
 * new KarmadaApiObjects(chart, 'objects', { instance: 'karmada', hostNamespace: 'karmada-system', search: true });
 */
export class KarmadaApiObjects extends Construct {
  /** The installation's name. */
  public readonly instance: string;
  /** The host-cluster namespace of the control plane. */
  public readonly hostNamespace: string;
  /** The CA bundle in the objects: the given one, or `CA_BUNDLE_PLACEHOLDER`. */
  public readonly caBundle: string;
  /** Whether the objects carry the CA bundle placeholder (no `caBundle` was given). */
  public readonly caBundleIsPlaceholder: boolean;

  constructor(scope: Construct, id: string, props: KarmadaApiObjectsProps = {}) {
    super(scope, id);
    checkProps(props);
    this.instance = props.instance ?? Defaults.INSTANCE;
    this.hostNamespace = props.hostNamespace ?? Defaults.NAMESPACE;
    this.caBundle = props.caBundle ?? CA_BUNDLE_PLACEHOLDER;
    this.caBundleIsPlaceholder = props.caBundle === undefined;
    const clusterDomain = props.clusterDomain ?? Defaults.CLUSTER_DOMAIN;
    const labels = installationLabels(this.instance);
    const webhookService = hostServiceName(this.instance, Component.WEBHOOK);
    const webhookUrl = (path: string) => `https://${webhookService}.${this.hostNamespace}.svc:${Ports.SERVED_COMPONENT_SERVICE}/${path}`;

    new k8s.KubeNamespace(this, 'Namespace', { metadata: { name: KARMADA_SYSTEM_NAMESPACE, labels } });

    // CRDs: the shipped ones, so plain ApiObjects (the typed L1 would drop the `x-kubernetes-*` keys). Left out only
    // while the bootstrap Job's renderer builds these objects: it has their YAML precomputed.
    if (!renderOptions.omitCrds) {
      for (const crd of karmadaCrds({ webhookServiceName: webhookService, webhookNamespace: this.hostNamespace, caBundle: this.caBundle })) {
        const { apiVersion, kind, metadata, ...rest } = crd;
        new ApiObject(this, `Crd-${metadata.name}`, { apiVersion, kind, metadata: { ...metadata, labels: { ...metadata.labels, ...labels } }, ...rest });
      }
    }

    const toWebhook = (spec: WebhookSpec): kplus.k8s.MutatingWebhook => ({
      name: spec.name,
      rules: [{ operations: spec.operations, apiGroups: [spec.apiGroup], apiVersions: ['*'], resources: [spec.resource], scope: spec.scope }],
      clientConfig: { url: webhookUrl(spec.path), caBundle: this.caBundle },
      ...(spec.objectSelectorExists ? { objectSelector: { matchExpressions: [{ key: spec.objectSelectorExists, operator: 'Exists' }] } } : {}),
      failurePolicy: 'Fail',
      sideEffects: spec.sideEffects ?? 'None',
      admissionReviewVersions: ['v1'],
      timeoutSeconds: spec.timeoutSeconds ?? 3,
    });
    new k8s.KubeMutatingWebhookConfiguration(this, 'MutatingWebhooks', {
      metadata: { name: 'mutating-config', labels },
      webhooks: MUTATING_WEBHOOKS.map(toWebhook),
    });
    new k8s.KubeValidatingWebhookConfiguration(this, 'ValidatingWebhooks', {
      metadata: { name: 'validating-config', labels },
      webhooks: VALIDATING_WEBHOOKS.map(toWebhook),
    });

    // APIServices: each points at an ExternalName Service in karmada-system *inside* the Karmada API, which names the
    // component's Service in the host cluster (karmada-apiserver resolves it through the host's DNS).
    const aggregatedApiServers = runningComponents(props).filter(component => (component.aggregatedApis ?? []).length > 0);
    const apis = aggregatedApiServers.flatMap(component => component.aggregatedApis!.map(api => ({ ...api, component: component.name })));
    for (const component of aggregatedApiServers.map(server => server.name)) {
      new k8s.KubeService(this, `ExternalName-${component}`, {
        metadata: { name: karmadaSideServiceName(component), namespace: KARMADA_SYSTEM_NAMESPACE, labels },
        spec: {
          type: 'ExternalName',
          externalName: serviceHostName(hostServiceName(this.instance, component), this.hostNamespace, clusterDomain),
          ports: [{ name: 'https', port: Ports.SERVED_COMPONENT_SERVICE, protocol: 'TCP' }],
        },
      });
    }
    for (const api of apis) {
      new k8s.KubeApiService(this, `ApiService-${api.version}.${api.group}`, {
        metadata: { name: `${api.version}.${api.group}`, labels },
        spec: {
          group: api.group,
          version: api.version,
          groupPriorityMinimum: api.groupPriorityMinimum,
          versionPriority: api.versionPriority,
          caBundle: this.caBundle,
          service: { name: karmadaSideServiceName(api.component), namespace: KARMADA_SYSTEM_NAMESPACE, port: Ports.SERVED_COMPONENT_SERVICE },
        },
      });
    }

    this.addUserRbac(labels);
    for (const component of runningComponents(props).filter(withRoles => withRoles.rbac !== undefined)) {
      this.addComponentRbac(component, labels);
    }
    if (props.pullModeApiEndpoint !== undefined) {
      this.addPullModeObjects(props.pullModeApiEndpoint, labels);
    }
  }

  /** The people's roles: Karmada's resources in `view`/`edit`, the admin group as `cluster-admin`, cluster proxying. */
  private addUserRbac(labels: Record<string, string>): void {
    new k8s.KubeClusterRole(this, 'ViewRole', {
      metadata: { name: 'karmada-view', labels: { ...labels, 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } },
      rules: USER_FACING_RESOURCES.map(([group, resources]) => ({ apiGroups: [group], resources, verbs: READ })),
    });
    new k8s.KubeClusterRole(this, 'EditRole', {
      metadata: { name: 'karmada-edit', labels: { ...labels, 'rbac.authorization.k8s.io/aggregate-to-edit': 'true' } },
      rules: USER_FACING_RESOURCES.map(([group, resources]) => ({ apiGroups: [group], resources, verbs: WRITE })),
    });
    new k8s.KubeClusterRole(this, 'ClusterProxyAdminRole', {
      metadata: { name: 'cluster-proxy-admin', labels },
      rules: [{ apiGroups: ['cluster.karmada.io'], resources: ['clusters/proxy'], verbs: ['*'] }],
    });
    const adminGroup = [{ kind: 'Group', apiGroup: RBAC_GROUP, name: ADMIN_GROUP }];
    // Not named `cluster-admin`: that binding is Kubernetes' own (to system:masters) and applying ours over it would
    // replace its subjects.
    new k8s.KubeClusterRoleBinding(this, 'AdminBinding', {
      metadata: { name: ADMIN_GROUP, labels },
      roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: adminGroup,
    });
    new k8s.KubeClusterRoleBinding(this, 'ClusterProxyAdminBinding', {
      metadata: { name: 'cluster-proxy-admin', labels },
      roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: 'cluster-proxy-admin' },
      subjects: adminGroup,
    });
  }

  /** A component's ClusterRole, bound to its certificate's user; aggregated API servers also get delegation rights. */
  private addComponentRbac({ name: component, rbac, serving }: ControlPlaneComponent, labels: Record<string, string>): void {
    const user = componentUserName(component);
    const subjects = [{ kind: 'User', apiGroup: RBAC_GROUP, name: user }];
    new k8s.KubeClusterRole(this, `Role-${component}`, { metadata: { name: user, labels }, rules: [...rbac ?? []] });
    new k8s.KubeClusterRoleBinding(this, `Binding-${component}`, {
      metadata: { name: user, labels },
      roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: user },
      subjects,
    });
    if (serving === 'aggregated-api-server') {
      // Delegated authentication and authorization: TokenReviews and SubjectAccessReviews against karmada-apiserver.
      new k8s.KubeClusterRoleBinding(this, `AuthDelegator-${component}`, {
        metadata: { name: `${user}:auth-delegator`, labels },
        roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: 'system:auth-delegator' },
        subjects,
      });
      // The front-proxy CA and request-header names, from ConfigMap kube-system/extension-apiserver-authentication.
      new k8s.KubeRoleBinding(this, `AuthReader-${component}`, {
        metadata: { name: `${user}:authentication-reader`, namespace: 'kube-system', labels },
        roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name: 'extension-apiserver-authentication-reader' },
        subjects,
      });
    }
  }

  /**
   * What `karmadactl register` relies on (Karmada v1.18.2 `artifacts/deploy/bootstrap-token-configuration.yaml`, the
   * chart's `_karmada_bootstrap_token_configuration.tpl`, karmadactl's `createExtraResources`).
   */
  private addPullModeObjects(endpoint: string, labels: Record<string, string>): void {
    // The agent reads the CA and the server anonymously; kube-controller-manager's bootstrapsigner signs it with
    // each bootstrap token, which is how the agent trusts it.
    new k8s.KubeConfigMap(this, 'ClusterInfo', {
      metadata: { name: 'cluster-info', namespace: 'kube-public', labels },
      data: {
        kubeconfig: Yaml.stringify({
          apiVersion: 'v1',
          kind: 'Config',
          clusters: [{ name: '', cluster: { 'certificate-authority-data': this.caBundle, 'server': endpoint } }],
        }),
      },
    });
    new k8s.KubeRole(this, 'ClusterInfoReader', {
      metadata: { name: 'system:karmada:bootstrap-signer-clusterinfo', namespace: 'kube-public', labels },
      rules: [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['cluster-info'], verbs: ['get'] }],
    });
    new k8s.KubeRoleBinding(this, 'ClusterInfoReaderBinding', {
      metadata: { name: 'system:karmada:bootstrap-signer-clusterinfo', namespace: 'kube-public', labels },
      roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name: 'system:karmada:bootstrap-signer-clusterinfo' },
      subjects: [{ kind: 'User', apiGroup: RBAC_GROUP, name: 'system:anonymous' }],
    });
    // A bootstrap token may post CSRs (the built-in node-bootstrapper role).
    new k8s.KubeClusterRoleBinding(this, 'AgentBootstrap', {
      metadata: { name: 'system:karmada:agent-bootstrap', labels },
      roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: 'system:node-bootstrapper' },
      subjects: [{ kind: 'Group', apiGroup: RBAC_GROUP, name: BOOTSTRAP_TOKEN_GROUP }],
    });
    // karmada-controller-manager's agentcsrapproving controller approves a CSR when its requester may create these
    // virtual subresources: the bootstrap token for the first certificate, the agent itself for its renewals.
    const autoApprove: Array<[string, string, string, string]> = [
      ['AutoApprover', 'system:karmada:certificatesigningrequest:autoapprover', 'certificatesigningrequests/clusteragent', 'system:karmada:agent-autoapprove-bootstrap'],
      ['SelfAutoApprover', 'system:karmada:certificatesigningrequest:selfautoapprover', 'certificatesigningrequests/selfclusteragent', 'system:karmada:agent-autoapprove-certificate-rotation'],
    ];
    for (const [id, roleName, resource, bindingName] of autoApprove) {
      new k8s.KubeClusterRole(this, id, {
        metadata: { name: roleName, labels },
        rules: [{ apiGroups: ['certificates.k8s.io'], resources: [resource], verbs: ['create'] }],
      });
      new k8s.KubeClusterRoleBinding(this, `${id}Binding`, {
        metadata: { name: bindingName, labels },
        roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: roleName },
        subjects: [{ kind: 'Group', apiGroup: RBAC_GROUP, name: id === 'AutoApprover' ? BOOTSTRAP_TOKEN_GROUP : AGENTS_GROUP }],
      });
    }
    // `karmadactl register` impersonates this user to create the agent's own, restricted RBAC: it must be able to grant
    // whatever it grants, hence every verb on every resource.
    new k8s.KubeClusterRole(this, 'AgentRbacGenerator', {
      metadata: { name: 'system:karmada:agent-rbac-generator', labels },
      rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }],
    });
    new k8s.KubeClusterRoleBinding(this, 'AgentRbacGeneratorBinding', {
      metadata: { name: 'system:karmada:agent-rbac-generator', labels },
      roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: 'system:karmada:agent-rbac-generator' },
      subjects: [{ kind: 'User', apiGroup: RBAC_GROUP, name: AGENT_RBAC_GENERATOR_USER }],
    });
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Validate the props; every problem in one error. */
function checkProps(props: KarmadaApiObjectsProps): void {
  const errors: string[] = [];
  if (props.instance !== undefined) errors.push(...checkInstanceName('instance', props.instance));
  if (props.hostNamespace !== undefined) errors.push(...checkNamespace('hostNamespace', props.hostNamespace));
  if (props.clusterDomain !== undefined) errors.push(...checkDnsDomain('clusterDomain', props.clusterDomain));
  if (props.caBundle !== undefined) {
    const pem = BASE64.test(props.caBundle) ? Buffer.from(props.caBundle, 'base64').toString('latin1') : '';
    if (props.caBundle.length === 0 || !pem.includes('-----BEGIN CERTIFICATE-----')) {
      const instance = props.instance ?? Defaults.INSTANCE;
      const namespace = props.hostNamespace ?? Defaults.NAMESPACE;
      errors.push('caBundle is not the base64 of a PEM certificate: give the Karmada CA\'s ca.crt in base64, e.g. the output of '
        + `kubectl -n ${namespace} get secret ${SecretNames.bootstrapClient(instance)} -o jsonpath='{.data.ca\\.crt}', or leave caBundle unset and let KarmadaBootstrapJob fill it in`);
    }
  }
  if (props.pullModeApiEndpoint !== undefined) errors.push(...checkHttpsUrl('pullModeApiEndpoint', props.pullModeApiEndpoint, 'https://karmada.example.com:5443'));
  if (errors.length > 0) {
    throw new Error(errors.join('\n'));
  }
}

