package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab/sqlite"
)

// runRestore puts a backup made by `temaplan backup` in place as the
// embedded store of an empty data directory, for a node to start on. It
// refuses a directory that holds anything (a restore never replaces data)
// and a file that is not a Temaplan database, fails SQLite's integrity
// check, or has a schema newer than this program's; an older schema is
// migrated when the node starts, as on any upgrade.
func runRestore(ctx context.Context, args []string, env environment) int {
	flags := flag.NewFlagSet("temaplan restore", flag.ContinueOnError)
	flags.SetOutput(env.stderr)
	from := flags.String("from", "", "backup file written by `temaplan backup` (required)")
	data := dataDirFlag(flags, env)
	flags.Usage = func() {
		fmt.Fprintf(env.stderr, "Usage: temaplan restore -from FILE [-data DIR]\n\n"+
			"Restores a backup written by `temaplan backup` into an empty data directory\n"+
			"(created if missing); then start the node on it. With MONGODB_URI, use\n"+
			"mongorestore instead (deploy/OPERATIONS.md).\n\n")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); errors.Is(err, flag.ErrHelp) {
		return 0
	} else if err != nil {
		return 2
	}
	if *from == "" || flags.NArg() > 0 {
		flags.Usage()
		return 2
	}
	if err := embeddedOnly(env, "restore"); err != nil {
		fmt.Fprintln(env.stderr, "temaplan restore:", err)
		return 2
	}
	if err := restore(ctx, env, *from, *data); err != nil {
		fmt.Fprintln(env.stderr, "temaplan restore:", err)
		return 1
	}
	return 0
}

// restore restores the backup from into the data directory dir.
func restore(ctx context.Context, env environment, from, dir string) (err error) {
	created, err := emptyDataDir(dir)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil && created {
			_ = os.Remove(dir) // empty: the restore put nothing there
		}
	}()
	start := time.Now()
	info, err := sqlite.Restore(ctx, from, filepath.Join(dir, dbFileName))
	switch {
	case errors.Is(err, sqlite.ErrNewerSchema):
		return fmt.Errorf("%s was written by a newer Temaplan than this one (%s): %w", from, buildVersion(), err)
	case errors.Is(err, sqlite.ErrNotTemaplan), errors.Is(err, sqlite.ErrCorrupt):
		return fmt.Errorf("%s cannot be restored: %w", from, err)
	case err != nil:
		return err
	}
	fmt.Fprintf(env.stdout, "restored %s into %s: %s in %s (integrity check ok)\n",
		from, info.Path, byteSize(info.Bytes), time.Since(start).Round(time.Millisecond))
	printContents(env.stdout, info)
	if v := sqlite.SchemaVersion(); info.SchemaVersion < v {
		fmt.Fprintf(env.stdout, "the backup has schema version %d: the node migrates it to %d when it starts\n", info.SchemaVersion, v)
	}
	fmt.Fprintf(env.stdout, "the node makes a new JWT secret when it starts (signed-in users get new access tokens or sign in again);\n"+
		"to keep the old one, copy it to %s (mode 0600) first\n", filepath.Join(dir, auth.SecretFileName))
	return nil
}

// emptyDataDir checks that dir is an empty directory, or creates it
// (0700, as serve does) if it does not exist, and reports whether it did.
// lost+found, which a fresh file system has at its root, counts as empty.
func emptyDataDir(dir string) (created bool, err error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return false, fmt.Errorf("data directory: %w", err)
		}
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("data directory (TEMAPLAN_DATA, -data): %w", err)
	}
	var names []string
	for _, e := range entries {
		if e.Name() != "lost+found" {
			names = append(names, e.Name())
		}
	}
	if len(names) > 0 {
		slices.Sort(names)
		if len(names) > 5 {
			names = append(names[:5], "…")
		}
		return false, fmt.Errorf("the data directory %s is not empty (it holds %q): a restore never replaces data; "+
			"restore into a new directory, or stop the node and move its directory away first", dir, names)
	}
	return false, nil
}
