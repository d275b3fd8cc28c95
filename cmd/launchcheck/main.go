// Command launchcheck runs and reports the HustleXP production launch checklist.
// (Minimal dispatcher; engineer E owns this file and replaces it.)
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "rehearsal" {
		os.Exit(runRehearsal(os.Args[2:]))
	}
	fmt.Fprintln(os.Stderr, "usage: launchcheck rehearsal up")
	os.Exit(2)
}
