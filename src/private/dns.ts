/** Fully qualified in-cluster DNS name of a Service. */
export function serviceHostName(serviceName: string, namespace: string, clusterDomain: string): string {
  return `${serviceName}.${namespace}.svc.${clusterDomain}`;
}

/** Every name a Service answers to inside its cluster: `<svc>`, `<svc>.<ns>`, `<svc>.<ns>.svc`, `<svc>.<ns>.svc.<domain>`. */
export function serviceDnsNames(serviceName: string, namespace: string, clusterDomain: string): string[] {
  return [serviceName, `${serviceName}.${namespace}`, `${serviceName}.${namespace}.svc`, serviceHostName(serviceName, namespace, clusterDomain)];
}

/** The in-cluster https URL of a Service's port. */
export function serviceUrl(serviceName: string, namespace: string, clusterDomain: string, port: number): string {
  return `https://${serviceHostName(serviceName, namespace, clusterDomain)}:${port}`;
}
