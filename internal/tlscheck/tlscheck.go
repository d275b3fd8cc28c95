// Package tlscheck inspects the API host's TLS: it performs the handshake
// itself (so it can report what the server presented even when verification
// fails), verifies the chain against the system roots plus an optional extra
// CA bundle, and builds an HTTPS client that reaches the host through an
// optional dial-address override (the rehearsal's local front).
package tlscheck

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

// Target says where the API host is and what to trust.
type Target struct {
	Host     string // host name the certificate must be valid for
	DialAddr string // host:port to connect to; empty means Host:443
	CAFile   string // extra PEM roots (optional)
	Timeout  time.Duration
}

// Roots returns the system roots plus the extra CA bundle.
func (t Target) Roots() (*x509.CertPool, error) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("extra CA bundle: %v", err)
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("extra CA bundle %s holds no PEM certificate", t.CAFile)
		}
	}
	return pool, nil
}

func (t Target) addr() string {
	if t.DialAddr != "" {
		return t.DialAddr
	}
	return net.JoinHostPort(t.Host, "443")
}

func (t Target) timeout() time.Duration {
	if t.Timeout <= 0 {
		return 10 * time.Second
	}
	return t.Timeout
}

// Result is what the handshake showed.
type Result struct {
	Version    uint16
	Chain      []*x509.Certificate // as presented by the server
	VerifyErr  error               // chain/hostname verification against the roots
	NotAfter   time.Time
	DaysLeft   int
	Subject    string
	Issuer     string
	DNSNames   []string
	CipherName string
}

// VersionName renders a TLS version.
func VersionName(v uint16) string { return tls.VersionName(v) }

// Handshake connects with TLS ≥ minVersion, records what the server presented
// and verifies the chain for t.Host. A network error is returned as error;
// verification problems land in Result.VerifyErr.
func Handshake(ctx context.Context, t Target, minVersion, maxVersion uint16) (*Result, error) {
	roots, err := t.Roots()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, t.timeout())
	defer cancel()
	d := &tls.Dialer{Config: &tls.Config{
		ServerName:         t.Host,
		InsecureSkipVerify: true, // verified below, so the result can describe a bad chain
		MinVersion:         minVersion,
		MaxVersion:         maxVersion,
	}}
	conn, err := d.DialContext(ctx, "tcp", t.addr())
	if err != nil {
		return nil, fmt.Errorf("TLS handshake with %s (%s): %v", t.Host, t.addr(), err)
	}
	defer conn.Close()
	st := conn.(*tls.Conn).ConnectionState()
	r := &Result{Version: st.Version, Chain: st.PeerCertificates, CipherName: tls.CipherSuiteName(st.CipherSuite)}
	if len(st.PeerCertificates) == 0 {
		r.VerifyErr = errors.New("server presented no certificate")
		return r, nil
	}
	leaf := st.PeerCertificates[0]
	r.NotAfter, r.Subject, r.Issuer, r.DNSNames = leaf.NotAfter, leaf.Subject.CommonName, leaf.Issuer.CommonName, leaf.DNSNames
	r.DaysLeft = int(time.Until(leaf.NotAfter).Hours() / 24)
	inter := x509.NewCertPool()
	for _, c := range st.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	_, r.VerifyErr = leaf.Verify(x509.VerifyOptions{DNSName: t.Host, Roots: roots, Intermediates: inter})
	return r, nil
}

// HTTPClient returns a verifying HTTPS client that reaches t.Host through
// t.DialAddr when set.
func (t Target) HTTPClient() (*http.Client, error) {
	roots, err := t.Roots()
	if err != nil {
		return nil, err
	}
	dialer := &net.Dialer{Timeout: t.timeout()}
	tr := &http.Transport{
		TLSClientConfig:     &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout: t.timeout(),
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if t.DialAddr != "" {
				addr = t.DialAddr
			}
			return dialer.DialContext(ctx, network, addr)
		},
		DisableKeepAlives: true,
	}
	return &http.Client{Transport: tr, Timeout: t.timeout(),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}, nil
}

// HSTSMaxAge parses max-age from a Strict-Transport-Security value.
func HSTSMaxAge(v string) (int64, bool) {
	for _, part := range strings.Split(v, ";") {
		part = strings.TrimSpace(part)
		if k, val, ok := strings.Cut(part, "="); ok && strings.EqualFold(strings.TrimSpace(k), "max-age") {
			var n int64
			if _, err := fmt.Sscanf(strings.Trim(strings.TrimSpace(val), `"`), "%d", &n); err == nil {
				return n, true
			}
		}
	}
	return 0, false
}
