//go:build !prelaunch && !t0 && !day1 && !week1

package alertmanager

import (
	"reflect"
	"strings"
	"testing"
	"time"
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

func TestDeliveriesForCollectsTimeIntervalsOnThePath(t *testing.T) {
	cfg, err := ParseConfig(`
route:
  receiver: default
  routes:
  - receiver: pd
    matchers: ['severity="critical"']
    mute_time_intervals: [maintenance]
    routes:
    - receiver: pd-payments
      match: {team: payments}
      active_time_intervals: [weekdays]
  - receiver: slack
    matchers: ['severity="warning"']
receivers: [{name: default}, {name: pd}, {name: pd-payments}, {name: slack}]
`)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		labels map[string]string
		want   []Delivery
	}{
		{map[string]string{"severity": "critical"}, []Delivery{{Receiver: "pd", MuteTimeIntervals: []string{"maintenance"}}}},
		{map[string]string{"severity": "critical", "team": "payments"}, []Delivery{{Receiver: "pd-payments", MuteTimeIntervals: []string{"maintenance"}, ActiveTimeIntervals: []string{"weekdays"}}}},
		{map[string]string{"severity": "warning"}, []Delivery{{Receiver: "slack"}}},
	} {
		got := cfg.DeliveriesFor(tc.labels)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("DeliveriesFor(%v) = %+v, want %+v", tc.labels, got, tc.want)
		}
		for _, d := range got {
			if d.TimeLimited() != (d.Intervals() != "") {
				t.Errorf("%+v: TimeLimited %v, Intervals %q", d, d.TimeLimited(), d.Intervals())
			}
		}
	}
}

func TestSilenceMatchesAndActive(t *testing.T) {
	now := time.Now()
	no := false
	s := Silence{Matchers: []Matcher{{Name: "severity", Value: "critical|page", IsRegex: true}, {Name: "env", Value: "staging", IsEqual: &no}},
		StartsAt: now.Add(-time.Hour), EndsAt: now.Add(time.Hour)}
	s.Status.State = "active"
	for ls, want := range map[[2]string]bool{{"critical", "production"}: true, {"page", ""}: true, {"critical", "staging"}: false, {"criticality", "production"}: false} {
		if got := s.Matches(map[string]string{"severity": ls[0], "env": ls[1]}); got != want {
			t.Errorf("%s matches %v = %v, want %v", s, ls, got, want)
		}
	}
	if !s.Active(now) || s.Active(now.Add(2*time.Hour)) {
		t.Errorf("Active: now %v, in 2h %v", s.Active(now), s.Active(now.Add(2*time.Hour)))
	}
	s.Status.State = "expired"
	if s.Active(now) || (Silence{}).Matches(map[string]string{}) {
		t.Error("an expired silence, or one without matchers, mutes")
	}
	if got := s.String(); !strings.Contains(got, `severity=~"critical|page", env!="staging"`) {
		t.Errorf("String() = %q", got)
	}
}
