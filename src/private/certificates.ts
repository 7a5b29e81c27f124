import { ControlPlaneCertificates } from '../certificates';

/** Fill the default Secret names of one installation. */
export function resolveCertificates(instance: string, certificates: ControlPlaneCertificates = {}): Required<ControlPlaneCertificates> {
  return {
    apiServer: certificates.apiServer ?? `${instance}-apiserver-cert`,
    apiServerEtcdClient: certificates.apiServerEtcdClient ?? `${instance}-apiserver-etcd-client-cert`,
    frontProxyClient: certificates.frontProxyClient ?? `${instance}-front-proxy-client-cert`,
    serviceAccountKey: certificates.serviceAccountKey ?? `${instance}-service-account-key`,
    schedulerClient: certificates.schedulerClient ?? `${instance}-scheduler-client-cert`,
    controllerManagerClient: certificates.controllerManagerClient ?? `${instance}-controller-manager-client-cert`,
  };
}
