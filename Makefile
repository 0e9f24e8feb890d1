# Temaplan: build, run and test. On a fresh clone with Go and Node.js:
#
#   make run    build the UI if needed and run one node at http://127.0.0.1:8080,
#               with the demo users (leader@demo.no, …, password "demo")
#   make test   everything CI runs, with the time of each stage
#   make bench  a short run of every benchmark scenario (cmd/temaplan-bench)
#
# The browser UI is not committed: it is built from frontend/ into
# frontend/dist, which the binary embeds (go:embed; only dist/.gitkeep is
# committed, so Go builds and vets before the UI is). -tags noui leaves
# the UI out.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

GO  ?= go
NPM ?= npm
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

# npm ci runs when node_modules is missing or older than the lock file;
# npm writes node_modules/.package-lock.json on every install.
UI_DEPS  := frontend/node_modules/.package-lock.json
UI_INDEX := frontend/dist/index.html
UI_SRC   := $(shell find frontend -path frontend/node_modules -prune -o -path frontend/dist -prune \
              -o -path frontend/test-results -prune -o -path frontend/e2e -prune -o -type f ! -name '*.go' -print 2>/dev/null)

.PHONY: help run build ui test multinode clean bench bench-bin \
        test-ui-deps test-ui test-vet test-fmt test-go test-bench test-e2e

help:
	@echo "make run        run one node at http://127.0.0.1:8080 (embedded SQLite, in-process bus, demo users)"
	@echo "make build      build bin/temaplan (static, UI embedded)"
	@echo "make test       npm ci, UI build, go vet, gofmt, go test -race, browser tests"
	@echo "make multinode  two nodes on :8081 and :8082 sharing FerretDB and redis-server"
	@echo "make bench      every benchmark scenario, short, shared and pinned cores; JSON lines in bench/results/"
	@echo "make clean      remove bin/ and frontend/dist"

$(UI_DEPS): frontend/package.json frontend/package-lock.json
	cd frontend && $(NPM) ci --no-audit --no-fund
	touch $@

$(UI_INDEX): $(UI_DEPS) $(UI_SRC)
	$(NPM) --prefix frontend run build

ui: $(UI_INDEX)

# -demo seeds Demo kommune, its users (leader@demo.no, …, password "demo")
# and a plan on the first start; see README.md.
run: ui
	$(GO) run -ldflags "$(LDFLAGS)" ./cmd/temaplan -demo

build: ui
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w $(LDFLAGS)" -o bin/temaplan ./cmd/temaplan

# test runs the stages in order and prints the time of each.
TEST_STAGES := test-ui-deps test-ui test-ui-unit test-vet test-fmt test-go test-fuzz test-bench test-e2e
test:
	@total=$$(date +%s); \
	for s in $(TEST_STAGES); do \
	  t=$$(date +%s); echo "==> $$s"; \
	  if ! $(MAKE) --no-print-directory $$s; then echo "<== $$s FAILED after $$(( $$(date +%s) - t ))s"; exit 1; fi; \
	  echo "<== $$s: $$(( $$(date +%s) - t ))s"; \
	done; \
	echo "make test: every stage passed in $$(( $$(date +%s) - total ))s"

test-ui-deps: $(UI_DEPS)

test-ui: $(UI_DEPS)
	$(NPM) --prefix frontend run build

test-ui-unit: $(UI_DEPS)
	$(NPM) --prefix frontend test

test-vet:
	$(GO) vet ./...

test-fmt:
	@out=$$(gofmt -l $$(find . -name '*.go' -not -path './frontend/node_modules/*' -not -path './.git/*')); \
	if [ -n "$$out" ]; then echo "gofmt -w needed for:"; echo "$$out"; exit 1; fi; echo "gofmt: clean"

# ferretdb-dev is built first (without -race): the MongoDB tests start it,
# and a cold build inside a test's TestMain would eat that test's timeout.
test-go:
	$(GO) build -o /dev/null ./cmd/ferretdb-dev
	$(GO) test -race -timeout 45m ./...

