import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { ComponentSpec, ControlPlaneNodeContext, extensionApiServer } from './component-spec';
import { Component, SecretNames } from '../private/names';

/** karmada-search on one control-plane node: `search.karmada.io`, caching member-cluster resources; its own etcd connection. */
export function karmadaSearch(node: ControlPlaneNodeContext): ComponentSpec {
  const component = Component.SEARCH;
  return extensionApiServer({
    component,
    image: node.images.search,
    servingCertificateSecret: SecretNames.serving(node.instance, component),
    clientCertificateSecret: SecretNames.client(node.instance, component),
    etcd: { servers: node.etcdServers, keyPrefix: node.etcdKeyPrefix, clientCertificateSecret: node.etcdClientSecret(component) },
    extraArgs: [],
    resources: {
      cpu: { request: kplus.Cpu.millis(100) },
      memory: { request: Size.mebibytes(256), limit: Size.gibibytes(2) },
    },
  });
}
