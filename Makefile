# enricher: `make run` starts everything embedded; `make test` runs the
# tests on the embedded Kafka and SQLite; `make test-integration` runs the
# same tests on a real Apache Kafka and PostgreSQL (`make services-up`).

GO       ?= go
GOBIN    := $(shell $(GO) env GOPATH)/bin
PKGS     := ./...
RUN_ARGS ?=

# Inputs per fuzz target. A count, not a duration: with a duration, Go up to
# 1.26 can fail a target at the deadline with "context deadline exceeded"
# and no failing input (golang/go#75804).
FUZZTIME ?= 100000x
# package:target of every fuzz target; `make fuzz` runs each for FUZZTIME.
FUZZ := ./contactcsv:FuzzReader ./contactcsv:FuzzHeaderMapping \
	./processors/emailsyntax:FuzzParse ./processors/emailsyntax:FuzzSuggest \
	./processors/companymatch:FuzzNormalize \
	./schema:FuzzDecodeRawResultBatch ./schema:FuzzMarshal ./contactcsv:FuzzWriter \
	./store:FuzzDecodeFields

.PHONY: run build test test-integration test-faults faults-down lint fuzz bench generate services-up services-down clean

run: ## API, worker and aggregator on an embedded Kafka (127.0.0.1:9092) and SQLite (./data)
	$(GO) run ./cmd/enricher dev $(RUN_ARGS)

build:
	$(GO) build -o bin/enricher ./cmd/enricher

test: ## unit and end-to-end tests on the embedded Kafka and SQLite, race detector on
	$(GO) test -race -count=1 -timeout 15m $(PKGS)

test-integration: ## the same tests on the real Kafka and PostgreSQL of `make services-up`
	@if [ -f .services.env ]; then set -a; . ./.services.env; set +a; \
	elif [ "$$ENRICHER_ALLOW_SKIP" != 1 ]; then \
		echo "no .services.env: run 'make services-up' first (ENRICHER_ALLOW_SKIP=1 skips instead)" >&2; exit 1; fi; \
	ENRICHER_INTEGRATION=1 $(GO) test -race -count=1 -p 1 -timeout 20m $(PKGS)

# The fault tests kill and stop their Kafka and PostgreSQL, so they get their
# own (state in .services-faults, env in .services-faults.env), never the
# shared ones of `make services-up`.
FAULTS_DIR := $(CURDIR)/.services-faults
FAULTS_ENV := ENRICHER_SERVICES_DIR=$(FAULTS_DIR) ENRICHER_SERVICES_ENV=$(CURDIR)/.services-faults.env \
	KAFKA_PORT=19092 KAFKA_CONTROLLER_PORT=19093 POSTGRES_PORT=15432 KAFKA_HEAP_OPTS="-Xmx512m -Xms128m"

test-faults: ## kill and stop processes, Kafka and PostgreSQL mid-job (own services on 19092 and 15432)
	@export $(FAULTS_ENV); scripts/services-up.sh || exit 1; \
	set -a; . ./.services-faults.env; set +a; \
	$(GO) build -o $(FAULTS_DIR)/bin/enricher ./cmd/enricher && \
	ENRICHER_FAULTS=1 ENRICHER_BIN=$(FAULTS_DIR)/bin/enricher \
		$(GO) test -race -count=1 -run TestFault -timeout 20m -v ./cmd/enricher/; \
	status=$$?; scripts/services-down.sh; exit $$status

faults-down: ## stop the fault tests' services (test-faults does at its end)
	@export $(FAULTS_ENV); scripts/services-down.sh

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GOBIN)/staticcheck $(PKGS)

fuzz: ## each fuzz target for FUZZTIME (seed corpora run in `make test` too)
	@for f in $(FUZZ); do pkg=$${f%%:*}; target=$${f##*:}; \
		echo "fuzz $$target ($$pkg, $(FUZZTIME))"; \
		$(GO) test -run='^$$' -fuzz="^$$target\$$" -fuzztime=$(FUZZTIME) -fuzzminimizetime=2s $$pkg || exit 1; done

# `make bench` runs the micro-benchmarks, then the whole pipeline on
# BENCH_ROWS generated contacts (`enricher bench`, README "Performance"): on
# the real Kafka and PostgreSQL when .services.env is there, and embedded.
BENCH_ROWS ?= 1000000
BENCH_ARGS ?=
BENCH_BIN  := $(CURDIR)/bin/enricher
# enricher bench with the services' addresses, if they run.
BENCH_RUN = if [ -f .services.env ]; then set -a; . ./.services.env; set +a; fi; $(BENCH_BIN) bench

.PHONY: bench-ci bench-pipeline

bench: ## the micro-benchmarks, then the whole pipeline on BENCH_ROWS contacts, with their figures
	$(GO) test -run='^$$' -bench=. -benchtime=1x ./processors/emailverify/ ./processors/companymatch/ ./processors/dnscheck/
	$(GO) test -run='^$$' -bench=. -benchtime=2s ./contactcsv/ ./processors/emailsyntax/ ./schema/ ./streams/
	$(GO) test -run='^$$' -bench=. -benchtime=5x ./store/ ./graph/
	$(MAKE) bench-pipeline

bench-pipeline: ## only `enricher bench` on BENCH_ROWS contacts (both stacks)
	$(GO) build -o $(BENCH_BIN) ./cmd/enricher
	@$(BENCH_RUN) --rows $(BENCH_ROWS) $(BENCH_ARGS)

bench-ci: ## `enricher bench` on 10,000 contacts, both stacks (CI)
	$(GO) build -o $(BENCH_BIN) ./cmd/enricher
	@$(BENCH_RUN) --rows 10000 --timeout 5m --out $(CURDIR)/bin/bench-ci.json $(BENCH_ARGS)

generate: ## regenerate the GraphQL code from schema/*.graphqls
	$(GO) tool gqlgen generate

services-up: ## start (installing if needed) Apache Kafka and PostgreSQL on loopback
	scripts/services-up.sh

services-down:
	scripts/services-down.sh

clean:
	rm -rf bin data
