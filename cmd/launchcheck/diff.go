package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/hustlexp/launchcheck/internal/report"
)

func cmdDiff(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("diff", flag.ContinueOnError)
	fs.SetOutput(stderr)
	mdOut := fs.String("md", "", "also write the diff as markdown to `FILE`")
	failOn := fs.Bool("fail-on-regression", false, "exit 1 when any row regressed")
	// Accept flags before or after the two files.
	var files []string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(files) != 2 {
		fmt.Fprintln(stderr, "usage: launchcheck diff OLD.json NEW.json [--md FILE] [--fail-on-regression]")
		return 2
	}
	old, err := report.ReadJSON(files[0])
	if err != nil {
		fmt.Fprintf(stderr, "launchcheck diff: %v\n", err)
		return 2
	}
	cur, err := report.ReadJSON(files[1])
	if err != nil {
		fmt.Fprintf(stderr, "launchcheck diff: %v\n", err)
		return 2
	}
	changes := report.Diff(old, cur)
	md := report.DiffMarkdown(old, cur, changes)
	io.WriteString(stdout, md)
	if *mdOut != "" {
		if err := os.WriteFile(*mdOut, []byte(md), 0o644); err != nil {
			fmt.Fprintf(stderr, "launchcheck diff: %v\n", err)
			return 2
		}
	}
	n := report.Regressions(changes)
	fmt.Fprintf(stderr, "launchcheck diff: %d row(s) regressed, %d change(s) in all\n", n, len(changes))
	if n > 0 && *failOn {
		return 1
	}
	return 0
}
