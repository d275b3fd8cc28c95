package check

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/hustlexp/launchcheck/internal/checklist"
	"github.com/hustlexp/launchcheck/internal/config"
)

// Waiver excuses one row that cannot run until Expiry.
type Waiver struct {
	Row    string
	Expiry time.Time // last valid day, inclusive (UTC)
	Owner  string
	Reason string
	Line   int
}

// Waivers is a parsed waiver file.
type Waivers []Waiver

// ParseWaivers reads lines "ROW | YYYY-MM-DD | owner | reason"; '#' starts a
// comment. Every problem names its line.
func ParseWaivers(data []byte) (Waivers, error) {
	var out Waivers
	var errs []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		if line == "" {
			continue
		}
		parts := strings.Split(line, "|")
		if len(parts) != 4 {
			errs = append(errs, fmt.Sprintf("line %d: want 'ROW | YYYY-MM-DD | owner | reason', got %d fields", n, len(parts)))
			continue
		}
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		w := Waiver{Row: parts[0], Owner: parts[2], Reason: parts[3], Line: n}
		if _, ok := checklist.ByID(w.Row); !ok {
			errs = append(errs, fmt.Sprintf("line %d: unknown checklist row %q", n, w.Row))
			continue
		}
		exp, err := time.Parse("2006-01-02", parts[1])
		if err != nil {
			errs = append(errs, fmt.Sprintf("line %d: expiry %q is not YYYY-MM-DD", n, parts[1]))
			continue
		}
		w.Expiry = exp
		if w.Owner == "" {
			errs = append(errs, fmt.Sprintf("line %d: waiver for %s has no owner", n, w.Row))
			continue
		}
		if w.Reason == "" {
			errs = append(errs, fmt.Sprintf("line %d: waiver for %s has no reason", n, w.Row))
			continue
		}
		out = append(out, w)
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, err.Error())
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return out, nil
}

// Validate returns an error naming every expired waiver's line.
func (ws Waivers) Validate(now time.Time) error {
	var errs []string
	for _, w := range ws {
		if !w.valid(now) {
			errs = append(errs, fmt.Sprintf("line %d: waiver for %s expired on %s", w.Line, w.Row, w.Expiry.Format("2006-01-02")))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}

func (w Waiver) valid(now time.Time) bool {
	return !now.UTC().After(w.Expiry.Add(24*time.Hour - time.Nanosecond))
}

// For returns a valid waiver for row.
func (ws Waivers) For(row string, now time.Time) (Waiver, bool) {
	for _, w := range ws {
		if w.Row == row && w.valid(now) {
			return w, true
		}
	}
	return Waiver{}, false
}

// Expired returns an expired waiver for row, if that is all there is.
func (ws Waivers) Expired(row string, now time.Time) (Waiver, bool) {
	for _, w := range ws {
		if w.Row == row && !w.valid(now) {
			return w, true
		}
	}
	return Waiver{}, false
}

// LoadWaivers reads the file named by HUSTLEXP_WAIVERS (none set: no waivers).
func LoadWaivers(cfg *config.Config) (Waivers, error) {
	path := cfg.Get(config.Waivers)
	if path == "" {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseWaivers(data)
}
