package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/oklog/ulid/v2"

	"github.com/temaplan/temaplan/auth"
)

// runUseradd creates an account, and its municipality when it is new: the
// way to a deployment's first administrator, who then creates the others
// in the browser. The store is the one the environment configures for
// serve; the password comes from TEMAPLAN_PASSWORD or the first line of
// standard input, never from the command line.
func runUseradd(ctx context.Context, args []string, env environment) int {
	fs := flag.NewFlagSet("temaplan useradd", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	email := fs.String("email", "", "e-mail address to log in with (required)")
	name := fs.String("name", "", "display name (required)")
	muni := fs.String("municipality", "", "id of the municipality, e.g. 4601 (required)")
	muniName := fs.String("municipality-name", "", "name of the municipality when it is new, e.g. Bergen kommune")
	admin := fs.Bool("admin", false, "make the account an administrator of its municipality")
	fs.Usage = func() {
		fmt.Fprintf(env.stderr, "Usage: temaplan useradd -email E -name N -municipality ID [-municipality-name NAME] [-admin]\n\n"+
			"Creates an account in the store the environment configures (TEMAPLAN_DATA or MONGODB_URI).\n"+
			"The password is read from TEMAPLAN_PASSWORD or the first line of standard input.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return 0
	} else if err != nil {
		return 2
	}
	if *email == "" || *name == "" || strings.TrimSpace(*muni) == "" || fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	password := env.getenv("TEMAPLAN_PASSWORD")
	if password == "" {
		line, err := bufio.NewReader(env.stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			fmt.Fprintln(env.stderr, "temaplan useradd: read the password:", err)
			return 1
		}
		password = strings.TrimRight(line, "\r\n")
	}
	if err := useradd(ctx, env, *muni, *muniName, auth.NewUser{Email: *email, Name: *name, Password: password, Admin: *admin}); err != nil {
		fmt.Fprintln(env.stderr, "temaplan useradd:", err)
		return 1
	}
	return 0
}

func useradd(ctx context.Context, env environment, muni, muniName string, in auth.NewUser) error {
	cfg, err := LoadConfig(nil, env.getenv, io.Discard)
	if err != nil {
		return err
	}
	m := NewMain()
	m.Config, m.Stderr, m.Getenv = cfg, env.stderr, env.getenv
	m.log = slog.New(slog.NewTextHandler(env.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if cfg.MongoURI == "" {
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return fmt.Errorf("data directory: %w", err)
		}
	}
	if m.store, err = m.openStore(ctx); err != nil {
		return err
	}
	defer m.store.Close()
	// The accounts service needs a signing key; this command issues no
	// token, so a random one does.
	m.secret = []byte(rand.Text() + rand.Text())
	accounts, err := m.accounts(func() string { return ulid.Make().String() })
	if err != nil {
		return err
	}
	if muniName == "" {
		muniName = muni
	}
	if err := accounts.EnsureMunicipality(ctx, auth.Municipality{ID: muni, Name: muniName}); err != nil {
		return err
	}
	a, err := accounts.CreateUser(ctx, "useradd", muni, in)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "created %s (%s) in %s, id %s, administrator: %t\n", a.Email, a.Name, a.Municipality, a.ID, a.Admin)
	return nil
}
