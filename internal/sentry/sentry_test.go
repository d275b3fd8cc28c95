//go:build !prelaunch && !t0 && !day1 && !week1

package sentry_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hustlexp/launchcheck/fixtures/fakes/sentryfake"
	"github.com/hustlexp/launchcheck/internal/sentry"
)

// Sentry pages project keys with the Link header: every key of every page
// is read (the old client read the first page only).
func TestKeysFollowsLinkPagination(t *testing.T) {
	f := sentryfake.Run(t)
	var org, project, token string
	f.Update(func(s *sentryfake.State) {
		org, project, token = s.Org, s.Projects[0].Slug, s.Token
		base := s.Keys[project]
		for i := 0; i < 5; i++ {
			k := *base[0]
			k.ID, k.Public, k.Label = fmt.Sprint("k", i), fmt.Sprintf("pub%d", i), fmt.Sprint("extra ", i)
			s.Keys[project] = append(s.Keys[project], &k)
		}
		s.KeysPerPage = 2
	})
	var want int
	f.View(func(s *sentryfake.State) { want = len(s.Keys[project]) })
	ks, err := sentry.New(f.URL, token, 5*time.Second).Keys(context.Background(), org, project)
	if err != nil {
		t.Fatal(err)
	}
	if len(ks) != want || want < 6 {
		t.Fatalf("read %d keys, the project has %d (pages of 2)", len(ks), want)
	}
}
