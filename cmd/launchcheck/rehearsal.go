package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/hustlexp/launchcheck/internal/config"
	"github.com/hustlexp/launchcheck/internal/harness"
)

// runRehearsal implements `launchcheck rehearsal up`: it starts the rehearsal
// world (Postgres, Redis, stand-in API, SaaS fakes), prints `export` lines that
// point a live-mode run (HUSTLEXP_TARGET=staging) at it, and keeps it up until
// interrupted.
func runRehearsal(args []string) int {
	if len(args) == 0 || args[0] != "up" {
		fmt.Fprintln(os.Stderr, "usage: launchcheck rehearsal up [--for DURATION]")
		return 2
	}
	var stayFor time.Duration
	for i := 1; i < len(args); i++ {
		switch {
		case args[i] == "--for" && i+1 < len(args):
			d, err := time.ParseDuration(args[i+1])
			if err != nil {
				fmt.Fprintf(os.Stderr, "--for: %v\n", err)
				return 2
			}
			stayFor = d
			i++
		default:
			fmt.Fprintf(os.Stderr, "rehearsal up: unknown argument %q\n", args[i])
			return 2
		}
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	startCtx, startCancel := context.WithTimeout(ctx, 3*time.Minute)
	defer startCancel()
	w, env, err := harness.StartWorld(startCtx)
	if err != nil {
		fmt.Fprintf(os.Stderr, "rehearsal: %v\n", err)
		return 1
	}
	defer w.Close()
	vals := w.Env()
	vals[config.HustlexpTarget] = string(config.Staging)
	vals[config.RunID] = env.RunID
	names := make([]string, 0, len(vals))
	for k := range vals {
		names = append(names, k)
	}
	sort.Strings(names)
	fmt.Printf("# launchcheck rehearsal world (provider %s, up in %s). These values are the rehearsal's own\n", w.Provider, w.Started.Round(time.Millisecond))
	fmt.Printf("# throw-away credentials; they point a live-mode run at this machine. Ctrl-C tears it down.\n")
	for _, k := range names {
		fmt.Printf("export %s=%s\n", k, shellQuote(vals[k]))
	}
	os.Stdout.Sync()
	if stayFor > 0 {
		select {
		case <-ctx.Done():
		case <-time.After(stayFor):
		}
	} else {
		<-ctx.Done()
	}
	fmt.Fprintln(os.Stderr, "rehearsal: shutting down")
	return 0
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '-' || r == '_' || r == '.' || r == '/' || r == ':' || r == '@' || r == ',' || r == '=' || r == '?' || r == '&' || r == '%' ||
			(r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
