import * as kplus from 'cdk8s-plus-28';
import { EtcdPlacement, EtcdTopology, FailureToleranceReport, HATopologyProps, KarmadaWarnings } from '../src';
import { synthTopology } from './util';
import { evenSpread, zonesThatMayFail } from '../src/failure-tolerance';

const ZONES = ['zone-a', 'zone-b', 'zone-c'];
const STACKED_3 = 'stacked etcd, 3 control-plane nodes each with its etcd member';
const STACKED_5 = 'stacked etcd, 5 control-plane nodes each with its etcd member';
const NO_ZONES = 'zones not given, so one zone failure may stop it';

interface Case {
  readonly name: string;
  readonly props: HATopologyProps;
  /** Worked out by hand: quorum = floor(members / 2) + 1; a failure is survived while etcd keeps quorum and one apiserver is up. */
  readonly expected: Omit<FailureToleranceReport, 'placement' | 'zones'>;
}

const CASES: Case[] = [
  {
    name: 'stacked 3, zones not given',
    props: { controlPlaneNodes: 3 },
    expected: {
      controlPlaneNodes: 3,
      etcdMembers: 3,
      etcdQuorum: 2,
      hostsRequired: 3,
      zonesRequired: 1,
      hostFailuresTolerated: 1,
      zoneFailuresTolerated: 0,
      summary: `${STACKED_3}: needs 3 hosts; survives 1 host failure; ${NO_ZONES} (etcd quorum 2 of 3, at least 1 of 3 apiservers)`,
    },
  },
  {
    name: 'stacked 3 over 3 zones',
    props: { controlPlaneNodes: 3, zones: ZONES },
    expected: {
      controlPlaneNodes: 3,
      etcdMembers: 3,
      etcdQuorum: 2,
      hostsRequired: 3,
      zonesRequired: 3,
      hostFailuresTolerated: 1,
      zoneFailuresTolerated: 1,
      summary: `${STACKED_3}: needs 3 hosts in 3 zones; survives 1 host failure and 1 zone failure (etcd quorum 2 of 3, at least 1 of 3 apiservers)`,
    },
  },
  {
    name: 'stacked 5, zones not given',
    props: { controlPlaneNodes: 5 },
    expected: {
      controlPlaneNodes: 5,
      etcdMembers: 5,
      etcdQuorum: 3,
      hostsRequired: 5,
      zonesRequired: 1,
      hostFailuresTolerated: 2,
      zoneFailuresTolerated: 0,
      summary: `${STACKED_5}: needs 5 hosts; survives 2 host failures; ${NO_ZONES} (etcd quorum 3 of 5, at least 1 of 5 apiservers)`,
    },
  },
  {
    // 2 + 2 + 1 members: losing a zone with 2 leaves 3 of 5; losing two zones leaves at most 2.
    name: 'stacked 5 over 3 zones',
    props: { controlPlaneNodes: 5, zones: ZONES },
    expected: {
      controlPlaneNodes: 5,
      etcdMembers: 5,
      etcdQuorum: 3,
      hostsRequired: 5,
      zonesRequired: 3,
      hostFailuresTolerated: 2,
      zoneFailuresTolerated: 1,
      summary: `${STACKED_5}: needs 5 hosts in 3 zones; survives 2 host failures and 1 zone failure (etcd quorum 3 of 5, at least 1 of 5 apiservers)`,
    },
  },
  {
    name: 'external 3+3, zones not given',
    props: { controlPlaneNodes: 3, etcd: EtcdTopology.external({ members: 3 }) },
    expected: {
      controlPlaneNodes: 3,
      etcdMembers: 3,
      etcdQuorum: 2,
      hostsRequired: 6,
      zonesRequired: 1,
      hostFailuresTolerated: 1,
      zoneFailuresTolerated: 0,
      summary: `external etcd, 3 control-plane nodes and 3 etcd members: needs 6 hosts; survives 1 host failure; ${NO_ZONES} (etcd quorum 2 of 3, at least 1 of 3 apiservers)`,
    },
  },
  {
    name: 'external 3+3 over 3 zones',
    props: { controlPlaneNodes: 3, etcd: EtcdTopology.external({ members: 3 }), zones: ZONES },
    expected: {
      controlPlaneNodes: 3,
      etcdMembers: 3,
      etcdQuorum: 2,
      hostsRequired: 6,
      zonesRequired: 3,
      hostFailuresTolerated: 1,
      zoneFailuresTolerated: 1,
      summary: 'external etcd, 3 control-plane nodes and 3 etcd members: needs 6 hosts in 3 zones; survives 1 host failure and 1 zone failure (etcd quorum 2 of 3, at least 1 of 3 apiservers)',
    },
  },
  {
    // 5 control-plane nodes, 3 members: more apiservers do not make etcd survive more; the 3 members decide.
    name: 'external 5+3, zones not given',
    props: { controlPlaneNodes: 5, etcd: EtcdTopology.external({ members: 3 }) },
    expected: {
      controlPlaneNodes: 5,
      etcdMembers: 3,
      etcdQuorum: 2,
      hostsRequired: 8,
      zonesRequired: 1,
      hostFailuresTolerated: 1,
      zoneFailuresTolerated: 0,
      summary: `external etcd, 5 control-plane nodes and 3 etcd members: needs 8 hosts; survives 1 host failure; ${NO_ZONES} (etcd quorum 2 of 3, at least 1 of 5 apiservers)`,
    },
  },
  {
    name: 'external 5+3 over 3 zones',
    props: { controlPlaneNodes: 5, etcd: EtcdTopology.external({ members: 3 }), zones: ZONES },
    expected: {
      controlPlaneNodes: 5,
      etcdMembers: 3,
      etcdQuorum: 2,
      hostsRequired: 8,
      zonesRequired: 3,
      hostFailuresTolerated: 1,
      zoneFailuresTolerated: 1,
      summary: 'external etcd, 5 control-plane nodes and 3 etcd members: needs 8 hosts in 3 zones; survives 1 host failure and 1 zone failure (etcd quorum 2 of 3, at least 1 of 5 apiservers)',
    },
  },
  {
    // 3 control-plane nodes, 5 members: 2 host failures (2 members, or 2 apiservers); zones 2 + 2 + 1 members.
    name: 'external 3+5 over 3 zones',
    props: { controlPlaneNodes: 3, etcd: EtcdTopology.external({ members: 5 }), zones: ZONES },
    expected: {
      controlPlaneNodes: 3,
      etcdMembers: 5,
      etcdQuorum: 3,
      hostsRequired: 8,
      zonesRequired: 3,
      hostFailuresTolerated: 2,
      zoneFailuresTolerated: 1,
      summary: 'external etcd, 3 control-plane nodes and 5 etcd members: needs 8 hosts in 3 zones; survives 2 host failures and 1 zone failure (etcd quorum 3 of 5, at least 1 of 3 apiservers)',
    },
  },
  {
    // One node and one member per zone: a zone failure costs what a host failure costs.
    name: 'stacked 5 with failureDomain ZONE',
    props: { controlPlaneNodes: 5, failureDomain: kplus.Topology.ZONE },
    expected: {
      controlPlaneNodes: 5,
      etcdMembers: 5,
      etcdQuorum: 3,
      hostsRequired: 5,
      zonesRequired: 5,
      hostFailuresTolerated: 2,
      zoneFailuresTolerated: 2,
      summary: `${STACKED_5}: needs 5 hosts in 5 zones; survives 2 host failures and 2 zone failures (etcd quorum 3 of 5, at least 1 of 5 apiservers)`,
    },
  },
  {
    name: 'external endpoints, 3 control-plane nodes',
    props: {
      controlPlaneNodes: 3,
      etcd: EtcdTopology.externalEndpoints({ endpoints: ['https://etcd-a.example:2379', 'https://etcd-b.example:2379', 'https://etcd-c.example:2379'], clientCertificateSecret: 'etcd-client' }),
    },
    expected: {
      controlPlaneNodes: 3,
      etcdMembers: 0,
      etcdQuorum: 0,
      hostsRequired: 3,
      zonesRequired: 1,
      hostFailuresTolerated: 2,
      zoneFailuresTolerated: 0,
      summary: `etcd outside the cluster, 3 control-plane nodes: needs 3 hosts; survives 2 host failures; ${NO_ZONES} (at least 1 of 3 apiservers; the outside etcd's own tolerance not counted)`,
    },
  },
];

