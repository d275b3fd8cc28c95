package report

import (
	"os"
	"path/filepath"
)

// TestRef is the tagged test declared for a checklist row (from the row
// tables, internal/rows): the report uses it to tell "not implemented" (no
// row declared) from "did not run" (declared, but no result in this stream).
type TestRef struct {
	Row     string `json:"row"`
	Test    string `json:"test"`
	Package string `json:"package"` // the phase package directory: launch, smoke, functional, postlaunch
	Check   string `json:"check"`   // the check function, e.g. launch.MigrationsApplied
}

// FindRoot walks up from dir to the directory holding go.mod.
func FindRoot(dir string) string {
	d, err := filepath.Abs(dir)
	if err != nil {
		return dir
	}
	for {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return dir
		}
		d = parent
	}
}
