// Command cert-manager-controller runs cert-manager's controller, as published in the root module of
// github.com/cert-manager/cert-manager at the version tools/versions.env pins. That module's zip carries the
// controller's command (package cmd/controller/app) but not a main package for it, so this one starts the command
// the module exports, with its flags, logging and a stop channel closed on SIGINT or SIGTERM; `version` prints the
// version the build stamps.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/cert-manager/cert-manager/cmd/controller/app"
	logf "github.com/cert-manager/cert-manager/pkg/logs"
	"github.com/cert-manager/cert-manager/pkg/util"
)

func main() {
	// `version` prints the version stamped at build time (scripts/build-components.sh), as the other programs do.
	if len(os.Args) == 2 && os.Args[1] == "version" {
		fmt.Printf("cert-manager-controller version %s\n", util.AppVersion)
		return
	}
	stop := make(chan struct{})
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-signals
		close(stop)
		<-signals
		os.Exit(1)
	}()

	logf.InitLogs(flag.CommandLine)
	defer logf.FlushLogs()

	command := app.NewCommandStartCertManagerController(stop)
	command.Flags().AddGoFlagSet(flag.CommandLine)
	if err := command.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
