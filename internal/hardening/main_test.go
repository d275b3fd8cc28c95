//go:build !prelaunch && !t0 && !day1 && !week1

package hardening

import (
	"os"
	"testing"
)

// TestMain removes the launchcheck binary buildCLI built for this run (87 MB
// in the temporary directory otherwise left behind by every make test).
func TestMain(m *testing.M) {
	code := m.Run()
	if cliDir != "" {
		os.RemoveAll(cliDir)
	}
	os.Exit(code)
}
