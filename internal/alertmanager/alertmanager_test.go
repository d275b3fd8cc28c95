//go:build !prelaunch && !t0 && !day1 && !week1

package alertmanager

import (
	"reflect"
	"testing"
)

func TestReceiversFor(t *testing.T) {
	cfg, err := ParseConfig(`
route:
  receiver: default
  routes:
  - receiver: pd
    matchers: ['severity="critical"']
    continue: true
  - receiver: slack
    match_re: {severity: "warning|info|critical"}
    routes:
    - receiver: payments-slack
      match: {team: payments}
  - receiver: never
    matchers: [severity=~".*"]
receivers: [{name: default}, {name: pd}, {name: slack}, {name: payments-slack}, {name: never}]
`)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		labels map[string]string
		want   []string
	}{
		{map[string]string{"severity": "critical"}, []string{"pd", "slack"}},
		{map[string]string{"severity": "warning", "team": "payments"}, []string{"payments-slack"}},
		{map[string]string{"severity": "info"}, []string{"slack"}},
		{map[string]string{"severity": "debug"}, []string{"never"}},
		{map[string]string{}, []string{"never"}},
	} {
		if got := cfg.ReceiversFor(tc.labels); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ReceiversFor(%v) = %v, want %v", tc.labels, got, tc.want)
		}
	}
}

func TestParseConfigErrors(t *testing.T) {
	for _, bad := range []string{"route: [", "receivers: []", "route:\n  matchers: ['sev~~x']\n"} {
		if _, err := ParseConfig(bad); err == nil {
			t.Errorf("ParseConfig(%q) accepted", bad)
		}
	}
}
