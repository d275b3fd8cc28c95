// Package pg opens Postgres connections the way launchcheck must: bounded
// connect, statement timeout, and read-only transactions for live checks.
package pg

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Connect opens one connection with a connect deadline and a session
// statement_timeout. Errors never include the password.
func Connect(ctx context.Context, dsn string, stmtTimeout time.Duration) (*pgx.Conn, error) {
	cc, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("parse database URL (%s): %w", Host(dsn), scrub(err))
	}
	if cc.ConnectTimeout == 0 || cc.ConnectTimeout > 10*time.Second {
		cc.ConnectTimeout = 10 * time.Second
	}
	if stmtTimeout <= 0 {
		stmtTimeout = 5 * time.Second
	}
	if cc.RuntimeParams == nil {
		cc.RuntimeParams = map[string]string{}
	}
	cc.RuntimeParams["statement_timeout"] = strconv.FormatInt(stmtTimeout.Milliseconds(), 10)
	cc.RuntimeParams["application_name"] = "launchcheck"
	conn, err := pgx.ConnectConfig(ctx, cc)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", Host(dsn), scrub(err))
	}
	return conn, nil
}

// ReadOnly runs fn inside a READ ONLY transaction that is always rolled back.
func ReadOnly(ctx context.Context, conn *pgx.Conn, fn func(tx pgx.Tx) error) error {
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("begin read-only transaction: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	return fn(tx)
}

// Query opens a connection to dsn and runs fn read-only; the connection is closed after.
func Query(ctx context.Context, dsn string, stmtTimeout time.Duration, fn func(tx pgx.Tx) error) error {
	conn, err := Connect(ctx, dsn, stmtTimeout)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return ReadOnly(ctx, conn, fn)
}

// Host returns host:port/db of a DSN, never credentials.
func Host(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.Host == "" {
		return "(unparseable database URL)"
	}
	return u.Host + u.Path
}

// Code returns the SQLSTATE of err, or "".
func Code(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// scrub drops anything that could carry a password from connection errors.
func scrub(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s (SQLSTATE %s)", pe.Message, pe.Code)
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return errors.Unwrap(ce)
	}
	return err
}
