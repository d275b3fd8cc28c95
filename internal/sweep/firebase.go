package sweep

import (
	"context"
	"strings"
	"time"

	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/firebaseauth"
)

// sweepFirebase removes the runs' Firebase test accounts through the Admin API
// (the emulator where the configuration points at one): accounts whose
// email carries the tag, and the accounts of the users swept from the
// database (users.firebase_uid).
func sweepFirebase(ctx context.Context, o Options, res *Result) {
	fc, err := firebaseauth.New(o.Firebase)
	if err != nil {
		res.Problems = append(res.Problems, "firebase: "+err.Error())
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	ac, err := firebaseauth.NewAdmin(ctx, fc.ProjectID, fc.Emulator, o.Firebase.Get(config.FirebaseCredentialsFile))
	if err != nil {
		res.Problems = append(res.Problems, "firebase: "+err.Error())
		return
	}
	match := "launchcheck-"
	if o.Tag != "" {
		match = strings.ToLower(o.Tag)
	}
	cutoff := time.Now().Add(-o.MinAge).UnixMilli()
	uids := map[string]bool{}
	for u := range res.firebaseUIDs {
		uids[u] = true
	}
	page := ""
	for n := 0; n < 100; n++ { // 100 pages of 1000 users
		users, next, err := ac.ListUsers(ctx, page)
		if err != nil {
			res.Problems = append(res.Problems, "firebase list users: "+err.Error())
			break
		}
		for _, u := range users {
			old := o.MinAge <= 0 || u.CreatedMs <= cutoff
			if strings.Contains(strings.ToLower(u.Email), match) && old {
				uids[u.UID] = true
			}
		}
		if page = next; page == "" {
			break
		}
	}
	res.Firebase["users"] = len(uids)
	if o.DryRun || len(uids) == 0 {
		return
	}
	for u := range uids {
		if err := ac.DeleteUser(ctx, u); err != nil && !firebaseauth.IsUserNotFound(err) {
			res.Problems = append(res.Problems, "firebase delete user "+u+": "+err.Error())
		}
	}
}
