// The pod sandbox ("pause") process of the real node: no registry is reachable for
// registry.k8s.io/pause, so build.sh builds this and real-node.ts packs it as the local image
// containerd's CRI uses for every pod sandbox. Like upstream's pause.c: sleep until SIGINT or
// SIGTERM, and reap any child re-parented to it as PID 1 of the pod.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	children := make(chan os.Signal, 1)
	signal.Notify(children, syscall.SIGCHLD)
	for {
		select {
		case <-stop:
			return
		case <-children:
			for {
				pid, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil)
				if pid <= 0 || err != nil {
					break
				}
			}
		}
	}
}
