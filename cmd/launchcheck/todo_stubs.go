package main

import (
	"fmt"
	"io"
)

func cmdDoctor(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "launchcheck doctor: not built yet")
	return 2
}

func cmdSweep(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "launchcheck sweep: not built yet")
	return 2
}
