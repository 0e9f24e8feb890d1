package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/temaplan/temaplan/collab"
)

// Group commit. SQLite has one writer, and with synchronous=FULL every
// transaction ends with an fsync, which costs far more than the inserts in
// it. The doc actors of the engine each commit their own doc's batches;
// with many docs busy at once they would queue for the writer and pay one
// fsync each. Instead one committer goroutine takes every batch waiting
// (of any doc) and commits them in one transaction with one fsync. Each
// batch is still decided by its own unique inserts: a batch refused by a
// key is rolled back to its savepoint and fails alone, and the others
// commit. A caller is answered only after the transaction committed, so
// an acknowledged op is on disk as before. The other writes of the edit
// paths — snapshots, plan log entries (comments, structure, ...) and the
// plan state caches — go into the same transactions: they cost no fsync
// of their own, and do not hold the writer between two groups.

// maxGroup bounds the batches committed in one transaction, so that one
// group does not hold the writer for long.
const maxGroup = 256

// commitReq is one write waiting for the committer.
type commitReq struct {
	ctx context.Context
	// what names the write in errors, as in "commit ops of %q".
	what func() string
	// write makes the write in the group's transaction. err is its own
	// failure, after which nothing of it is left in the transaction;
	// fatal is an error after which the transaction must not be
	// committed.
	write func(ctx context.Context, g *groupTx) (err, fatal error)
	done  chan error
}

// groupTx is the transaction of one group, with its statements.
type groupTx struct {
	tx    *sql.Tx
	stmts map[*sql.Stmt]*sql.Stmt
}

// stmt returns the statement st of the store as part of the transaction.
func (g *groupTx) stmt(ctx context.Context, st *sql.Stmt) *sql.Stmt {
	t := g.stmts[st]
	if t == nil {
		t = g.tx.StmtContext(ctx, st)
		g.stmts[st] = t
	}
	return t
}

// exec runs one insert of a write: a key refusing it is the write's own
// error (SQLite undoes the statement, not the transaction); any other
// error is fatal.
func (g *groupTx) exec(ctx context.Context, st *sql.Stmt, args ...any) (err, fatal error) {
	_, err = g.stmt(ctx, st).ExecContext(ctx, args...)
	if err == nil {
		return nil, nil
	}
	if dup := duplicate(err); errors.Is(dup, collab.ErrDuplicate) {
		return dup, nil
	}
	return nil, err
}

// committer is the goroutine that commits op batches in groups.
type committer struct {
	reqs chan *commitReq
	quit chan struct{}
	wg   sync.WaitGroup

	// mu guards closed: once closed, nothing more is queued.
	mu     sync.RWMutex
	closed bool

	// observe, when set (by tests, before the first commit), is called
	// with each group's answers just before they are sent.
	observe func(errs []error)
}

func (s *Store) startCommitter() {
	s.commit = &committer{reqs: make(chan *commitReq, maxGroup), quit: make(chan struct{})}
	s.commit.wg.Add(1)
	go s.runCommitter()
}

// stopCommitter answers what is queued and stops the committer; it waits
// for a group in flight.
func (s *Store) stopCommitter() {
	c := s.commit
	if c == nil {
		return
	}
	c.mu.Lock()
	already := c.closed
	c.closed = true
	c.mu.Unlock()
	if !already {
		close(c.quit)
	}
	c.wg.Wait()
}

// errStoreClosed answers commits after Close.
var errStoreClosed = errors.New("the store is closed")

// CommitOps inserts ops, one doc at consecutive versions, all or none. The
// first insert refused by (doc, v) or (doc, src, seq) fails the batch with
// an error wrapping collab.ErrDuplicate, and CommitOps returns 0. Batches
// of several callers (of any docs) share one transaction and one fsync;
// CommitOps returns once that transaction is on disk.
func (s *Store) CommitOps(ctx context.Context, ops []collab.OpRecord) (int, error) {
	if len(ops) == 0 {
		return 0, nil
	}
	first := ops[0]
	for i, op := range ops {
		if op.Doc != first.Doc || op.V != first.V+int64(i) || op.V < 0 {
			return 0, fmt.Errorf("sqlite: commit ops: op %d is %q v%d after %q v%d: a batch is one doc at consecutive versions",
				i, op.Doc, op.V, first.Doc, first.V)
		}
		if err := checkJSON(op.Op); err != nil {
			return 0, fmt.Errorf("sqlite: commit op %q v%d: %w", op.Doc, op.V, err)
		}
	}
	err := s.commitInGroup(&commitReq{
		ctx:  ctx,
		what: func() string { return fmt.Sprintf("commit ops of %q", first.Doc) },
		write: func(ctx context.Context, g *groupTx) (error, error) {
			return insertBatch(ctx, g, s.insertOp, ops)
		},
	})
	if err != nil {
		return 0, err
	}
	return len(ops), nil
}

// SaveSnapshot inserts a snapshot; one already stored for (doc, v) is kept.
// It is written in the next group's transaction.
func (s *Store) SaveSnapshot(ctx context.Context, sn collab.SnapshotRecord) error {
	if err := checkJSON(sn.Data); err != nil {
		return fmt.Errorf("sqlite: save snapshot %q v%d: %w", sn.Doc, sn.V, err)
	}
	return s.commitInGroup(&commitReq{
		ctx:  ctx,
		what: func() string { return fmt.Sprintf("save snapshot %q v%d", sn.Doc, sn.V) },
		write: func(ctx context.Context, g *groupTx) (error, error) {
			return g.exec(ctx, s.insertSnapshot, sn.Doc, sn.V, jsonArg(sn.Data), sn.At.UnixMilli())
		},
	})
}

