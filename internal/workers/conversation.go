package workers

import (
	"context"
	"errors"

	"github.com/riverqueue/river"

	"github.com/openteli/teli/internal/jobargs"
	"github.com/openteli/teli/internal/service/conversation"
)

// jobWorker does the jobs of one kind by calling do with their arguments. For work that also
// runs in process, do is the method the use-case hands work.Soon, so both paths do the same.
type jobWorker[J river.JobArgs] struct {
	river.WorkerDefaults[J]
	do func(context.Context, J) error
}

func (w *jobWorker[J]) Work(ctx context.Context, job *river.Job[J]) error {
	return w.do(ctx, job.Args)
}

type aiReplyWorker struct {
	river.WorkerDefaults[jobargs.AIReply]
	conversation *conversation.Service
}

func (w *aiReplyWorker) Work(ctx context.Context, job *river.Job[jobargs.AIReply]) error {
	err := w.conversation.Reply(ctx, job.Args)
	if err != nil && job.Attempt >= job.MaxAttempts {
		// Nothing accepted is dropped: the message the model could not answer waits for a person.
		return errors.Join(err, w.conversation.GiveUpReply(ctx, job.Args))
	}
	return err
}
