package collab

import "context"

// Bus carries messages between the nodes that serve the same plans: the ops
// of each document and the events and presence of each plan. It is best
// effort by design — a lost message only delays delivery, because receivers
// fill gaps from the op log — so it never stores anything.
//
// Two implementations: MemoryBus (one node, in this package) and
// collab/redis (Redis pub/sub, several nodes).
type Bus interface {
	// Publish sends data to every subscriber of channel, on every node,
	// including the publishing node's own subscribers. It returns within a
	// bound of its own even when ctx has no deadline (a bus that cannot be
	// reached is an error, not a wait).
	Publish(ctx context.Context, channel string, data []byte) error
	// Subscribe registers h for channel until the returned cancel function
	// is called. h.Resync is called every time the subscription is
	// (re)confirmed — after the first subscribe and after every reconnect —
	// because any message published while not subscribed may be lost: the
	// subscriber catches up from the store then.
	Subscribe(ctx context.Context, channel string, h BusHandler) (cancel func(), err error)
	// Ping reports whether the bus answers.
	Ping(ctx context.Context) error
	// Describe names the bus for the start-up log without credentials,
	// e.g. "in-process" or "redis 127.0.0.1:6379".
	Describe() string
	// Close stops the bus; subscriptions end.
	Close() error
}

// BusHandler receives the messages of one subscription. The bus calls its
// functions from one goroutine per subscription, in arrival order; they must
// not block for long (hand the message to a bounded queue).
type BusHandler struct {
	// Message is called with each message's data.
	Message func(data []byte)
	// Resync is called when the subscription is confirmed, initially and
	// after each reconnect. It may be nil.
	Resync func()
}

// DocChannel is the bus channel of a section document's ops.
func DocChannel(doc string) string { return "doc:" + doc }

// PlanChannel is the bus channel of a plan's events and presence.
func PlanChannel(plan string) string { return "plan:" + plan }
