//go:build !prelaunch && !t0 && !day1 && !week1

package rows_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The post-launch phase runs without the pre-launch package: what both use
// (the Database checks WK-4 runs on the restored branch) lives under
// internal/ (internal/dbcheck), never in launch.
func TestPostlaunchDoesNotDependOnLaunch(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go is not on PATH: cannot list postlaunch's dependencies")
	}
	const module = "github.com/hustlexp/launchcheck"
	for _, tags := range []string{"", "week1", "day1"} {
		args := []string{"list", "-deps"}
		if tags != "" {
			args = append(args, "-tags", tags)
		}
		cmd := exec.Command(gobin, append(args, module+"/postlaunch")...)
		out, err := cmd.Output()
		if err != nil {
			var stderr string
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = string(ee.Stderr)
			}
			t.Fatalf("go %s: %v\n%s", strings.Join(cmd.Args[1:], " "), err, stderr)
		}
		for _, p := range strings.Fields(string(out)) {
			if p == module+"/launch" {
				t.Errorf("go %s lists %s: postlaunch must not import launch; move what both phases use under internal/ (as internal/dbcheck)", strings.Join(cmd.Args[1:], " "), p)
			}
		}
	}
}