describe('failure-tolerance report', () => {
  test.each(CASES)('$name', ({ props, expected }) => {
    // GIVEN a topology WHEN it is built
    const { topology } = synthTopology(props);
    // THEN the report says what it needs and survives
    expect(topology.failureTolerance).toEqual({
      ...expected,
      placement: props.etcd?.placement ?? EtcdPlacement.STACKED,
      zones: props.zones ?? [],
    });
  });

  test('4 members over 3 zones: losing the zone with 2 members loses quorum, and a warning says so', () => {
    // GIVEN an even member count over 3 zones
    const { topology } = synthTopology({ controlPlaneNodes: 3, etcd: EtcdTopology.external({ members: 4 }), zones: ZONES });
    // THEN no zone failure is survived, and the warning names the fix
    expect(topology.failureTolerance.zoneFailuresTolerated).toBe(0);
    expect(KarmadaWarnings.of(topology)).toContain(
      `zones lists 3 zones, but the control plane does not survive the loss of any one of them (${topology.failureTolerance.summary}): use an etcd member count and a control-plane node count that spread evenly, e.g. 3 or 5 members over 3 zones`);
  });

  test('spreading and the worst-case zone loss', () => {
    expect(evenSpread(5, 3)).toEqual([2, 2, 1]);
    expect(evenSpread(2, 3)).toEqual([1, 1, 0]);
    expect(zonesThatMayFail([2, 2, 1], 2)).toBe(1);
    expect(zonesThatMayFail([1, 1, 1], 2)).toBe(2);
    expect(zonesThatMayFail([2, 1, 1], 1)).toBe(0);
  });
});
