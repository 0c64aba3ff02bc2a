// A CoreDNS with only the plugins the real node's cluster DNS uses (see ../../../real-node.ts):
// bind to the pod bridge's gateway address, answer cluster.local from the API (kubernetes), cache,
// and health/ready endpoints. No forward plugin: pods get no DNS for outside names.
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/ready"
)

func init() {
	// Same relative order as CoreDNS's plugin.cfg, which decides the order plugins run in.
	dnsserver.Directives = []string{"bind", "ready", "health", "errors", "cache", "kubernetes"}
}

func main() { coremain.Run() }
