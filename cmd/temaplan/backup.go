package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/temaplan/temaplan/auth"
	"github.com/temaplan/temaplan/collab/sqlite"
)

// runBackup writes a consistent copy of the embedded store to a new file
// while the node serves: SQLite's WAL lets the copy read one snapshot of
// the database as commits go on, so every edit acknowledged before the
// command started is in the copy. It refuses to overwrite a file and does
// not apply to MongoDB (deploy/OPERATIONS.md: mongodump).
//
// The JWT secret is not copied: whoever holds it can sign in as anyone,
// so it should not travel with every backup, and a restored node does
// well without it (see restoreNotes).
func runBackup(ctx context.Context, args []string, env environment) int {
	flags := flag.NewFlagSet("temaplan backup", flag.ContinueOnError)
	flags.SetOutput(env.stderr)
	out := flags.String("out", "", "file to write the backup to; must not exist (required)")
	data := dataDirFlag(flags, env)
	flags.Usage = func() {
		fmt.Fprintf(env.stderr, "Usage: temaplan backup -out FILE [-data DIR]\n\n"+
			"Writes a consistent copy of the embedded store under the data directory to FILE,\n"+
			"online: the node may serve and users edit while it runs. With MONGODB_URI, use\n"+
			"mongodump instead (deploy/OPERATIONS.md).\n\n")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); errors.Is(err, flag.ErrHelp) {
		return 0
	} else if err != nil {
		return 2
	}
	if *out == "" || flags.NArg() > 0 {
		flags.Usage()
		return 2
	}
	if err := embeddedOnly(env, "backup"); err != nil {
		fmt.Fprintln(env.stderr, "temaplan backup:", err)
		return 2
	}
	src := filepath.Join(*data, dbFileName)
	if _, err := os.Stat(src); errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(env.stderr, "temaplan backup: no database at %s: is the data directory (TEMAPLAN_DATA, -data) right?\n", src)
		return 1
	}
	start := time.Now()
	info, err := sqlite.Backup(ctx, src, *out)
	if errors.Is(err, fs.ErrExist) {
		fmt.Fprintf(env.stderr, "temaplan backup: %s exists: a backup never overwrites a file; choose a new name\n", *out)
		return 1
	} else if err != nil {
		fmt.Fprintln(env.stderr, "temaplan backup:", err)
		return 1
	}
	took := time.Since(start)
	fmt.Fprintf(env.stdout, "backup written: %s, %s in %s (integrity check ok)\n", info.Path, byteSize(info.Bytes), took.Round(time.Millisecond))
	printContents(env.stdout, info)
	if v := sqlite.SchemaVersion(); info.SchemaVersion > v {
		fmt.Fprintf(env.stdout, "note: the database has schema version %d, newer than this program's %d: back up with the Temaplan the node runs\n", info.SchemaVersion, v)
	}
	secret := filepath.Join(*data, auth.SecretFileName)
	if _, err := os.Stat(secret); err == nil {
		fmt.Fprintf(env.stdout, "not in the backup: the JWT secret %s (on purpose: it signs sessions). A restored node makes a new one;\n"+
			"signed-in users then get new access tokens or sign in again, and no data is lost. To keep sessions across a restore,\n"+
			"keep a copy of that file apart from the backups and put it back before the node first starts.\n", secret)
	}
	return 0
}

// printContents prints what a backup holds, for an operator to check it
// against the edits made before it: how many ops, the highest version of a
// document and the time of the newest op and plan change.
func printContents(w io.Writer, info sqlite.Info) {
	ops := "no ops"
	if info.Ops > 0 {
		var highest int64
		for _, h := range info.Heads {
			highest = max(highest, h-1)
		}
		ops = fmt.Sprintf("%d ops in %d documents (highest version %d, newest op %s)", info.Ops, info.Docs, highest, stamp(info.NewestOp))
	}
	fmt.Fprintf(w, "schema version %d; %s; %d plan log entries in %d plans (newest %s); %d municipalities, %d accounts\n",
		info.SchemaVersion, ops, info.PlanEntries, info.Plans, stamp(info.NewestPlanEntry), info.Municipalities, info.Accounts)
}

// stamp formats a time for the operator, or "none".
func stamp(t time.Time) string {
	if t.IsZero() {
		return "none"
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// byteSize formats n bytes as MB (or kB below one MB).
func byteSize(n int64) string {
	if n < 1_000_000 {
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}

// dataDirFlag defines -data on flags, defaulting to TEMAPLAN_DATA or serve's
// default, and returns it.
func dataDirFlag(flags *flag.FlagSet, env environment) *string {
	def := ""
	for _, s := range settings() {
		if s.name == setData {
			def = s.def
			if v := env.getenv(s.env); v != "" {
				def = v
			}
		}
	}
	return flags.String(setData, def, "data directory of the embedded store [TEMAPLAN_DATA]")
}

// embeddedOnly refuses command when the environment configures MongoDB,
// whose backups are MongoDB's own tools' job.
func embeddedOnly(env environment, command string) error {
	for _, name := range []string{"MONGODB_URI", "MONGODB_URI_FILE"} {
		if strings.TrimSpace(env.getenv(name)) != "" {
			return fmt.Errorf("%s is set: `temaplan %s` is for the embedded SQLite store only; "+
				"a MongoDB deployment is backed up and restored with mongodump and mongorestore (see deploy/OPERATIONS.md, \"Backups of MongoDB\")",
				name, command)
		}
	}
	return nil
}
