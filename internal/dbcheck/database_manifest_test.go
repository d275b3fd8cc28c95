//go:build !prelaunch && !t0 && !day1 && !week1

package dbcheck

import (
	"os"
	"path/filepath"
	"testing"
)

func TestReadManifestShapes(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]struct {
		file, body string
		want       []string
	}{
		"objects": {"m.ts", `import x from "./y";
// { name: 'commented_out', fileName: 'x.sql' }
export const OTHER = ['not_this_one'];
export const REQUIRED_MIGRATION_FILES = [
  { name: 'a_v1', fileName: 'a.sql' },
  { fileName: "20260713_b.sql", "name": "b_v1" },
  /* { name: 'old', fileName: 'old.sql' }, */
  { name: ` + "`c_v1`" + `, fileName: 'c [1].sql' },
] as const;
export const AFTER = [{ name: 'after', fileName: 'after.sql' }];
`, []string{"a_v1", "b_v1", "c_v1"}},
		"strings":   {"m.js", "export const REQUIRED_MIGRATION_FILES = ['a_v1', \"b_v1\"];\n", []string{"a_v1", "b_v1"}},
		"json":      {"m.json", `[{"name":"a_v1","fileName":"a.sql"},{"name":"b_v1","fileName":"b.sql"}]`, []string{"a_v1", "b_v1"}},
		"json list": {"m.json", `["a_v1","b_v1"]`, []string{"a_v1", "b_v1"}},
		"text":      {"m.txt", "# comment\na_v1\n\nb_v1\n", []string{"a_v1", "b_v1"}},
	}
	for name, c := range cases {
		p := filepath.Join(dir, name+c.file)
		os.WriteFile(p, []byte(c.body), 0o644)
		got, err := readManifest(p)
		if err != nil || len(got) != len(c.want) {
			t.Errorf("%s: got %v, %v; want %v", name, got, err, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s: got %v, want %v", name, got, c.want)
				break
			}
		}
	}
	p := filepath.Join(dir, "none.ts")
	os.WriteFile(p, []byte("export const MIGRATIONS = ['x'];\n"), 0o644)
	if _, err := readManifest(p); err == nil {
		t.Error("a TS file without REQUIRED_MIGRATION_FILES must be an error, not its string literals")
	}
}
