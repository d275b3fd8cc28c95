# launchcheck — the HustleXP production launch checklist as Go tests.
# `make` alone prints this help. README.md says the same things in the same order.

SHELL     := /bin/bash
GO        ?= go
TAGS_ALL  := prelaunch t0 day1 week1
REPORTS   ?= reports
LC        := $(REPORTS)/.bin/launchcheck
# Live runs: no caching, a hard ceiling on the whole run.
LIVE_FLAGS := -count=1 -timeout=45m
comma     := ,

.DEFAULT_GOAL := help
.PHONY: help setup setup-test setup-rehearse bench-gate test failcov vet fuzz race rehearse prelaunch t0 day1 week1 report doctor sweep harden bench env lint-workflows clean

help: ## this list
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

setup: setup-test ## install what is missing for rehearse and test (idempotent; scripts/setup.sh --dry-run shows it)

setup-test:
	@scripts/setup.sh test

setup-rehearse:
	@scripts/setup.sh rehearse

# Failure coverage (README "Failure coverage"): the phase packages' self-tests run once, with coverage of
# their check code; internal/failcov then lists every failure statement no self-test executed.
PHASE_PKGS    := ./launch ./smoke ./functional ./postlaunch ./internal/dbcheck
FAILCOV_OUT   := $(REPORTS)/failcov.out
FAILCOV_FLOOR ?= 90
FAILCOV       := $(GO) run ./internal/failcov/cmd -profile $(FAILCOV_OUT) -floor $(FAILCOV_FLOOR)

test: setup-test vet ## the project's own tests: unit tests + every self-test (pass on the rehearsal, fail on each fault) + failure-coverage gate + a short fuzz
	@mkdir -p $(REPORTS)
	status=0; \
	$(GO) test -count=1 -timeout=30m -coverpkg=$(subst $(eval) ,$(comma),$(PHASE_PKGS)) -coverprofile=$(FAILCOV_OUT) $(PHASE_PKGS) || status=1; \
	$(FAILCOV) -summary || status=1; \
	$(GO) test -count=1 -timeout=30m $$($(GO) list ./... | grep -vE '/(launch|smoke|functional|postlaunch)$$') || status=1; \
	exit $$status
	$(GO) test -count=1 -run '^$$' -fuzz FuzzLoad -fuzztime 10s ./internal/config

vet: ## gofmt + go vet of both builds: untagged (the project's tests) and every phase tag (the checklist)
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...
	$(GO) vet -tags '$(TAGS_ALL)' ./...

failcov: ## failure coverage alone: the phase self-tests with coverage, then every failure statement no self-test reached
	@mkdir -p $(REPORTS)
	@$(GO) test -count=1 -timeout=30m -coverpkg=$(subst $(eval) ,$(comma),$(PHASE_PKGS)) -coverprofile=$(FAILCOV_OUT) $(PHASE_PKGS) >$(REPORTS)/failcov.log 2>&1 \
	  || { echo "self-tests failed (coverage still judged): see $(REPORTS)/failcov.log"; grep -E '^(--- FAIL|FAIL|ok)' $(REPORTS)/failcov.log; }
	@$(FAILCOV)

fuzz: ## fuzz the configuration loader for a minute
	$(GO) test -run '^$$' -fuzz FuzzLoad -fuzztime 60s ./internal/config

race: ## the race detector over the project's own tests
	$(GO) test -race -count=1 -timeout=40m ./...

$(LC): $(shell git ls-files 'cmd/*.go' 'internal/*.go' 'fixtures/*' 2>/dev/null)
	@mkdir -p $(REPORTS)/.bin
	$(GO) build -o $(LC) ./cmd/launchcheck

rehearse: setup-rehearse $(LC) ## THE MAIN JOB: the whole checklist (55 rows, all phases) against the local rehearsal, with a report
	@mkdir -p $(REPORTS)
	set -o pipefail; HUSTLEXP_TARGET=rehearsal $(GO) test -count=1 -timeout=30m -tags '$(TAGS_ALL)' -json ./... \
	  | tee $(REPORTS)/rehearsal.jsonl \
	  | $(LC) report --phase all --progress --md $(REPORTS)/rehearsal.md --json $(REPORTS)/rehearsal.json \
	      --html $(REPORTS)/rehearsal.html --junit $(REPORTS)/rehearsal.junit.xml; \
	  status=$$?; cat $(REPORTS)/rehearsal.md; exit $$status

prelaunch: phase-prelaunch ## T-7: Infrastructure, Security, Database, Monitoring, Rollback readiness, against HUSTLEXP_TARGET
t0: phase-t0 ## launch day: smoke, functional, go/no-go (the gate) against HUSTLEXP_TARGET
day1: phase-day1 ## nightly Day 1 checks against HUSTLEXP_TARGET
week1: phase-week1 ## nightly Week 1 checks against HUSTLEXP_TARGET

phase-%: $(LC)
	@case "$${HUSTLEXP_TARGET:-rehearsal}" in rehearsal) scripts/setup.sh rehearse;; esac
	@mkdir -p $(REPORTS)
	set -o pipefail; $(GO) test $(LIVE_FLAGS) -tags $* -json ./... \
	  | tee $(REPORTS)/$*.jsonl \
	  | $(LC) report --phase $* --progress --md $(REPORTS)/$*.md --json $(REPORTS)/$*.json \
	      --html $(REPORTS)/$*.html --junit $(REPORTS)/$*.junit.xml; \
	  status=$$?; cat $(REPORTS)/$*.md; exit $$status

report: $(LC) ## re-render the report of the last rehearsal from reports/rehearsal.jsonl
	$(LC) report --phase all --md $(REPORTS)/rehearsal.md --json $(REPORTS)/rehearsal.json < $(REPORTS)/rehearsal.jsonl; cat $(REPORTS)/rehearsal.md

doctor: $(LC) ## which rows can run against HUSTLEXP_TARGET, which lack configuration, which are waived
	$(LC) doctor

sweep: $(LC) ## remove leftovers of crashed runs (refuses production without --production)
	$(LC) sweep

harden: ## the slow end-to-end hardening tests (black-hole target, residue, canary scan of a full run)
	HUSTLEXP_HARDEN=1 $(GO) test -count=1 -timeout=30m -run 'Harden' ./...

bench-gate: ## time the launch-day gate (cold and warm build cache) and make rehearse, each beside its goal
	@scripts/bench-gate.sh

bench: ## production-scale benchmarks (DAY-2 on 1M escrows, WK-3 on 200k users)
	$(GO) test -run '^$$' -bench . -benchtime 1x -timeout 60m ./postlaunch/

env: $(LC) ## rewrite .env.example, the README env table and the workflow env blocks after changing variables or a row's Needs
	$(LC) env --sync

lint-workflows: ## actionlint over .github/workflows (when actionlint is installed)
	@command -v actionlint >/dev/null && actionlint || echo "actionlint not installed: go install github.com/rhysd/actionlint/cmd/actionlint@latest"

clean: ## remove reports and the built CLI
	rm -rf $(REPORTS)