// commitInGroup queues req for the committer and waits for its answer.
func (s *Store) commitInGroup(req *commitReq) error {
	req.done = make(chan error, 1)
	c := s.commit
	c.mu.RLock()
	if c.closed {
		c.mu.RUnlock()
		return fmt.Errorf("sqlite: %s: %w", req.what(), errStoreClosed)
	}
	select {
	case c.reqs <- req:
		c.mu.RUnlock()
	case <-req.ctx.Done():
		c.mu.RUnlock()
		return fmt.Errorf("sqlite: %s: %w", req.what(), req.ctx.Err())
	}
	// Once queued, the answer is awaited even if ctx ends: the batch may
	// be in a transaction already, and only the committer knows whether
	// it was written. It answers within one transaction's time.
	return <-req.done
}

// commitDelay is how long the committer waits for more batches after the
// first when the last group had more than one: many documents are being
// written at once, and each transaction ends with an fsync whatever it
// holds. With one document busy (its actor already batches its ops) or
// none, nothing waits. (PostgreSQL's commit_delay is the same idea.)
const commitDelay = 2 * time.Millisecond

func (s *Store) runCommitter() {
	c := s.commit
	defer c.wg.Done()
	group := make([]*commitReq, 0, maxGroup)
	delay := time.NewTimer(time.Hour)
	delay.Stop()
	busy := false // the last group had more than one batch
	for {
		select {
		case req := <-c.reqs:
			group = append(group[:0], req)
		more:
			for len(group) < maxGroup {
				select {
				case req := <-c.reqs:
					group = append(group, req)
				default:
					break more
				}
			}
			if busy && len(group) < maxGroup {
				delay.Reset(commitDelay)
			wait:
				for len(group) < maxGroup {
					select {
					case req := <-c.reqs:
						group = append(group, req)
					case <-delay.C:
						break wait
					}
				}
				delay.Stop()
			}
			busy = len(group) > 1
			s.commitGroup(group)
			clear(group)
		case <-c.quit:
			// CommitOps queues nothing once closed is set; answer what it
			// queued before.
			for {
				select {
				case req := <-c.reqs:
					req.done <- fmt.Errorf("sqlite: %s: %w", req.what(), errStoreClosed)
				default:
					return
				}
			}
		}
	}
}

// commitGroup commits the batches of group in one transaction and answers
// each: nil once the transaction is committed, its own error if a key
// refused it, or the transaction's error.
func (s *Store) commitGroup(group []*commitReq) {
	errs := make([]error, len(group))
	answer := func() {
		if s.commit.observe != nil {
			s.commit.observe(errs) // before the callers go on
		}
		for i, req := range group {
			req.done <- errs[i]
		}
	}
	fail := func(err error) {
		for i, req := range group {
			if errs[i] == nil {
				errs[i] = fmt.Errorf("sqlite: %s: %w", req.what(), err)
			}
		}
		answer()
	}
	// The transaction outlives any one caller: a caller that has gone is
	// skipped below, before its batch is written.
	ctx := context.Background()
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		fail(err)
		return
	}
	defer func() { _ = tx.Rollback() }() // after Commit, a no-op
	g := &groupTx{tx: tx, stmts: map[*sql.Stmt]*sql.Stmt{}}
	written := 0
	for i, req := range group {
		if err := req.ctx.Err(); err != nil {
			errs[i] = fmt.Errorf("sqlite: %s: %w", req.what(), err)
			continue
		}
		err, fatal := req.write(ctx, g)
		if fatal != nil {
			// The transaction itself is in doubt: nothing of it is kept.
			fail(fatal)
			return
		}
		if err != nil {
			errs[i] = fmt.Errorf("sqlite: %s: %w", req.what(), err)
			continue
		}
		written++
	}
	if written == 0 {
		answer() // nothing to commit, nor to fsync
		return
	}
	if err := tx.Commit(); err != nil {
		fail(err)
		return
	}
	answer()
}

// insertBatch inserts one batch of ops, all or nothing. A batch refused by
// a key returns that error, and its inserts are undone.
func insertBatch(ctx context.Context, g *groupTx, insert *sql.Stmt, ops []collab.OpRecord) (err, fatal error) {
	// A failed insert undoes itself, so a batch of one needs no savepoint.
	savepoint := len(ops) > 1
	if savepoint {
		if _, err := g.tx.ExecContext(ctx, "SAVEPOINT batch"); err != nil {
			return nil, err
		}
	}
	for _, op := range ops {
		err, fatal := g.exec(ctx, insert, op.Doc, op.V, string(op.Kind), op.Src, op.Seq, op.By,
			op.At.UnixMilli(), jsonArg(op.Op))
		if fatal != nil {
			return nil, fmt.Errorf("commit op %q v%d: %w", op.Doc, op.V, fatal)
		}
		if err == nil {
			continue
		}
		if savepoint {
			if _, err := g.tx.ExecContext(ctx, "ROLLBACK TO batch"); err != nil {
				return nil, err
			}
			if _, err := g.tx.ExecContext(ctx, "RELEASE batch"); err != nil {
				return nil, err
			}
		}
		return fmt.Errorf("commit op %q v%d: %w", op.Doc, op.V, err), nil
	}
	if savepoint {
		if _, err := g.tx.ExecContext(ctx, "RELEASE batch"); err != nil {
			return nil, err
		}
	}
	return nil, nil
}
