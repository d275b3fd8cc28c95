package checktest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// StripeMock returns the base URL of a stripe-mock (Stripe's OpenAPI-driven
// mock, used to validate request and response shapes): configured, when the
// caller passes STRIPE_MOCK_URL's value, else a private instance started for
// this test and killed at cleanup. Skips, saying how to install it, when
// stripe-mock is neither configured nor installed.
func StripeMock(t testing.TB, configured string) string {
	t.Helper()
	if configured != "" {
		return configured
	}
	bin, err := exec.LookPath("stripe-mock")
	if err != nil {
		home, _ := os.UserHomeDir()
		bin = filepath.Join(home, "go", "bin", "stripe-mock")
		if _, err := os.Stat(bin); err != nil {
			t.Skip("stripe-mock not installed (go install github.com/stripe/stripe-mock@v0.203.0) and STRIPE_MOCK_URL not set")
		}
	}
	free := func() int {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		return l.Addr().(*net.TCPAddr).Port
	}
	hp, sp := free(), free()
	cmd := exec.Command(bin, "-http-addr", fmt.Sprintf("127.0.0.1:%d", hp), "-https-addr", fmt.Sprintf("127.0.0.1:%d", sp))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL} // never outlive the test binary
	if err := cmd.Start(); err != nil {
		t.Fatalf("start stripe-mock: %v", err)
	}
	t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); cmd.Wait() })
	addr := fmt.Sprintf("127.0.0.1:%d", hp)
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			return "http://" + addr
		}
	}
	t.Fatal("stripe-mock did not listen within 30s")
	return ""
}
