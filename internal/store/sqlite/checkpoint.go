package sqlite

import (
	"context"
	"database/sql"
	"log/slog"
	"time"
)

// checkpointInterval is how often the WAL is folded back into the database file.
const checkpointInterval = time.Second

// checkpointer moves WAL checkpoints off the writer connection. SQLite's automatic checkpoint
// runs on whichever connection commits the 1000th WAL page, so every few hundred inserts one
// API request would pay for a checkpoint and its fsync while every write queued behind it waits.
// The writer turns automatic checkpoints off (wal_autocheckpoint(0)) and this goroutine runs a
// PASSIVE checkpoint — which never blocks readers or the writer — on a connection of its own.
type checkpointer struct {
	db   *sql.DB
	log  *slog.Logger
	stop chan struct{}
	done chan struct{}
}

func startCheckpointer(ctx context.Context, path string, log *slog.Logger) (*checkpointer, error) {
	db, err := openDB(ctx, path, poolCheckpoint)
	if err != nil {
		return nil, err
	}
	c := &checkpointer{db: db, log: log, stop: make(chan struct{}), done: make(chan struct{})}
	go c.loop()
	return c, nil
}

func (c *checkpointer) loop() {
	defer close(c.done)
	tick := time.NewTicker(checkpointInterval)
	defer tick.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-tick.C:
			if _, err := c.db.Exec(`PRAGMA wal_checkpoint(PASSIVE)`); err != nil {
				c.log.Warn("sqlite: WAL checkpoint failed", "err", err)
			}
		}
	}
}

// close stops the loop and truncates the WAL, so a closed database is one file again.
func (c *checkpointer) close() error {
	close(c.stop)
	<-c.done
	_, _ = c.db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`) // best effort: the WAL is replayed on open
	return c.db.Close()
}
