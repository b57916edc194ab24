# enricher: `make run` starts everything embedded; `make test` runs the
# tests on the embedded Kafka and SQLite; `make test-integration` runs the
# same tests on a real Apache Kafka and PostgreSQL (`make services-up`).

GO       ?= go
GOBIN    := $(shell $(GO) env GOPATH)/bin
PKGS     := ./...
RUN_ARGS ?=

FUZZTIME ?= 10s
# package:target of every fuzz target; `make fuzz` runs each for FUZZTIME.
FUZZ := ./contactcsv:FuzzReader ./contactcsv:FuzzHeaderMapping \
	./processors/emailsyntax:FuzzParse ./processors/emailsyntax:FuzzSuggest \
	./processors/companymatch:FuzzNormalize

.PHONY: run build test test-integration lint fuzz bench generate services-up services-down clean

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

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GOBIN)/staticcheck $(PKGS)

fuzz: ## each fuzz target for FUZZTIME (seed corpora run in `make test` too)
	@for f in $(FUZZ); do pkg=$${f%%:*}; target=$${f##*:}; \
		echo "fuzz $$target ($$pkg, $(FUZZTIME))"; \
		$(GO) test -run='^$$' -fuzz="^$$target\$$" -fuzztime=$(FUZZTIME) -fuzzminimizetime=2s $$pkg || exit 1; done

bench: ## the benchmarks, with their figures
	$(GO) test -run='^$$' -bench=. -benchtime=1x ./processors/emailverify/ ./processors/companymatch/ ./processors/dnscheck/
	$(GO) test -run='^$$' -bench=. -benchtime=2s ./contactcsv/ ./processors/emailsyntax/

generate: ## regenerate the GraphQL code from schema/*.graphqls
	$(GO) tool gqlgen generate

services-up: ## start (installing if needed) Apache Kafka and PostgreSQL on loopback
	scripts/services-up.sh

services-down:
	scripts/services-down.sh

clean:
	rm -rf bin data
