package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Checkpoints. In WAL mode a commit appends its pages to the WAL, and a
// checkpoint copies them back into the database file. SQLite's default is
// to checkpoint in the committing connection, once the WAL holds 1 000
// pages: the commit that crosses that line, and with it every op queued
// behind it for the committer, waits for the copy and an fsync of the
// database file — tens of milliseconds on a busy node, in the acks' tail.
// The writer has its automatic checkpoints off, and a connection of its own
// checkpoints in the background instead, PASSIVE, which blocks neither the
// writer nor the readers. Durability is as before: a commit is on disk
// when its WAL frames are; a checkpoint only moves them.

// checkpointEvery is how often the background connection checkpoints.
const checkpointEvery = time.Second

// checkpointer is the goroutine and connection that checkpoint.
type checkpointer struct {
	db   *sql.DB
	quit chan struct{}
	wg   sync.WaitGroup
	// done counts the checkpoints that ran (whether or not they could
	// copy every frame: readers of old frames may hold some back).
	done atomic.Int64
}

func (s *Store) startCheckpointer(db *sql.DB) {
	c := &checkpointer{db: db, quit: make(chan struct{})}
	s.ckpt = c
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		t := time.NewTicker(checkpointEvery)
		defer t.Stop()
		for {
			select {
			case <-c.quit:
				return
			case <-t.C:
			}
			if err := c.checkpoint(context.Background()); err != nil {
				s.log.Warn("sqlite checkpoint failed; the WAL grows until one succeeds", "err", err)
			}
		}
	}()
}

// checkpoint copies what it can of the WAL into the database file.
func (c *checkpointer) checkpoint(ctx context.Context) error {
	var blocked, frames, copied int
	if err := c.db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&blocked, &frames, &copied); err != nil {
		return fmt.Errorf("wal_checkpoint: %w", err)
	}
	c.done.Add(1)
	return nil
}

// stop ends the checkpoints and closes their connection.
func (c *checkpointer) stop() error {
	close(c.quit)
	c.wg.Wait()
	return c.db.Close()
}
