package harness

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// CloneDB gives a self-test its own copy of the pristine rehearsal schema: the
// superuser DSN and an open superuser connection, both dropped at cleanup.
// Faults are injected there, never into the shared world.
func CloneDB(t testing.TB) (string, *pgx.Conn) {
	t.Helper()
	w, _ := World(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dsn, drop, err := w.CloneDB(ctx)
	if err != nil {
		t.Fatalf("clone rehearsal database: %v", err)
	}
	t.Cleanup(drop)
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect to clone: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return dsn, conn
}
