import * as fs from 'fs';
import * as path from 'path';
import { LeaderElection } from '../src';
import { cutHost, etcdLeaderHost, HostCutMeasurement, hostHoldingLeases } from './cluster/failover';
import { HOST_CLUSTER_REPORT_DIR, waitFor } from './cluster/host-cluster';
import { KarmadaPlane, startKarmadaPlane, stopKarmadaPlane } from './cluster/karmada';
import { waitForPlane } from './cluster/plane';
import { SCENARIOS } from './cluster/scenarios';

/**
 * High availability of a real Karmada from the synthesized YAML (the pod runner runs every program; see
 * test/real-karmada.test.ts): while a client writes ConfigMaps through the entry-point Service, one host is cut off
 * (its links down, then every process on it killed), first the host whose pods hold the component Leases, then the
 * host of the etcd leader. The writes resume, every acknowledged write stays readable, every Lease the host held
 * moves to another host within the failover bound the library states, and the host rejoins when it comes back.
 * Figures go to .real-cluster/reports/report-failover-<scenario>.json; bench/host-cut.ts takes medians of them.
 */

jest.setTimeout(1_200_000);

const SCENARIO_NAMES = ['stacked 3, no zones', 'external 3+3, 3 zones, no host labels'];
/** The synthesized defaults: LeaderElection.failoverSeconds() of the default lease settings. */
const FAILOVER_BOUND_MS = LeaderElection.failoverSeconds() * 1000;
/** How long the new leader may take to appear in a sample beyond the bound (sampling, a request lost in the cut). */
const SAMPLING_SLACK_MS = 3_000;

describe.each(SCENARIO_NAMES)('a real Karmada loses a host: %s', scenarioName => {
  let plane: KarmadaPlane | undefined;
  const report: Record<string, unknown> = { scenario: scenarioName, failoverBoundMs: FAILOVER_BOUND_MS };

  beforeAll(async () => {
    plane = await startKarmadaPlane(SCENARIOS[scenarioName](), { name: `failover-${SCENARIOS[scenarioName]().name}` });
  });

  afterAll(async () => {
    fs.mkdirSync(HOST_CLUSTER_REPORT_DIR, { recursive: true });
    if (plane) fs.writeFileSync(path.join(HOST_CLUSTER_REPORT_DIR, `report-failover-${plane.scenario.name}.json`), JSON.stringify(report, null, 2));
    await stopKarmadaPlane(plane);
  });

  function expectSurvived(measurement: HostCutMeasurement): void {
    expect(measurement.acknowledgedWritesLost).toBe(0);
    expect(measurement.writesAcknowledged).toBeGreaterThan(0);
    for (const moved of Object.values(measurement.leaderMovedMs)) expect(moved).toBeLessThanOrEqual(FAILOVER_BOUND_MS + SAMPLING_SLACK_MS);
    expect(Object.keys(measurement.leaderMovedMs).sort()).toEqual(measurement.held.filter(h => h !== 'etcd leader').sort());
  }

  test('the host holding the component Leases is cut off: writes resume, no acknowledged write lost, the leaders move, the host rejoins', async () => {
    const host = await hostHoldingLeases(plane!);
    const measurement = await cutHost(plane!, host, { waitReady: () => waitForPlane(plane!.cluster, plane!.scenario, 300_000) });
    report.leaseHolderCut = measurement;
    expect(measurement.held.length).toBeGreaterThan(0);
    expectSurvived(measurement);
  });

  test('the host of the etcd leader is cut off: a new leader is elected, writes resume, no acknowledged write lost', async () => {
    const host = await waitFor('an etcd leader', () => etcdLeaderHost(plane!), 60_000);
    const measurement = await cutHost(plane!, host, { waitReady: () => waitForPlane(plane!.cluster, plane!.scenario, 300_000) });
    report.etcdLeaderCut = measurement;
    expect(measurement.held).toContain('etcd leader');
    expectSurvived(measurement);
    const newLeader = await waitFor('an etcd leader after the rejoin', () => etcdLeaderHost(plane!), 60_000);
    expect(newLeader).toBeDefined();
  });
});
