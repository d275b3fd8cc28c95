package check

import "fmt"

// AttrNotice carries a notice for the operator (see Notice).
const AttrNotice = "notice"

// Notice tells the operator something before a long or intrusive step (a
// stress run's duration and request count): it is logged and recorded as an
// attribute that `launchcheck report --progress` prints the moment it
// arrives, before the step starts.
func Notice(t T, format string, args ...any) {
	t.Helper()
	msg := oneLine(fmt.Sprintf(format, args...))
	t.Attr(AttrNotice, msg)
	t.Logf("notice: %s", msg)
}
