package launch

import (
	"testing"

	"github.com/hustlexp/launchcheck/internal/harness"
)

func TestMain(m *testing.M) { harness.Main(m) }
