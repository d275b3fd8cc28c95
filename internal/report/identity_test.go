//go:build !prelaunch && !t0 && !day1 && !week1

package report

import (
	"strings"
	"testing"
)

// The report header shows the identity the target reported (INF-1/SEC-1's
// target_identity evidence), so a production report of a development build
// says so at the top.
func TestHeaderShowsIdentitySeen(t *testing.T) {
	r := &Report{Target: "production", Verdict: NOGO, Identity: "target=production build.environment=development stripe_key=test"}
	md := Markdown(r, MarkdownOptions{})
	if !strings.Contains(md, "| Identity seen | target=production build.environment=development stripe_key=test |") {
		t.Fatalf("header lacks the identity seen:\n%s", md[:min(len(md), 800)])
	}
}
