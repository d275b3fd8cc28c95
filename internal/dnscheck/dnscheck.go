// Package dnscheck queries one host against several resolvers with
// miekg/dns, so a check can see what each resolver answers (not what the
// local stub resolver caches).
package dnscheck

import (
	"context"
	"fmt"
	"net"
	"sort"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// Answer is what one resolver said.
type Answer struct {
	Resolver string
	IPs      []net.IP // A and AAAA, sorted
	CNAMEs   []string // CNAME targets seen in the answer section
	Rcode    string
	Err      error
	RTT      time.Duration
}

// IPStrings returns the IPs as sorted strings.
func (a Answer) IPStrings() []string {
	out := make([]string, len(a.IPs))
	for i, ip := range a.IPs {
		out[i] = ip.String()
	}
	sort.Strings(out)
	return out
}

// Lookup asks resolver (host:port) for host's A and AAAA records.
func Lookup(ctx context.Context, resolver, host string, timeout time.Duration) Answer {
	a := Answer{Resolver: resolver}
	c := &dns.Client{Net: "udp", Timeout: timeout}
	start := time.Now()
	for _, qt := range []uint16{dns.TypeA, dns.TypeAAAA} {
		m := new(dns.Msg)
		m.SetQuestion(dns.Fqdn(host), qt)
		m.RecursionDesired = true
		resp, _, err := c.ExchangeContext(ctx, m, resolver)
		if err != nil {
			a.Err = fmt.Errorf("resolver %s: %s %s: %v", resolver, dns.TypeToString[qt], host, err)
			return a
		}
		if resp.Rcode != dns.RcodeSuccess {
			a.Rcode = dns.RcodeToString[resp.Rcode]
			a.Err = fmt.Errorf("resolver %s: %s %s: %s", resolver, dns.TypeToString[qt], host, a.Rcode)
			return a
		}
		for _, rr := range resp.Answer {
			switch v := rr.(type) {
			case *dns.A:
				a.IPs = append(a.IPs, v.A)
			case *dns.AAAA:
				a.IPs = append(a.IPs, v.AAAA)
			case *dns.CNAME:
				a.CNAMEs = append(a.CNAMEs, strings.TrimSuffix(strings.ToLower(v.Target), "."))
			}
		}
	}
	a.RTT = time.Since(start)
	a.Rcode = "NOERROR"
	sort.Slice(a.IPs, func(i, j int) bool { return a.IPs[i].String() < a.IPs[j].String() })
	if len(a.IPs) == 0 {
		a.Err = fmt.Errorf("resolver %s: no A/AAAA records for %s", resolver, host)
	}
	return a
}
