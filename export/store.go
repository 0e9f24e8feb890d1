package export

import (
	"context"
	"time"
)

// Record is an export job as a Store keeps it: the job, its file once it
// is done, and when the node running it last wrote it.
type Record struct {
	Job     Job
	File    []byte
	Updated time.Time
}

// Store keeps export jobs where every node reads them, so that the status
// and the file of a job one node runs can be asked of any node (several
// nodes behind a round-robin proxy). Only the node that runs a job writes
// its record, so a save simply replaces it; a record is a cache of derived
// data, and nothing is lost when it goes.
type Store interface {
	// SaveExport writes r, replacing the record of the same job id.
	SaveExport(ctx context.Context, r Record) error
	// LoadExport returns the record of the job with id, if any.
	LoadExport(ctx context.Context, id string) (Record, bool, error)
	// ForgetExports deletes the records last written before before and
	// returns how many it deleted.
	ForgetExports(ctx context.Context, before time.Time) (int, error)
}

// MaxStoredFile bounds a file kept in a Store: a MongoDB document holds
// 16 MB.
const MaxStoredFile = 15 << 20
