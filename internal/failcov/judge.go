package failcov

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// Block is one cover-profile block.
type Block struct {
	StartLine, StartCol, EndLine, EndCol int
	Count                                int
}

// Profile maps a file (import path + "/" + name, as go test writes it) to its
// blocks; the same block reported by several test binaries is merged (any
// count > 0 covers it).
type Profile map[string][]Block

// ParseProfile reads a cover profile written by go test -coverprofile.
func ParseProfile(r io.Reader) (Profile, error) {
	type key struct {
		file       string
		a, b, c, d int
	}
	merged := map[key]int{}
	var order []key
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	sawMode := false
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "mode:") {
			sawMode = true
			continue
		}
		// file:a.b,c.d stmts count
		colon := strings.LastIndexByte(line, ':')
		if colon < 0 {
			return nil, fmt.Errorf("cover profile line %d: no file:range in %q", n, line)
		}
		file, rest := line[:colon], line[colon+1:]
		var k key
		var stmts, count int
		if _, err := fmt.Sscanf(rest, "%d.%d,%d.%d %d %d", &k.a, &k.b, &k.c, &k.d, &stmts, &count); err != nil {
			return nil, fmt.Errorf("cover profile line %d: %q: %v", n, line, err)
		}
		k.file = file
		if old, ok := merged[k]; ok {
			if count > old {
				merged[k] = count
			}
			continue
		}
		merged[k] = count
		order = append(order, k)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("cover profile: %w", err)
	}
	if !sawMode {
		return nil, fmt.Errorf("cover profile: no 'mode:' line (not a go test -coverprofile file?)")
	}
	p := Profile{}
	for _, k := range order {
		p[k.file] = append(p[k.file], Block{k.a, k.b, k.c, k.d, merged[k]})
	}
	return p, nil
}

func before(l1, c1, l2, c2 int) bool { return l1 < l2 || (l1 == l2 && c1 < c2) }

// block returns the innermost block containing line:col (a closure's blocks
// lie inside the block of the statement that holds it).
func (p Profile) block(file string, line, col int) (Block, bool) {
	var best Block
	found := false
	for _, b := range p[file] {
		if before(line, col, b.StartLine, b.StartCol) || !before(line, col, b.EndLine, b.EndCol) {
			continue
		}
		// containing blocks nest: the innermost starts last (ties: ends first)
		if !found || before(best.StartLine, best.StartCol, b.StartLine, b.StartCol) ||
			(best.StartLine == b.StartLine && best.StartCol == b.StartCol && before(b.EndLine, b.EndCol, best.EndLine, best.EndCol)) {
			best, found = b, true
		}
	}
	return best, found
}

// Result is the judgement of one profile.
type Result struct {
	Stmts   []Stmt
	Covered int
	Exempt  int     // exempt: no fault can reach them
	Backlog int     // listed in the backlog: not yet proven, tolerated until a fault covers them
	Floor   float64 // percent
	Errors  []string
	// Warnings are backlog lines whose statement a self-test now reaches:
	// delete them (coverage of a flaky self-test varies from run to run, so
	// they do not fail the gate; an exemption that is covered does).
	Warnings []string
}

// Total is the number of failure statements.
func (r Result) Total() int { return len(r.Stmts) }

// Percent is covered/total in percent.
func (r Result) Percent() float64 {
	if len(r.Stmts) == 0 {
		return 100
	}
	return 100 * float64(r.Covered) / float64(len(r.Stmts))
}

// OK reports whether the gate passes.
func (r Result) OK() bool { return len(r.Errors) == 0 }

// Judge marks each statement covered or not from the profile (files are
// looked up as modulePath/file), applies the exemptions and checks the floor.
func Judge(stmts []Stmt, prof Profile, modulePath string, ex []Exemption, floor float64) Result {
	stmts = append([]Stmt(nil), stmts...) // judged afresh: the caller's slice is not changed
	for i := range stmts {
		stmts[i].Covered, stmts[i].Exempt, stmts[i].NoBlock = false, nil, false
	}
	r := Result{Floor: floor, Stmts: stmts}
	files := map[string]bool{}
	for _, s := range stmts {
		files[s.File] = true
	}
	for f := range files {
		if len(prof[modulePath+"/"+f]) == 0 {
			r.Errors = append(r.Errors, fmt.Sprintf("the cover profile has no blocks for %s: run the self-tests with -coverpkg covering its package", f))
		}
	}
	used := make([]int, len(ex))
	usedCovered := make([]int, len(ex))
	for i := range stmts {
		s := &stmts[i]
		b, ok := prof.block(modulePath+"/"+s.File, s.Line, s.Col)
		if !ok {
			s.NoBlock = true
		} else {
			s.Covered = b.Count > 0
			s.blockKey = fmt.Sprintf("%d.%d", b.StartLine, b.StartCol)
		}
		for j := range ex {
			if !ex[j].matches(*s) {
				continue
			}
			if s.Covered {
				usedCovered[j]++
				continue
			}
			used[j]++
			if s.Exempt == nil {
				s.Exempt = &ex[j]
			}
		}
		switch {
		case s.Covered:
			r.Covered++
		case s.Exempt != nil && s.Exempt.Backlog:
			r.Backlog++
		case s.Exempt != nil:
			r.Exempt++
		default:
			r.Errors = append(r.Errors, fmt.Sprintf("%s: %s(%q) in %s: no self-test reaches it and it is neither exempt nor in the backlog", s.Where(), s.Call, s.Message, s.Func))
		}
	}
	for j, e := range ex {
		switch {
		case used[j] == 0 && usedCovered[j] > 0 && e.Backlog:
			r.Warnings = append(r.Warnings, fmt.Sprintf("%s:%d: backlog line %q: the statement is now covered; delete the line", e.Source, e.Line, e.Text))
		case used[j] == 0 && usedCovered[j] > 0:
			r.Errors = append(r.Errors, fmt.Sprintf("%s:%d: stale exemption %q: the statement is now covered; delete the line", e.Source, e.Line, e.Text))
		case used[j] == 0:
			r.Errors = append(r.Errors, fmt.Sprintf("%s:%d: stale exemption %q: no failure statement matches it any more; delete the line", e.Source, e.Line, e.Text))
		}
	}
	if pct := r.Percent(); pct+1e-9 < floor {
		r.Errors = append(r.Errors, fmt.Sprintf("failure coverage %.1f%% is under the floor %.1f%%", pct, floor))
	}
	return r
}

