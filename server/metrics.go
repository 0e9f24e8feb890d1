package server

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/temaplan/temaplan/collab"
)

// httpMetrics are the request counters and latencies of the HTTP server.
// Routes are labelled by their pattern (/api/plans/:id), never by the raw
// path, so the number of series stays bounded.
type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	// sockets counts the open WebSocket connections; frames and
	// messages what they were sent (several messages share a frame).
	sockets  prometheus.Gauge
	frames   prometheus.Counter
	messages prometheus.Counter
	// writeFactor is the write pressure's factor (pressure.go).
	writeFactor prometheus.Gauge
	// errors counts the errors answered, by where (http, ws) and code.
	errors *prometheus.CounterVec
}

func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "temaplan_http_requests_total",
			Help: "HTTP requests answered, by method, route pattern and status code.",
		}, []string{"method", "route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "temaplan_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by method and route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"method", "route"}),
		sockets: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "temaplan_websocket_connections",
			Help: "Open WebSocket connections (browser tabs) on this node.",
		}),
		frames: counter("temaplan_websocket_frames_sent_total",
			"WebSocket data frames written (each one write system call)."),
		messages: counter("temaplan_websocket_messages_sent_total",
			"Protocol messages sent over WebSocket, several to a frame when they wait together."),
		writeFactor: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "temaplan_websocket_write_wait_factor",
			Help: "How many times longer than usual the WebSocket writes to other clients wait to be joined (1-4): above 1 while the node is short of CPU.",
		}),
		errors: errorCounter(),
	}
	m.writeFactor.Set(1)
	reg.MustRegister(m.requests, m.duration, m.sockets, m.frames, m.messages, m.writeFactor, m.errors)
	return m
}

// errorCounter is temaplan_errors_total, shared by the HTTP server (source
// http), the WebSocket messages (ws) and the engine's answers to ops (op).
// The codes are the API's stable error codes, a bounded set.
func errorCounter() *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "temaplan_errors_total",
		Help: "Errors answered, by source (http, ws, op) and stable error code.",
	}, []string{"source", "code"})
}

// counter returns a counter without labels.
func counter(name, help string) prometheus.Counter {
	return prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
}

// failed counts an error answered to a client.
func (m *httpMetrics) failed(source string, code collab.Code) {
	m.errors.WithLabelValues(source, string(code)).Inc()
}

func (m *httpMetrics) observe(method, route string, status int, d time.Duration) {
	m.requests.WithLabelValues(method, route, statusLabel(status)).Inc()
	m.duration.WithLabelValues(method, route).Observe(d.Seconds())
}

// outboxGauge is temaplan_mail_outbox_depth: the e-mails stored and not yet
// sent or given up, read from the store at every scrape (-1 when the store
// does not answer within a second).
func outboxGauge(depth func(context.Context) (int, error), log *slog.Logger) prometheus.Collector {
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "temaplan_mail_outbox_depth",
		Help: "E-mails in the outbox not yet sent (or given up); -1 when the store did not answer.",
	}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		n, err := depth(ctx)
		if err != nil {
			log.Warn("outbox depth not read", "err", err)
			return -1
		}
		return float64(n)
	})
}

// MetricsHandler returns the handler of the metrics listener: /metrics in
// the Prometheus text format from reg, and the profiling endpoints under
// /debug/pprof/. It is meant for a separate, private listener
// (TEMAPLAN_ADMIN_ADDR), never the public one.
func MetricsHandler(reg *prometheus.Registry) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// EngineMetrics records the collaboration engine's measurements in
// Prometheus: commit round trips and ops committed, and the bus lag
// between nodes. It implements collab.EngineMetrics.
type EngineMetrics struct {
	commits  *prometheus.HistogramVec
	ops      prometheus.Counter
	busLag   prometheus.Histogram
	gapFills prometheus.Counter
	resends  prometheus.Counter
	refused  *prometheus.CounterVec
}

var _ collab.EngineMetrics = (*EngineMetrics)(nil)

// NewEngineMetrics returns the engine's metrics, registered with reg.
func NewEngineMetrics(reg prometheus.Registerer) *EngineMetrics {
	m := &EngineMetrics{
		commits: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "temaplan_commit_duration_seconds",
			Help:    "Time of one commit round trip to the store, by batch size class.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1},
		}, []string{"batch"}),
		ops: counter("temaplan_ops_committed_total",
			"Ops committed by this node."),
		busLag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "temaplan_bus_lag_seconds",
			Help:    "Delay between an op's commit on another node and its arrival here.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 5},
		}),
	}
	m.gapFills = counter("temaplan_gap_fill_ops_total",
		"Ops read from the store because the bus lost, delayed or never carried them to this node.")
	m.resends = counter("temaplan_resends_total",
		"Submitted ops recognised as resends of committed ops (acknowledged, not committed again).")
	m.refused = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "temaplan_ops_refused_total",
		Help: "Submitted ops answered with an error, by stable error code.",
	}, []string{"code"})
	reg.MustRegister(m.commits, m.ops, m.busLag, m.gapFills, m.resends, m.refused)
	return m
}

// GapFilled records n ops read from the log for want of the bus.
func (m *EngineMetrics) GapFilled(n int) { m.gapFills.Add(float64(n)) }

// Resent records a resend recognised.
func (m *EngineMetrics) Resent() { m.resends.Inc() }

// Refused records an op answered with an error of code.
func (m *EngineMetrics) Refused(code collab.Code) { m.refused.WithLabelValues(string(code)).Inc() }

// Committed records a commit round trip of n ops.
func (m *EngineMetrics) Committed(n int, d time.Duration) {
	batch := "1"
	switch {
	case n > 10:
		batch = "11+"
	case n > 1:
		batch = "2-10"
	}
	m.commits.WithLabelValues(batch).Observe(d.Seconds())
	m.ops.Add(float64(n))
}

// BusLag records the delay of an op that came from another node.
func (m *EngineMetrics) BusLag(d time.Duration) { m.busLag.Observe(d.Seconds()) }
