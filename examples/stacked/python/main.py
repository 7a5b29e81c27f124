"""The stacked example (../chart.ts and ../main.ts) in Python: the same chart, the same YAML.

Stacked etcd: each of the 3 control-plane nodes runs its own etcd member on the same host, and no two nodes share
an availability zone. Member clusters register in pull mode through an internal load balancer with a DNS name.
`cdk8s synth` in this folder (with the packages of requirements.txt and the cdk8s-karmada wheel installed) writes
dist/karmada-stacked.k8s.yaml.
"""
import sys

import cdk8s
import cdk8s_plus_28 as kplus
from cdk8s_karmada import (
    ApiServerServiceOptions,
    EtcdTopology,
    HATopology,
    PullModeOptions,
)


def build_stacked_chart(app: cdk8s.App) -> cdk8s.Chart:
    chart = cdk8s.Chart(app, "karmada-stacked")

    HATopology(
        chart,
        "Karmada",
        namespace="karmada-system",
        etcd=EtcdTopology.stacked(),
        control_plane_nodes=3,
        # One control-plane node (and its etcd member) per zone.
        failure_domain=kplus.Topology.ZONE,
        zones=["eu-west-1a", "eu-west-1b", "eu-west-1c"],
        # An internal load balancer, open only to the networks the member clusters live in; its DNS name goes into
        # karmada-apiserver's serving certificate.
        api_server_service=ApiServerServiceOptions(
            type=kplus.ServiceType.LOAD_BALANCER,
            annotations={"service.beta.kubernetes.io/aws-load-balancer-scheme": "internal"},
            load_balancer_source_ranges=["10.0.0.0/8"],
            external_dns_names=["karmada.internal.example.com"],
        ),
        pull_mode=PullModeOptions(api_server_endpoint="https://karmada.internal.example.com:5443"),
    )

    return chart


app = cdk8s.App()
chart = build_stacked_chart(app)
topology = chart.node.find_child("Karmada")
# What the topology needs and which failures it survives, on stderr (`cdk8s synth` keeps stdout to itself).
print(f"failure tolerance: {topology.failure_tolerance.summary}", file=sys.stderr)
app.synth()
