package functional

import (
	"testing"

	"github.com/hustlexp/launchcheck/internal/harness"
)

func TestMain(m *testing.M) {
	harness.UsesFirebaseAuth() // FUN-1..7 sign test users up
	harness.Main(m)
}
