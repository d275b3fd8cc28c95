//go:build !prelaunch && !t0 && !day1 && !week1

package report

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/internal/checklist"
	"github.com/hustlexp/launchcheck/internal/config"
)

func sampleReport(t *testing.T) *Report {
	t.Helper()
	s := stream(
		fakeTest{name: "TestGNG1", attrs: [][2]string{{"checklist", "GNG-1"}, {"evidence.error_rate", "0.21%"},
			{"series.error_rate_15m", `{"x":["10:00","10:05","10:10","10:15"],"y":[0.1,0.3,0.2,0.21],"unit":"%"}`}}, action: "pass", elapsed: 2},
		fakeTest{name: "TestDB2", attrs: [][2]string{{"checklist", "DB-2"}}, out: []string{"    a.go:1: trigger <script>alert(1)</script> gone"}, action: "fail"},
		fakeTest{name: "TestDB3", attrs: [][2]string{{"checklist", "DB-3"}, {"status", "waived"}, {"reason", "no access (owner ana, expires 2026-12-24)"}}, action: "skip"},
	)
	return Build(collect(t, s), Options{Target: "rehearsal"})
}

func TestHTMLSelfContained(t *testing.T) {
	b, err := HTML(sampleReport(t))
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	for _, bad := range []string{"<script", "http://", "https://", "<link", "@import", "src="} {
		// The only URL allowed is the SVG namespace, which is not fetched.
		if strings.Contains(strings.ReplaceAll(page, `xmlns="http://www.w3.org/2000/svg"`, ""), bad) {
			t.Errorf("page is not self-contained or not inert: contains %q", bad)
		}
	}
	if !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("a failure message was not HTML-escaped")
	}
	if got := strings.Count(page, `class="row `); got != 55 {
		t.Errorf("%d rows in the page, want 55", got)
	}
	if !strings.Contains(page, "<svg") || !strings.Contains(page, "REHEARSAL") {
		t.Error("chart or rehearsal banner missing")
	}
}

// TestHTMLInHeadlessChromium opens the page in a real browser and checks that
// the verdict and all 55 rows are rendered visible (non-zero boxes, not
// display:none / visibility:hidden).
func TestHTMLInHeadlessChromium(t *testing.T) {
	bin := chromium(t)
	r := sampleReport(t)
	b, err := HTML(r)
	if err != nil {
		t.Fatal(err)
	}
	// The probe is added to a copy: the report itself carries no script.
	probe := `<script>
window.addEventListener('load', function () {
  function visible(el) {
    if (!el) return false;
    var s = getComputedStyle(el), rc = el.getBoundingClientRect();
    return s.display !== 'none' && s.visibility !== 'hidden' && s.opacity !== '0' && rc.width > 0 && rc.height > 0;
  }
  var rows = document.querySelectorAll('li.row'), n = 0, ids = [];
  rows.forEach(function (el) { if (visible(el)) { n++; ids.push(el.dataset.row); } });
  var v = document.getElementById('verdict');
  var svg = document.querySelector('svg polyline');
  var out = document.createElement('pre');
  out.id = 'probe';
  out.textContent = 'visible_rows=' + n + ' verdict=' + (visible(v) ? v.textContent.trim() : 'HIDDEN') +
    ' chart=' + (svg && visible(svg.ownerSVGElement) ? 'yes' : 'no') + ' ids=' + ids.join(',');
  document.body.appendChild(out);
});
</script></body>`
	page := strings.Replace(string(b), "</body>", probe, 1)
	dir := t.TempDir()
	file := filepath.Join(dir, "report.html")
	if err := os.WriteFile(file, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--disable-background-networking", "--no-first-run", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--virtual-time-budget=3000", "--dump-dom", "file://"+file)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, truncate(stderr.String(), 2000))
	}
	m := regexp.MustCompile(`visible_rows=(\d+) verdict=(\S+) chart=(\w+) ids=([\w,\-]*)`).FindStringSubmatch(string(out))
	if m == nil {
		t.Fatalf("probe output not found in the DOM dump (%d bytes)", len(out))
	}
	n, _ := strconv.Atoi(m[1])
	if n != len(checklist.Rows) {
		t.Errorf("%d rows visible in Chromium, want %d", n, len(checklist.Rows))
	}
	for _, row := range checklist.Rows {
		if !strings.Contains(","+m[4]+",", ","+row.ID+",") {
			t.Errorf("row %s not visible", row.ID)
		}
	}
	if m[2] != r.Verdict {
		t.Errorf("visible verdict %q, want %q", m[2], r.Verdict)
	}
	if m[3] != "yes" {
		t.Error("the GNG-1 chart is not visible")
	}
	// A screenshot proves it paints, too (a blank page would be tiny).
	shot := filepath.Join(dir, "shot.png")
	cmd = exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--disable-background-networking", "--no-first-run", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+filepath.Join(dir, "profile2"), "--window-size=1200,3000", "--screenshot="+shot, "file://"+file)
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium screenshot: %v", err)
	}
	if fi, err := os.Stat(shot); err != nil || fi.Size() < 20_000 {
		t.Errorf("screenshot missing or suspiciously small: %v", err)
	}
}

func chromium(t *testing.T) string {
	t.Helper()
	cfg, err := config.FromEnv()
	if err == nil && cfg.Get(config.Chromium) != "" {
		return cfg.Get(config.Chromium)
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("headless Chromium not found (apt-get install chromium, or set HUSTLEXP_CHROMIUM): the HTML report was not opened in a browser")
	return ""
}
