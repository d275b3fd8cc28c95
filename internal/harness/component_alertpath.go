package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/hustlexp/launchcheck/fixtures/fakes/alertmanagerfake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/pagerdutyfake"
	"github.com/hustlexp/launchcheck/fixtures/fakes/promfake"
	"github.com/hustlexp/launchcheck/internal/alertmanager"
	"github.com/hustlexp/launchcheck/internal/world"
)

func init() {
	// The alert path end to end: Alertmanager's routes deliver to the
	// PagerDuty fake (Events API v2) and the Slack fake (chat.postMessage).
	Register(world.Component{Name: "alert-path", Order: 30, Start: func(ctx context.Context, w *world.World) error {
		am := partsOf(w).Alertmanager
		ok1 := am != nil
		pd := partsOf(w).PagerDuty
		ok2 := pd != nil
		sl := partsOf(w).Slack
		ok3 := sl != nil
		if ok1 && ok2 && ok3 {
			am.SetDispatcher(AlertDispatcher(pd.URL, pagerdutyfake.RoutingKey, sl.URL, RehearsalSlackToken))
		}
		return nil
	}})
}

// AlertDispatcher sends Alertmanager notifications the way its integrations
// do: pagerduty_configs → Events API v2 trigger/resolve with the routing
// key (dedup key from the alert's labels), slack_configs →
// chat.postMessage to the configured channel.
func AlertDispatcher(pdEventsURL, routingKey, slackAPIURL, slackToken string) alertmanagerfake.Dispatcher {
	hc := &http.Client{Timeout: 5 * time.Second}
	return func(receiver string, rc alertmanager.Receiver, a alertmanagerfake.Alert, firing bool) {
		state := "FIRING"
		if !firing {
			state = "RESOLVED"
		}
		keys := make([]string, 0, len(a.Labels))
		for k := range a.Labels {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var ls []string
		for _, k := range keys {
			ls = append(ls, k+"="+a.Labels[k])
		}
		summary := fmt.Sprintf("[%s:1] %s (%s)", state, a.Labels["alertname"], strings.Join(ls, " "))
		if len(rc.PagerdutyConfigs) > 0 {
			action := "trigger"
			if !firing {
				action = "resolve"
			}
			body, _ := json.Marshal(map[string]any{"routing_key": routingKey, "event_action": action, "dedup_key": "am-" + strings.Join(ls, ","),
				"payload": map[string]any{"summary": summary, "source": "alertmanager", "severity": "critical"}})
			if resp, err := hc.Post(strings.TrimRight(pdEventsURL, "/")+"/v2/enqueue", "application/json", bytes.NewReader(body)); err == nil {
				resp.Body.Close()
			}
		}
		for _, s := range rc.SlackConfigs {
			form := url.Values{"channel": {s.Channel}, "text": {summary}}
			req, err := http.NewRequest(http.MethodPost, strings.TrimRight(slackAPIURL, "/")+"/chat.postMessage", strings.NewReader(form.Encode()))
			if err != nil {
				continue
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Authorization", "Bearer "+slackToken)
			if resp, err := hc.Do(req); err == nil {
				resp.Body.Close()
			}
		}
	}
}

// NotifyAlertmanager turns the Prometheus fake's notifications into
// Alertmanager alerts (what Prometheus' notifier does).
func NotifyAlertmanager(am *alertmanagerfake.Fake) func(alerts []promfake.Alert) {
	return func(alerts []promfake.Alert) {
		out := make([]alertmanagerfake.Alert, len(alerts))
		for i, a := range alerts {
			out[i] = alertmanagerfake.Alert{Labels: a.Labels, Annotations: a.Annotations, StartsAt: a.StartsAt, EndsAt: a.EndsAt}
		}
		am.Post(out)
	}
}
