package launch_test

import (
	"testing"

	"github.com/hustlexp/launchcheck/internal/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }
