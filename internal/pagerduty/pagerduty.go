// Package pagerduty builds the official go-pagerduty client pointed at the
// configured REST and Events API base URLs, with a bounded HTTP client.
package pagerduty

import (
	"net/http"
	"strings"
	"time"

	pd "github.com/PagerDuty/go-pagerduty"
)

// New returns a go-pagerduty client for token against apiURL and eventsURL.
func New(token, apiURL, eventsURL string, timeout time.Duration) *pd.Client {
	c := pd.NewClient(token, pd.WithAPIEndpoint(strings.TrimRight(apiURL, "/")), pd.WithV2EventsAPIEndpoint(strings.TrimRight(eventsURL, "/")))
	c.HTTPClient = &http.Client{Timeout: timeout}
	return c
}

// Usable reports whether a service status can page someone: PagerDuty
// reports active, warning or critical (open incidents) for a working
// service, maintenance or disabled otherwise.
func Usable(status string) bool {
	switch status {
	case "active", "warning", "critical":
		return true
	}
	return false
}