// Exemption is one line of the exemptions file:
// file:function: message prefix | reason
type Exemption struct {
	File, Func, Prefix, Reason string
	Backlog                    bool   // from the backlog file, not the exemptions file
	Source                     string // exemptions file name
	Line                       int
	Text                       string
}

func (e Exemption) matches(s Stmt) bool {
	return e.File == s.File && e.Func == s.Func && strings.HasPrefix(s.Message, e.Prefix)
}

// ParseExemptions reads the exemptions file: one exemption per line, '#'
// comments and blank lines ignored.
func ParseExemptions(name string, r io.Reader) ([]Exemption, error) {
	var out []Exemption
	sc := bufio.NewScanner(r)
	n := 0
	var errs []string
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		e, err := parseExemption(line)
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s:%d: %v (want 'file:function: message prefix | reason')", name, n, err))
			continue
		}
		e.Source, e.Line, e.Text = name, n, line
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return out, nil
}

func parseExemption(line string) (Exemption, error) {
	var e Exemption
	bar := strings.Index(line, " | ")
	if bar < 0 {
		return e, fmt.Errorf("no ' | reason'")
	}
	head, reason := strings.TrimSpace(line[:bar]), strings.TrimSpace(line[bar+3:])
	if reason == "" {
		return e, fmt.Errorf("empty reason")
	}
	c1 := strings.IndexByte(head, ':')
	if c1 <= 0 {
		return e, fmt.Errorf("no file")
	}
	rest := head[c1+1:] + " "
	c2 := strings.Index(rest, ": ")
	if c2 <= 0 {
		return e, fmt.Errorf("no function")
	}
	e.File, e.Func, e.Prefix, e.Reason = head[:c1], strings.TrimSpace(rest[:c2]), oneLine(rest[c2+2:]), reason
	if !strings.HasSuffix(e.File, ".go") {
		return e, fmt.Errorf("file %q is not a .go file", e.File)
	}
	if e.Prefix == "" {
		return e, fmt.Errorf("empty message prefix")
	}
	return e, nil
}

// BacklogLines renders the uncovered statements that are neither exempt nor
// already listed as backlog lines (file:function: message | reason), one per
// distinct (file, function, message).
func (r Result) BacklogLines(reason string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range r.Stmts {
		if s.Covered || (s.Exempt != nil && !s.Exempt.Backlog) {
			continue
		}
		l := fmt.Sprintf("%s:%s: %s | %s", s.File, s.Func, s.Message, reason)
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out
}

// Uncovered is the statements no self-test executed, exempt ones included.
func (r Result) Uncovered() []Stmt {
	var out []Stmt
	for _, s := range r.Stmts {
		if !s.Covered {
			out = append(out, s)
		}
	}
	return out
}

// Write prints the uncovered list and the summary line.
func (r Result) Write(w io.Writer) {
	un := r.Uncovered()
	for _, s := range un {
		tag := "UNCOVERED"
		switch {
		case s.Exempt != nil && s.Exempt.Backlog:
			tag = "backlog  "
		case s.Exempt != nil:
			tag = "exempt   "
		}
		fmt.Fprintf(w, "%s %s %s: %s %s\n", tag, s.Where(), s.Func, s.Call, strconv.Quote(s.Message))
		if s.Exempt != nil && !s.Exempt.Backlog {
			fmt.Fprintf(w, "          ↳ %s\n", s.Exempt.Reason)
		}
	}
	r.WriteSummary(w)
}

// WriteSummary prints the one summary line.
func (r Result) WriteSummary(w io.Writer) {
	fmt.Fprintf(w, "failure coverage: %d/%d covered (%.1f%%), %d exempt, %d in the backlog (not yet proven), %d uncovered and unlisted; floor %.1f%%\n",
		r.Covered, r.Total(), r.Percent(), r.Exempt, r.Backlog, r.Total()-r.Covered-r.Exempt-r.Backlog, r.Floor)
}

// ByFile groups counts per file for a short table (covered, total).
func (r Result) ByFile() [][3]string {
	type c struct{ cov, tot int }
	m := map[string]*c{}
	for _, s := range r.Stmts {
		if m[s.File] == nil {
			m[s.File] = &c{}
		}
		m[s.File].tot++
		if s.Covered {
			m[s.File].cov++
		}
	}
	var out [][3]string
	for f, v := range m {
		out = append(out, [3]string{f, strconv.Itoa(v.cov), strconv.Itoa(v.tot)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}
