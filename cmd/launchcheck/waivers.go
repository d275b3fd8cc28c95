package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/hustlexp/launchcheck/internal/check"
)

// cmdWaivers validates a waiver file: format, known rows, owner, reason and
// expiry. Every problem names its line.
func cmdWaivers(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprintln(stderr, "usage: launchcheck waivers FILE")
		return 2
	}
	code, out := validateWaivers(args[0], time.Now())
	if code == 0 {
		io.WriteString(stdout, out)
	} else {
		io.WriteString(stderr, out)
	}
	return code
}

func validateWaivers(path string, now time.Time) (int, string) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 2, fmt.Sprintf("launchcheck waivers: %v\n", err)
	}
	ws, err := check.ParseWaivers(data)
	if err != nil {
		return 1, fmt.Sprintf("launchcheck waivers: %s: %v\n", path, err)
	}
	if err := ws.Validate(now); err != nil {
		return 1, fmt.Sprintf("launchcheck waivers: %s: %v\n", path, err)
	}
	s := fmt.Sprintf("%s: %d waiver(s), all valid\n", path, len(ws))
	for _, w := range ws {
		days := int(w.Expiry.Sub(now.UTC().Truncate(24*time.Hour)).Hours() / 24)
		s += fmt.Sprintf("  line %d: %-6s expires %s (in %d days), owner %s: %s\n", w.Line, w.Row, w.Expiry.Format("2006-01-02"), days, w.Owner, w.Reason)
	}
	return 0, s
}
