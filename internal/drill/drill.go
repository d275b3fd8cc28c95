// Package drill keeps dated drill results: routing and readiness prove a path
// exists, only a drill proves it delivers. A passing drill is recorded (one
// JSON line in HUSTLEXP_DRILL_RECORD); a later run without a drill accepts a
// recorded result no older than HUSTLEXP_DRILL_MAX_AGE and shows its date.
package drill

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/hustlexp/launchcheck/internal/config"
)

// Result is one recorded drill.
type Result struct {
	Row    string    `json:"row"`    // MON-3, MON-4, RB-2, RB-4
	At     time.Time `json:"at"`     // when the drill passed (UTC)
	Target string    `json:"target"` // staging, production, rehearsal
	Run    string    `json:"run"`    // launchcheck-<runid>
	Result string    `json:"result"` // one line: "incident after 2.1s", "switch-over 12s", …
}

func (r Result) String() string {
	return fmt.Sprintf("drill %s on %s (%s): %s", r.At.UTC().Format("2006-01-02 15:04 UTC"), r.Target, r.Run, r.Result)
}

// Record appends a passing drill to HUSTLEXP_DRILL_RECORD; without the
// variable it records nothing and says so.
func Record(cfg *config.Config, r Result) (string, error) {
	path := cfg.Get(config.DrillRecord)
	if path == "" {
		return fmt.Sprintf("not recorded (%s not set): later runs cannot carry this drill forward", config.DrillRecord), nil
	}
	if err := Append(path, r); err != nil {
		return "", fmt.Errorf("%s: %w", config.DrillRecord, err)
	}
	return "recorded in " + config.DrillRecord, nil
}

// Append writes one drill result to the record file at path.
func Append(path string, r Result) error {
	r.At = r.At.UTC()
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Latest returns the newest recorded drill of row no older than
// HUSTLEXP_DRILL_MAX_AGE at now; why says what was (not) found.
func Latest(cfg *config.Config, row string, now time.Time) (r Result, ok bool, why string, err error) {
	path := cfg.Get(config.DrillRecord)
	maxAge := cfg.Duration(config.DrillMaxAge)
	if path == "" {
		return r, false, fmt.Sprintf("no drill in this run and %s is not set (no earlier drill can be carried forward)", config.DrillRecord), nil
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return r, false, fmt.Sprintf("no drill in this run and %s has no drill recorded yet", config.DrillRecord), nil
	}
	if err != nil {
		return r, false, "", fmt.Errorf("%s: %w", config.DrillRecord, err)
	}
	defer f.Close()
	var newest Result
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var d Result
		if err := json.Unmarshal([]byte(line), &d); err != nil || d.At.IsZero() {
			return r, false, "", fmt.Errorf("%s line %d: not a drill result (%v)", config.DrillRecord, n, err)
		}
		if d.Row == row && !d.At.After(now.Add(time.Minute)) && d.At.After(newest.At) {
			newest = d
		}
	}
	if err := sc.Err(); err != nil {
		return r, false, "", fmt.Errorf("%s: %w", config.DrillRecord, err)
	}
	switch {
	case newest.At.IsZero():
		return r, false, fmt.Sprintf("no drill in this run and none of %s recorded in %s", row, config.DrillRecord), nil
	case now.Sub(newest.At) > maxAge:
		return newest, false, fmt.Sprintf("no drill in this run and the last recorded one (%s) is older than %s (%s)",
			newest.At.UTC().Format("2006-01-02"), maxAge, config.DrillMaxAge), nil
	}
	return newest, true, newest.String(), nil
}
