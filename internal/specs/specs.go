// Package specs locates the providers' published API descriptions and the
// captures of the real HustleXP backend that tests and the rehearsal's fakes
// are held to. They live in the sibling directory ../shared of the project
// root (never copied into the project); a user's clone may not have it, so
// every caller handles "absent" (tests skip saying so).
package specs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// ErrAbsent is returned when ../shared (or a file in it) does not exist.
var ErrAbsent = errors.New("../shared is absent")

var (
	rootOnce sync.Once
	rootDir  string
)

// projectRoot is the nearest directory upwards from the working directory
// that holds go.mod (the project root), or "" when there is none.
func projectRoot() string {
	rootOnce.Do(func() {
		dir, err := os.Getwd()
		if err != nil {
			return
		}
		for {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				rootDir = dir
				return
			}
			up := filepath.Dir(dir)
			if up == dir {
				return
			}
			dir = up
		}
	})
	return rootDir
}

// Shared returns the path of rel inside ../shared (relative to the project
// root), or an error wrapping ErrAbsent naming the path when it does not exist.
func Shared(rel string) (string, error) {
	root := projectRoot()
	if root == "" {
		return "", fmt.Errorf("%w: no go.mod above the working directory, so ../shared/%s cannot be located", ErrAbsent, rel)
	}
	p := filepath.Join(root, "..", "shared", filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("%w: %s not found (a clone without the shared specs and captures)", ErrAbsent, p)
	}
	return p, nil
}

// Paths of the published descriptions inside ../shared.
const (
	RailwaySchema       = "specs/railway/schema.json"
	NeonOpenAPI         = "specs/neon/v2.json"
	AlertmanagerOpenAPI = "specs/alertmanager/openapi.yaml"
	Captures            = "captures/hustlexp"
	CapturedAlertRules  = "captures/hustlexp/repo-files/ops/alerts/critical.yml"
	CapturedDashboard   = "captures/hustlexp/repo-files/ops/grafana/dashboard.json"
	CapturedMetricNames = "captures/hustlexp/08b-metrics-names-and-labels.json"
)

// Read reads rel inside ../shared.
func Read(rel string) ([]byte, error) {
	p, err := Shared(rel)
	if err != nil {
		return nil, err
	}
	return os.ReadFile(p)
}
