package dev.cdk8s_karmada.examples;

import java.util.List;
import java.util.Map;

import org.cdk8s.App;
import org.cdk8s.Chart;
import org.cdk8s.plus28.ServiceType;
import org.cdk8s.plus28.Topology;

import dev.cdk8s_karmada.ApiServerServiceOptions;
import dev.cdk8s_karmada.EtcdTopology;
import dev.cdk8s_karmada.HATopology;
import dev.cdk8s_karmada.PullModeOptions;

/**
 * The stacked example (../chart.ts and ../main.ts) in Java: the same chart, the same YAML.
 *
 * <p>Stacked etcd: each of the 3 control-plane nodes runs its own etcd member on the same host, and no two nodes
 * share an availability zone. Member clusters register in pull mode through an internal load balancer with a DNS
 * name.
 */
public final class Main {
    private Main() {
    }

    static HATopology buildStackedChart(final App app) {
        final Chart chart = new Chart(app, "karmada-stacked");

        return HATopology.Builder.create(chart, "Karmada")
                .namespace("karmada-system")
                .etcd(EtcdTopology.stacked())
                .controlPlaneNodes(3)
                // One control-plane node (and its etcd member) per zone.
                .failureDomain(Topology.ZONE)
                .zones(List.of("eu-west-1a", "eu-west-1b", "eu-west-1c"))
                // An internal load balancer, open only to the networks the member clusters live in; its DNS name goes
                // into karmada-apiserver's serving certificate.
                .apiServerService(ApiServerServiceOptions.builder()
                        .type(ServiceType.LOAD_BALANCER)
                        .annotations(Map.of("service.beta.kubernetes.io/aws-load-balancer-scheme", "internal"))
                        .loadBalancerSourceRanges(List.of("10.0.0.0/8"))
                        .externalDnsNames(List.of("karmada.internal.example.com"))
                        .build())
                .pullMode(PullModeOptions.builder()
                        .apiServerEndpoint("https://karmada.internal.example.com:5443")
                        .build())
                .build();
    }

    public static void main(final String[] args) {
        final App app = new App();
        final HATopology topology = buildStackedChart(app);
        // What the topology needs and which failures it survives, on stderr (`cdk8s synth` keeps stdout to itself).
        System.err.println("failure tolerance: " + topology.getFailureTolerance().getSummary());
        app.synth();
    }
}
