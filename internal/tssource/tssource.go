// Package tssource holds the lexical helpers shared by the checks that read
// the backend's TypeScript/JavaScript source (the start path in launch, the
// migration manifest in internal/dbcheck).
package tssource

import "strings"

// StripComments removes // and /* */ comments outside string literals.
func StripComments(s string) string {
	var b strings.Builder
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if quote != 0 {
			b.WriteByte(c)
			if c == '\\' && i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			} else if c == quote {
				quote = 0
			}
			continue
		}
		switch {
		case c == '"' || c == '\'' || c == '`':
			quote = c
			b.WriteByte(c)
		case c == '/' && i+1 < len(s) && s[i+1] == '/':
			for i < len(s) && s[i] != '\n' {
				i++
			}
			b.WriteByte('\n')
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				return b.String()
			}
			i += end + 3
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// BlankStrings replaces the contents of string literals with spaces (same
// length), so identifiers inside strings are not taken for calls.
func BlankStrings(s string) string {
	b := []byte(s)
	var quote byte
	for i := 0; i < len(b); i++ {
		c := b[i]
		if quote != 0 {
			switch {
			case c == '\\' && i+1 < len(b):
				b[i], b[i+1] = ' ', ' '
				i++
			case c == quote:
				quote = 0
			case c != '\n':
				b[i] = ' '
			}
			continue
		}
		if c == '"' || c == '\'' || c == '`' {
			quote = c
		}
	}
	return string(b)
}
