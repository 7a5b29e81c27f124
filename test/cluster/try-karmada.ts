// Developer aid: start a host cluster whose hosts are the pod runner's, apply a scenario with its Secrets issued,
// and keep it running until killed, printing which pods are Ready.
//   npx ts-node --project test/tsconfig.json test/cluster/try-karmada.ts '<scenario name>'
import { createCertificateSecrets } from './certificates';
import { HostCluster } from './host-cluster';
import { applyCertManagerCrds, applyObjects } from './plane';
import { PodRunner } from './pod-runner';
import { hostsFor, SCENARIOS } from './scenarios';

async function main(): Promise<void> {
  const name = process.argv[2] ?? 'stacked 3, no zones';
  const scenario = SCENARIOS[name]();
  const cluster = await HostCluster.start(`try-karmada-${scenario.name}`);
  const hostSpecs = hostsFor(scenario, scenario.tolerance.hostsRequired).map(h => ({ ...h, kubelet: 'pod-runner' as const }));
  await applyCertManagerCrds(cluster);
  const runner = await PodRunner.start(cluster, { hosts: hostSpecs.map(h => h.name), namespaces: [scenario.namespace] });
  await cluster.addHosts(hostSpecs);
  await applyObjects(cluster, scenario.objects.filter(o => o.kind === 'Namespace'));
  await createCertificateSecrets(cluster, scenario.objects);
  await applyObjects(cluster, scenario.objects);
  console.log(`applied: export KUBECONFIG=${cluster.kubeconfig}; kubectl is ${cluster.kubectlBinary}; runs in ${cluster.dir}`);
  const stop = () => void runner.stop().then(() => cluster.stop()).then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  setInterval(() => {
    void cluster.kubectl(['get', 'pods', '-n', scenario.namespace, '-o', 'wide', '--no-headers'], { allowFailure: true }).then(r => {
      console.log(`--- ${new Date().toISOString()}\n${r.stdout}${runner.problems.slice(-5).join('\n')}`);
    });
  }, 15_000);
}

void main().catch(error => {
  console.error(error);
  process.exit(1);
});
