/** The ports of an etcd member. */
export class EtcdPorts {
  /** Client traffic (TLS, client certificates required). */
  public static readonly CLIENT = 2379;
  /** Peer traffic between members (TLS, peer certificates required). */
  public static readonly PEER = 2380;
  /** Metrics and the /livez and /readyz health endpoints (plain HTTP, no keys or data). */
  public static readonly METRICS = 2381;

  private constructor() {}
}
