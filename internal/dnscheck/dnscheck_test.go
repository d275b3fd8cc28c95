//go:build !prelaunch && !t0 && !day1 && !week1

package dnscheck_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/fixtures/fakes/dnsfake"
	"github.com/hustlexp/launchcheck/internal/dnscheck"
)

func TestLookupAgainstFake(t *testing.T) {
	f, err := dnsfake.New(2, map[string][]net.IP{"api.example.test": {net.ParseIP("127.0.0.1"), net.ParseIP("::1")}})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ctx := context.Background()
	a := dnscheck.Lookup(ctx, f.Addrs()[0], "api.example.test", time.Second)
	if a.Err != nil || strings.Join(a.IPStrings(), ",") != "127.0.0.1,::1" {
		t.Fatalf("answer = %+v", a)
	}
	f.Resolvers[1].NXDomain(true)
	if a := dnscheck.Lookup(ctx, f.Addrs()[1], "api.example.test", time.Second); a.Err == nil || a.Rcode != "NXDOMAIN" {
		t.Fatalf("NXDOMAIN: %+v", a)
	}
	f.Resolvers[1].Silence(true)
	if a := dnscheck.Lookup(ctx, f.Addrs()[1], "api.example.test", 300*time.Millisecond); a.Err == nil || !strings.Contains(a.Err.Error(), f.Addrs()[1]) {
		t.Fatalf("silent resolver: %+v", a)
	}
}
