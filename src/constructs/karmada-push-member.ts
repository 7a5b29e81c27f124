import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Defaults } from '../installation';
import { MemberNames } from '../private/names';
import { installationLabels } from '../private/selectors';
import { checkBase64Certificate, checkClusterName, checkInstanceName, checkMemberApiEndpoint, checkNotEmpty } from '../private/validation';

const k8s = kplus.k8s;

/**
 * The credentials of a push-mode member, when you choose to have them in the synthesized YAML. They are tokens of
 * the member's ServiceAccounts: anyone who reads the YAML can act as them in the member cluster.
 */
export interface PushMemberCredentials {
  /** A token of ServiceAccount `karmada-cluster/karmada-<cluster>` in the member (bound to cluster-admin there). */
  readonly token: string;
  /** The base64 of the member kube-apiserver's CA certificate (PEM). */
  readonly caBundle: string;
  /** A token of ServiceAccount `karmada-cluster/karmada-impersonator` in the member (may impersonate). */
  readonly impersonatorToken: string;
}

/**
 * Props of a member cluster joined in push mode, as the Karmada API knows it.
 */
export interface KarmadaPushMemberProps {
  /** The member cluster's name in Karmada: a DNS-1123 label of at most 48 characters. */
  readonly clusterName: string;
  /** The https URL karmada-controller-manager (in the host cluster) reaches the member's kube-apiserver at. */
  readonly apiEndpoint: string;
  /**
   * The cloud provider of the member (`spec.provider`), for spreading by provider.
   * @default - none
   */
  readonly provider?: string;
  /**
   * The region of the member (`spec.region`), for spreading by region.
   * @default - none
   */
  readonly region?: string;
  /**
   * The zones of the member (`spec.zones`), for spreading by zone.
   * @default - none
   */
  readonly zones?: string[];
  /**
   * The credentials, written into the YAML as two Secrets. Leave them out and create the Secrets yourself
   * (`karmada-cluster/<cluster>` with keys `token` and `caBundle`, `karmada-cluster/<cluster>-impersonator` with key
   * `token`), so no token is ever in a file.
   * @default - no Secret is synthesized: you create both
   */
  readonly credentials?: PushMemberCredentials;
  /**
   * Create the namespace `karmada-cluster` inside the Karmada API. Turn it off when another construct (a second
   * member in the same chart) already does.
   * @default true
   */
  readonly createNamespace?: boolean;
  /**
   * The installation's name: label `app.kubernetes.io/instance` of the objects.
   * @default 'karmada'
   */
  readonly instance?: string;
}

/**
 * A member cluster joined in **push mode**, inside the Karmada API: the `cluster.karmada.io/v1alpha1` `Cluster`
 * (`syncMode: Push`) that points karmada-controller-manager at the member's kube-apiserver, with the Secrets it reads
 * the member's credentials from, as `karmadactl join` creates them. Put it in a chart applied with the Karmada
 * kubeconfig (e.g. a `KarmadaApiChart`), after the control plane is up (the `Cluster` type is served by
 * karmada-aggregated-apiserver).
 *
 * The credentials are not synthesized unless you pass them: create Secret `karmada-cluster/<cluster>` (keys `token`,
 * `caBundle`) and `karmada-cluster/<cluster>-impersonator` (key `token`) inside the Karmada API from tokens of the
 * ServiceAccounts `KarmadaPushMemberAccess` creates in the member.
 *
 * @example
 * new KarmadaPushMember(karmadaApiChart, 'member-1', { clusterName: 'member-1', apiEndpoint: 'https://member-1.example.com:6443' });
 */
export class KarmadaPushMember extends Construct {
  /** The member's name in Karmada. */
  public readonly clusterName: string;
  /** The Secret (`karmada-cluster`) with keys `token` and `caBundle` the `Cluster` refers to. */
  public readonly secretName: string;
  /** The Secret (`karmada-cluster`) with key `token` of the impersonator the `Cluster` refers to. */
  public readonly impersonatorSecretName: string;
  /** Whether the credentials are in the synthesized YAML. */
  public readonly credentialsSynthesized: boolean;

  constructor(scope: Construct, id: string, props: KarmadaPushMemberProps) {
    super(scope, id);
    checkPushMemberProps(props);
    const labels = installationLabels(props.instance ?? Defaults.INSTANCE);
    const namespace = MemberNames.CLUSTER_NAMESPACE;
    this.clusterName = props.clusterName;
    this.secretName = MemberNames.pushSecret(props.clusterName);
    this.impersonatorSecretName = MemberNames.impersonatorSecret(props.clusterName);
    this.credentialsSynthesized = props.credentials !== undefined;

    if (props.createNamespace ?? true) {
      new k8s.KubeNamespace(this, 'Namespace', { metadata: { name: namespace, labels } });
    }
    if (props.credentials !== undefined) {
      new k8s.KubeSecret(this, 'Secret', {
        metadata: { name: this.secretName, namespace, labels },
        type: 'Opaque',
        data: { caBundle: props.credentials.caBundle, token: Buffer.from(props.credentials.token).toString('base64') },
      });
      new k8s.KubeSecret(this, 'ImpersonatorSecret', {
        metadata: { name: this.impersonatorSecretName, namespace, labels },
        type: 'Opaque',
        data: { token: Buffer.from(props.credentials.impersonatorToken).toString('base64') },
      });
    }
    new ApiObject(this, 'Cluster', {
      apiVersion: 'cluster.karmada.io/v1alpha1',
      kind: 'Cluster',
      metadata: { name: props.clusterName, labels },
      spec: {
        syncMode: 'Push',
        apiEndpoint: props.apiEndpoint,
        secretRef: { namespace, name: this.secretName },
        impersonatorSecretRef: { namespace, name: this.impersonatorSecretName },
        ...(props.provider !== undefined ? { provider: props.provider } : {}),
        ...(props.region !== undefined ? { region: props.region } : {}),
        ...(props.zones !== undefined && props.zones.length > 0 ? { zones: [...props.zones] } : {}),
      },
    });
  }
}

/** Validate the props; every problem in one error. */
function checkPushMemberProps(props: KarmadaPushMemberProps): void {
  const errors = [
    ...checkClusterName('clusterName', props.clusterName, MemberNames.MAX_CLUSTER_NAME_LENGTH),
    ...checkMemberApiEndpoint('apiEndpoint', props.apiEndpoint),
    ...(props.instance !== undefined ? checkInstanceName('instance', props.instance) : []),
  ];
  if (props.credentials !== undefined) {
    errors.push(
      ...checkNotEmpty('credentials.token', props.credentials.token, 'give a token of ServiceAccount karmada-cluster/karmada-<cluster> in the member, or leave credentials out and create the Secret yourself'),
      ...checkBase64Certificate('credentials.caBundle', props.credentials.caBundle),
      ...checkNotEmpty('credentials.impersonatorToken', props.credentials.impersonatorToken, 'give a token of ServiceAccount karmada-cluster/karmada-impersonator in the member, or leave credentials out and create the Secret yourself'),
    );
  }
  if (errors.length > 0) throw new Error(errors.join('\n'));
}
