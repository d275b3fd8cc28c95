// Package cloudflare wraps cloudflare-go (the official SDK) for the checks:
// find the zone, the API host's DNS record, zone settings and the edge IP
// ranges, each call bounded by a deadline. The SDK is pointed at
// CLOUDFLARE_API_URL so the rehearsal can aim it at its fake.
package cloudflare

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	cf "github.com/cloudflare/cloudflare-go"
)

// Record is a DNS record as cloudflare-go returns it.
type Record = cf.DNSRecord

// Client is a cloudflare-go API with a per-call timeout.
type Client struct {
	API     *cf.API
	Timeout time.Duration
}

// New builds a client with an API token against baseURL (…/client/v4).
// The SDK refuses only an empty token (its options never fail), and every
// caller has checked CLOUDFLARE_API_TOKEN is set (check.Need) first: an
// empty token here is a bug in the suite, so it panics rather than handing
// the checks an error no state of the target can cause.
func New(baseURL, token string, timeout time.Duration) *Client {
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	api, err := cf.NewWithAPIToken(token, cf.BaseURL(strings.TrimRight(baseURL, "/")),
		cf.HTTPClient(&http.Client{Timeout: timeout}), cf.UsingRetryPolicy(1, 1, 2))
	if err != nil {
		panic(fmt.Sprintf("cloudflare.New: %v (callers check the token is set)", err))
	}
	return &Client{API: api, Timeout: timeout}
}

func (c *Client) ctx(parent context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(parent, c.Timeout)
}

// ZoneID returns the id of the zone named name.
func (c *Client) ZoneID(ctx context.Context, name string) (string, error) {
	ctx, cancel := c.ctx(ctx)
	defer cancel()
	res, err := c.API.ListZonesContext(ctx, cf.WithZoneFilters(name, "", ""))
	if err != nil {
		return "", fmt.Errorf("cloudflare: list zones name=%s: %v", name, err)
	}
	for _, z := range res.Result {
		if strings.EqualFold(z.Name, name) {
			if z.Status != "" && z.Status != "active" {
				return z.ID, fmt.Errorf("cloudflare zone %s status %q, want active", name, z.Status)
			}
			return z.ID, nil
		}
	}
	return "", fmt.Errorf("cloudflare: zone %s not found for this token (check CLOUDFLARE_ZONE and the token's zone access)", name)
}

// Records returns the DNS records named host in the zone.
func (c *Client) Records(ctx context.Context, zoneID, host string) ([]cf.DNSRecord, error) {
	ctx, cancel := c.ctx(ctx)
	defer cancel()
	rs, _, err := c.API.ListDNSRecords(ctx, cf.ZoneIdentifier(zoneID), cf.ListDNSRecordsParams{Name: host})
	if err != nil {
		return nil, fmt.Errorf("cloudflare: list DNS records name=%s: %v", host, err)
	}
	return rs, nil
}

// Setting returns the value of a zone setting (e.g. "ssl") as a string.
func (c *Client) Setting(ctx context.Context, zoneID, name string) (string, error) {
	ctx, cancel := c.ctx(ctx)
	defer cancel()
	s, err := c.API.GetZoneSetting(ctx, cf.ZoneIdentifier(zoneID), cf.GetZoneSettingParams{Name: name})
	if err != nil {
		return "", fmt.Errorf("cloudflare: zone setting %s: %v", name, err)
	}
	return fmt.Sprint(s.Value), nil
}

// EdgeRanges returns Cloudflare's published edge IP ranges (GET /ips).
func (c *Client) EdgeRanges(ctx context.Context) ([]*net.IPNet, error) {
	ctx, cancel := c.ctx(ctx)
	defer cancel()
	raw, err := c.API.Raw(ctx, http.MethodGet, "/ips", nil, nil)
	if err != nil {
		return nil, fmt.Errorf("cloudflare: GET /ips: %v", err)
	}
	var r struct {
		IPv4 []string `json:"ipv4_cidrs"`
		IPv6 []string `json:"ipv6_cidrs"`
	}
	if err := json.Unmarshal(raw.Result, &r); err != nil {
		return nil, fmt.Errorf("cloudflare: GET /ips: unexpected result: %v", err)
	}
	var out []*net.IPNet
	for _, s := range append(r.IPv4, r.IPv6...) {
		_, n, err := net.ParseCIDR(s)
		if err != nil {
			return nil, fmt.Errorf("cloudflare: GET /ips: bad CIDR %q", s)
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("cloudflare: GET /ips returned no ranges")
	}
	return out, nil
}

// InRanges reports whether ip is inside one of ranges.
func InRanges(ip net.IP, ranges []*net.IPNet) bool {
	for _, n := range ranges {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}
