// Package drill keeps dated drill results: routing and readiness prove a path
// exists, only a drill proves it delivers. A passing drill is recorded (one
// JSON line in HUSTLEXP_DRILL_RECORD); a later run without a drill accepts a
// recorded result no older than HUSTLEXP_DRILL_MAX_AGE and shows its date.
// A live run (staging, production) accepts only drills run against staging or
// production, and RB-2 only a restore of its own Neon project; the records it
// refuses are shown with the reason.
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
	// Project is the Neon project a restore drill (RB-2) restored from.
	Project string `json:"project,omitempty"`
}

func (r Result) String() string {
	return fmt.Sprintf("drill %s on %s (%s): %s", r.At.UTC().Format("2006-01-02 15:04 UTC"), r.Target, r.Run, r.Result)
}

// Record appends a passing drill to HUSTLEXP_DRILL_RECORD; without the
// variable it records nothing and says so.
func Record(cfg *config.Config, r Result) (string, error) {
	path := cfg.Get(config.DrillRecord)
	if r.Row == "RB-2" && r.Project == "" {
		r.Project = cfg.Get(config.NeonProjectID)
	}
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

// Latest returns the newest acceptable recorded drill of row no older than
// HUSTLEXP_DRILL_MAX_AGE at now; why says what was (not) found.
func Latest(cfg *config.Config, row string, now time.Time) (r Result, ok bool, why string, err error) {
	f, err := Find(cfg, row, now)
	return f.Result, f.OK, f.Why, err
}

// Found is what Find made of the drill record for one row.
type Found struct {
	Result   Result   // the newest acceptable drill (zero: none)
	OK       bool     // Result is recent enough to prove the row
	Why      string   // what was (not) found, for the row's message
	Rejected []string // drills of the row refused, newest first, each with its reason
}

// Find reads HUSTLEXP_DRILL_RECORD for the newest acceptable drill of row
// at now, and lists the drills of row it refused (see Acceptable).
func Find(cfg *config.Config, row string, now time.Time) (Found, error) {
	var out Found
	path := cfg.Get(config.DrillRecord)
	if path == "" {
		out.Why = fmt.Sprintf("no drill in this run and %s is not set (no earlier drill can be carried forward)", config.DrillRecord)
		return out, nil
	}
	ds, err := read(path)
	if errors.Is(err, fs.ErrNotExist) {
		out.Why = fmt.Sprintf("no drill in this run and %s has no drill recorded yet", config.DrillRecord)
		return out, nil
	}
	if err != nil {
		return out, err
	}
	var newest Result
	for i := len(ds) - 1; i >= 0; i-- {
		d := ds[i]
		if d.Row != row || d.At.After(now.Add(time.Minute)) {
			continue
		}
		if bad := Acceptable(cfg, d); bad != "" {
			out.Rejected = append(out.Rejected, fmt.Sprintf("%s rejected: %s", d, bad))
			continue
		}
		if d.At.After(newest.At) {
			newest = d
		}
	}
	maxAge := cfg.Duration(config.DrillMaxAge)
	switch {
	case newest.At.IsZero():
		out.Why = fmt.Sprintf("no drill in this run and none of %s recorded in %s", row, config.DrillRecord)
		if len(out.Rejected) > 0 {
			out.Why = fmt.Sprintf("no drill in this run and no acceptable drill of %s in %s (%s)", row, config.DrillRecord, strings.Join(first(out.Rejected, 3), "; "))
		}
		return out, nil
	case now.Sub(newest.At) > maxAge:
		out.Result = newest
		out.Why = fmt.Sprintf("no drill in this run and the last recorded one (%s) is older than %s (%s)",
			newest.At.UTC().Format("2006-01-02"), maxAge, config.DrillMaxAge)
		return out, nil
	}
	out.Result, out.OK, out.Why = newest, true, newest.String()
	return out, nil
}

// Acceptable returns why a recorded drill cannot prove its row in this run
// ("" when it can): a live run takes only drills against staging or
// production (a rehearsal drill exercised fakes), and an RB-2 restore drill
// that names its Neon project must have restored this run's project.
func Acceptable(cfg *config.Config, d Result) string {
	if cfg.Live() && d.Target != string(config.Staging) && d.Target != string(config.Production) {
		return fmt.Sprintf("target %q is not staging or production, and a %s run accepts only a drill against a real deployment", d.Target, cfg.Target)
	}
	if d.Row == "RB-2" && d.Project != "" {
		if want := cfg.Get(config.NeonProjectID); want != "" && d.Project != want {
			return fmt.Sprintf("it restored Neon project %s, not this run's %s (%s)", d.Project, want, config.NeonProjectID)
		}
	}
	return ""
}

// read parses every line of the record file at path.
func read(path string) ([]Result, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, fmt.Errorf("%s: %w", config.DrillRecord, err)
	}
	defer f.Close()
	var out []Result
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
			return nil, fmt.Errorf("%s line %d: not a drill result (%v)", config.DrillRecord, n, err)
		}
		out = append(out, d)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", config.DrillRecord, err)
	}
	return out, nil
}

func first(xs []string, n int) []string {
	if len(xs) > n {
		return append(xs[:n:n], fmt.Sprintf("and %d more", len(xs)-n))
	}
	return xs
}
