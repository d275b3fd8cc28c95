package checktest

import (
	"io"
	"net"
	"sync"
	"testing"
)

// BlackHole returns a loopback address that accepts TCP connections, reads
// everything and never answers: the target that proves a check has a deadline.
func BlackHole(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			if len(conns) > 512 {
				// Keep file descriptors bounded when a check (a load or
				// rate-limit probe) opens many connections.
				conns[0].Close()
				conns = conns[1:]
			}
			mu.Unlock()
			go io.Copy(io.Discard, c) // read everything, say nothing
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	return ln.Addr().String()
}

// ClosedPort returns a loopback address nothing listens on.
func ClosedPort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
