/**
 * The Secrets the control-plane components read their certificates and keys from. Each certificate Secret holds
 * `tls.crt`, `tls.key` and `ca.crt` (the layout cert-manager writes); the service-account Secret holds `sa.pub` and
 * `sa.key`. The library only references these Secrets: no key material is ever synthesized.
 */
export interface ControlPlaneCertificates {
  /**
   * karmada-apiserver's serving certificate. Its `ca.crt` is the Karmada CA, which karmada-apiserver trusts for
   * client certificates (`--client-ca-file`). SANs must cover the HA entry point Service, every per-node Service and
   * any external name.
   * @default - `<instance>-apiserver-cert`
   */
  readonly apiServer?: string;
  /**
   * karmada-apiserver's etcd client certificate; `ca.crt` is the etcd CA. With an etcd outside the cluster, the
   * Secret named by `EtcdTopology.externalEndpoints()` is used instead.
   * @default - `<instance>-apiserver-etcd-client-cert`
   */
  readonly apiServerEtcdClient?: string;
  /**
   * The front-proxy client certificate karmada-apiserver presents to aggregated API servers; `ca.crt` is the
   * front-proxy CA (`--requestheader-client-ca-file`).
   * @default - `<instance>-front-proxy-client-cert`
   */
  readonly frontProxyClient?: string;
  /**
   * The service-account signing key pair (keys `sa.pub` and `sa.key`), kept apart from every TLS key.
   * @default - `<instance>-service-account-key`
   */
  readonly serviceAccountKey?: string;
  /**
   * karmada-scheduler's client certificate for karmada-apiserver (CN `system:karmada:karmada-scheduler`).
   * @default - `<instance>-scheduler-client-cert`
   */
  readonly schedulerClient?: string;
  /**
   * karmada-controller-manager's client certificate for karmada-apiserver (CN `system:karmada:karmada-controller-manager`).
   * @default - `<instance>-controller-manager-client-cert`
   */
  readonly controllerManagerClient?: string;
}
