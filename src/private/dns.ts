/** Fully qualified in-cluster DNS name of a Service. */
export function serviceHostName(serviceName: string, namespace: string, clusterDomain: string): string {
  return `${serviceName}.${namespace}.svc.${clusterDomain}`;
}
