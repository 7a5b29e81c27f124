// The stacked example (../chart.ts and ../main.ts) in Go: the same chart, the same YAML.
//
// Stacked etcd: each of the 3 control-plane nodes runs its own etcd member on the same host, and no two nodes share
// an availability zone. Member clusters register in pull mode through an internal load balancer with a DNS name.
// `cdk8s synth` in this folder (or `go run .`) writes dist/karmada-stacked.k8s.yaml.
package main

import (
	"fmt"
	"os"

	"example.com/cdk8s-karmada-go/cdk8skarmada"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2"
	"github.com/cdk8s-team/cdk8s-plus-go/cdk8splus28/v2"
)

func buildStackedChart(app cdk8s.App) cdk8skarmada.HATopology {
	chart := cdk8s.NewChart(app, jsii.String("karmada-stacked"), nil)

	return cdk8skarmada.NewHATopology(chart, jsii.String("Karmada"), &cdk8skarmada.HATopologyProps{
		Namespace:         jsii.String("karmada-system"),
		Etcd:              cdk8skarmada.EtcdTopology_Stacked(nil),
		ControlPlaneNodes: jsii.Number(3),
		// One control-plane node (and its etcd member) per zone.
		FailureDomain: cdk8splus28.Topology_ZONE(),
		Zones:         jsii.Strings("eu-west-1a", "eu-west-1b", "eu-west-1c"),
		// An internal load balancer, open only to the networks the member clusters live in; its DNS name goes into
		// karmada-apiserver's serving certificate.
		ApiServerService: &cdk8skarmada.ApiServerServiceOptions{
			Type:                     cdk8splus28.ServiceType_LOAD_BALANCER,
			Annotations:              &map[string]*string{"service.beta.kubernetes.io/aws-load-balancer-scheme": jsii.String("internal")},
			LoadBalancerSourceRanges: jsii.Strings("10.0.0.0/8"),
			ExternalDnsNames:         jsii.Strings("karmada.internal.example.com"),
		},
		PullMode: &cdk8skarmada.PullModeOptions{
			ApiServerEndpoint: jsii.String("https://karmada.internal.example.com:5443"),
		},
	})
}

func main() {
	defer jsii.Close()

	app := cdk8s.NewApp(nil)
	topology := buildStackedChart(app)
	// What the topology needs and which failures it survives, on stderr (`cdk8s synth` keeps stdout to itself).
	fmt.Fprintf(os.Stderr, "failure tolerance: %s\n", *topology.FailureTolerance().Summary)
	app.Synth()
}
