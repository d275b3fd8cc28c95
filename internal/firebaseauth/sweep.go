package firebaseauth

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// SweepResult is what SweepUsers found (and deleted unless dry-run).
type SweepResult struct {
	Found    int
	Deleted  int
	Problems []string
}

// SweepUsers removes test users a crashed run left in Firebase: accounts
// whose e-mail starts with tag (launchcheck-<runid>, or "launchcheck-" for
// every run) and that were created at least minAge ago. Pre-provisioned
// accounts (HUSTLEXP_FUN_*_EMAIL) do not carry the tag and are never touched.
// It lists users through the Admin API (accounts:batchGet) and deletes them
// one by one (accounts:delete), at most max users looked at.
func (c *Client) SweepUsers(ctx context.Context, tag string, minAge time.Duration, dryRun bool, max int) SweepResult {
	var res SweepResult
	if tag == "" {
		tag = "launchcheck-"
	}
	if max <= 0 {
		max = 100000
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	ac, err := NewAdmin(ctx, c.ProjectID, c.Emulator, c.credsFile)
	if err != nil {
		res.Problems = append(res.Problems, err.Error())
		return res
	}
	cutoff := time.Now().Add(-minAge).UnixMilli()
	seen, page := 0, ""
	for seen < max {
		users, next, err := ac.ListUsers(ctx, page)
		if err != nil {
			res.Problems = append(res.Problems, "firebase ListUsers: "+err.Error())
			break
		}
		for _, u := range users {
			if seen++; seen > max {
				break
			}
			if !strings.HasPrefix(strings.ToLower(u.Email), strings.ToLower(tag)) || u.CreatedMs > cutoff {
				continue
			}
			res.Found++
			if dryRun {
				continue
			}
			if err := ac.DeleteUser(ctx, u.UID); err != nil && !IsUserNotFound(err) {
				res.Problems = append(res.Problems, fmt.Sprintf("firebase DeleteUser(%s): %v", u.UID, err))
				continue
			}
			res.Deleted++
		}
		if page = next; page == "" {
			break
		}
	}
	return res
}
