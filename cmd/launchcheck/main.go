// Command launchcheck is the CLI around the checklist suite:
//
//	launchcheck report  [flags] < go-test.json   render the launch report from `go test -json`
//	launchcheck diff OLD.json NEW.json          what regressed since the previous run
//	launchcheck doctor  [--phase P]             which rows can run with the current environment
//	launchcheck waivers FILE                    validate a waiver file
//	launchcheck env     --example | --markdown  generate .env.example / the README's table
//	launchcheck sweep   [flags]                 remove leftovers of crashed runs
//	launchcheck rehearsal up                    start the rehearsal world and print exports
package main

import (
	"fmt"
	"io"
	"os"
)

const usage = `launchcheck — the HustleXP production launch checklist as a test suite

Usage:
  launchcheck report [--json FILE] [--md FILE] [--html FILE] [--junit FILE]
                     [--phase all|prelaunch|t0|day1|week1[,…]] [--progress] [--no-fail] < go-test.json
  launchcheck diff OLD.json NEW.json [--md FILE] [--fail-on-regression]
  launchcheck doctor [--phase …]
  launchcheck waivers FILE
  launchcheck env --example | --markdown
  launchcheck sweep [--older-than 24h] [--dry-run] [--production]
  launchcheck rehearsal up

Exit status: 0 GO / success, 1 NO-GO / problems found, 2 usage or input error.
`

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	rest := args[1:]
	switch args[0] {
	case "report":
		return cmdReport(rest, stdin, stdout, stderr)
	case "diff":
		return cmdDiff(rest, stdout, stderr)
	case "doctor":
		return cmdDoctor(rest, stdout, stderr)
	case "waivers":
		return cmdWaivers(rest, stdout, stderr)
	case "env":
		return cmdEnv(rest, stdout, stderr)
	case "sweep":
		return cmdSweep(rest, stdout, stderr)
	case "rehearsal":
		return runRehearsal(rest)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "launchcheck: unknown command %q\n\n%s", args[0], usage)
	return 2
}