# Each fuzz target of the Delta OT runs briefly (a smoke run; longer runs
# are for `go test -fuzz=... -fuzztime=10m` by hand). The budget is a count
# of executions, not a duration: Go 1.26's fuzz coordinator can report a
# spurious "context deadline exceeded" when a duration runs out
# (golang/go#75804, fixed in Go 1.27).
FUZZ_TARGETS := FuzzTransformConvergence FuzzComposeAssociativity FuzzInvertRoundTrip FuzzUnmarshalNoPanic
test-fuzz:
	for f in $(FUZZ_TARGETS); do $(GO) test -run='^$$' -fuzz="^$$f$$" -fuzztime=60000x ./collab/delta; done
	$(GO) test -run='^$$' -fuzz='^FuzzReader$$' -fuzztime=60000x ./plainjson
	$(GO) test -run='^$$' -fuzz='^FuzzDecodeInMsg$$' -fuzztime=60000x ./server
	$(GO) test -run='^$$' -fuzz='^FuzzDecodePlanHead$$' -fuzztime=60000x ./collab

# A smoke run of the load generator: typing, and the fault drills (nodes
# killed, Redis and FerretDB restarted). It fails only when an
# acknowledged edit is lost or stored twice or the clients diverge, never
# on timing: the figures it prints are not judged.
test-bench: bench-bin
	$(BENCH) -scenario typing -steps 5,20 -warmup 1s -step-time 4s -deadline 30s
	$(BENCH) -scenario faults -clients 6 -ops 600 -max-pause 20ms -deadline 30s -recovery-timeout 10s

# The browser tests drive Debian's Chromium against the real binary.
test-e2e:
	$(NPM) --prefix frontend run test:e2e

# Two nodes on one machine: one FerretDB (cmd/ferretdb-dev) as the
# Mongo-compatible store, one redis-server, a shared secret in
# data/multinode/. Ctrl-C stops them all.
multinode: build
	$(GO) build -o bin/ferretdb-dev ./cmd/ferretdb-dev
	deploy/multinode.sh

# Benchmarks: cmd/temaplan-bench starts its own nodes (and FerretDB and
# redis-server) in a temporary directory and prints JSON lines, one per
# step and a summary per scenario (bench/results/README.md). make bench
# runs a short version of every scenario twice — servers and bench
# sharing the cores, then the servers pinned to CPU 0 (-taskset) — and
# appends the lines to bench/results/<date>.jsonl. The full step lists
# are the scenarios' defaults: $(BENCH) -scenario typing, and so on.
# BENCH_PASSES=shared runs the first pass only.
BENCH_DIR    := bin/bench
BENCH        := $(BENCH_DIR)/temaplan-bench -bin $(BENCH_DIR)/temaplan -ferretdb-bin $(BENCH_DIR)/ferretdb-dev
BENCH_OUT    ?= bench/results/$(shell date -u +%Y-%m-%d).jsonl
BENCH_PASSES ?= shared pinned

# The server is measured without the UI: it is not on any path measured.
bench-bin:
	$(GO) build -tags noui -ldflags "$(LDFLAGS)" -o $(BENCH_DIR)/temaplan ./cmd/temaplan
	$(GO) build -o $(BENCH_DIR)/ferretdb-dev ./cmd/ferretdb-dev
	$(GO) build -o $(BENCH_DIR)/temaplan-bench ./cmd/temaplan-bench

bench: bench-bin
	@mkdir -p $(dir $(BENCH_OUT))
	@for pass in $(BENCH_PASSES); do \
	  pin=; [[ $$pass == pinned ]] && pin=-taskset; \
	  echo "==> bench pass: $$pass"; \
	  set -x; \
	  $(BENCH) $$pin -scenario municipalities -steps 20,60 -warmup 2s -step-time 6s | tee -a $(BENCH_OUT); \
	  $(BENCH) $$pin -scenario typing -steps 10,50,150 -warmup 2s -step-time 6s | tee -a $(BENCH_OUT); \
	  $(BENCH) $$pin -scenario typing -spread -steps 50,150 -warmup 2s -step-time 6s | tee -a $(BENCH_OUT); \
	  $(BENCH) $$pin -scenario hot -steps 1,16,64 -warmup 2s -step-time 5s | tee -a $(BENCH_OUT); \
	  $(BENCH) $$pin -scenario idle -steps 1000,5000,10000 | tee -a $(BENCH_OUT); \
	  $(BENCH) $$pin -scenario multinode -authors 20 -warmup 2s -step-time 6s | tee -a $(BENCH_OUT); \
	  $(BENCH) $$pin -scenario faults -clients 12 -ops 3000 -max-pause 20ms | tee -a $(BENCH_OUT); \
	  set +x; \
	done
	@echo "bench: results appended to $(BENCH_OUT)"

clean:
	rm -rf bin
	find frontend/dist -mindepth 1 ! -name .gitkeep -delete
