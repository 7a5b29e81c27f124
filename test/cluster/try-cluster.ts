// Developer aid: start a host cluster with one scenario applied and keep it running until killed.
//   npx ts-node --project test/tsconfig.json test/cluster/try-cluster.ts '<scenario name>'
import { HostCluster } from './host-cluster';
import { applyCertManagerCrds, applyObjects, waitForPlane } from './plane';
import { hostsFor, SCENARIOS } from './scenarios';

async function main(): Promise<void> {
  const name = process.argv[2] ?? Object.keys(SCENARIOS)[0];
  const scenario = SCENARIOS[name]();
  const cluster = await HostCluster.start(`try-${scenario.name}`);
  await applyCertManagerCrds(cluster);
  await cluster.addHosts(hostsFor(scenario, scenario.tolerance.hostsRequired));
  await applyObjects(cluster, scenario.objects);
  await waitForPlane(cluster, scenario);
  console.log(`ready: export KUBECONFIG=${cluster.kubeconfig}; kubectl is ${cluster.kubectlBinary}`);
  const stop = () => void cluster.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  setInterval(() => undefined, 2 ** 30); // keeps the process alive until a signal
}

void main().catch(error => {
  console.error(error);
  process.exit(1);
});
