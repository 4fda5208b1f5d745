# tlsdissect — build, test and demo.
#   make            optimised binary at build/tlsdissect
#   make demo       install what is missing, build, run on a bundled capture
#   make test       install what is missing, run every test (unit, golden,
#                   cross-check, invariance, sanitizers, fuzz smoke)
#   make regen      regenerate src/tls/registry_tables.c and include/tlsdissect/codepoints.h
#                   from tools/iana/*.csv (make regen-check: are the committed ones current?)
#   make update-expected   rewrite tests/expected/* from the current binary (review the diff!)
#   make install    binary, man page and bash completion under $(DESTDIR)$(PREFIX)

CC      ?= cc
PKGS    := libpcap libcjson libcrypto zlib libzstd liblzma libbrotlidec
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lpcap -lcjson -lcrypto -lz -lzstd -llzma -lbrotlidec)
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla \
           -Wformat=2 -Wno-format-nonliteral
CSTD    := -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L
CFLAGS  ?= -O2 -g
ALL_CFLAGS = $(CSTD) $(WARN) $(CFLAGS) -Iinclude -Isrc $(PKG_CFLAGS) -MMD -MP

SRC_LIB := $(sort $(wildcard src/common/*.c src/net/*.c src/tls/*.c src/model/*.c \
                              src/output/*.c src/engine/*.c src/capture/*.c \
                              src/quic/*.c src/dtls/*.c))
SRC_CLI := $(sort $(wildcard src/cli/*.c))

BUILD   ?= build
LIB_OBJ := $(SRC_LIB:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/report_assets.o
CLI_OBJ := $(SRC_CLI:%.c=$(BUILD)/obj/%.o)

.PHONY: all deps test-deps demo test bench-smoke unit golden cli corpus crosscheck invariance hostile html-test memcheck asan-test fuzz fuzz-smoke \
        regen regen-check update-expected clean bench stress install print-libs

all: $(BUILD)/tlsdissect

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# The --html report's stylesheet and script, compiled in as C arrays (src/output/html.c).
REPORT_ASSETS := src/output/report/report.css src/output/report/report.js
$(BUILD)/report_assets.c: $(REPORT_ASSETS) tools/embed-assets.sh
	@mkdir -p $(dir $@)
	tools/embed-assets.sh $(REPORT_ASSETS) > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/report_assets.o: $(BUILD)/report_assets.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/libtlsdissect.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/tlsdissect: $(CLI_OBJ) $(BUILD)/libtlsdissect.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)

deps:
	tools/install-deps.sh build

test-deps:
	tools/install-deps.sh test

REGEN_OUT := src/tls/registry_tables.c include/tlsdissect/codepoints.h

regen:
	$(PYTHON) tools/gen-registry.py

# The generated files are what the generator makes from the committed CSVs (no network).
regen-check:
	@rm -rf $(BUILD)/regen-check
	$(PYTHON) tools/gen-registry.py --out-dir $(BUILD)/regen-check
	@for f in $(REGEN_OUT); do \
	    diff -u $$f $(BUILD)/regen-check/$$f || { echo "regen-check: $$f is stale or hand-edited: run make regen" >&2; exit 1; }; \
	done; echo "regen-check: generated files are current"

clean:
	rm -rf build build-asan build-fuzz build-cov

PREFIX  ?= /usr/local
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 755 $(BUILD)/tlsdissect $(DESTDIR)$(PREFIX)/bin/tlsdissect
	install -m 644 docs/tlsdissect.1 $(DESTDIR)$(PREFIX)/share/man/man1/tlsdissect.1
	install -m 644 tools/completion/tlsdissect.bash \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions/tlsdissect

# ---- tests -------------------------------------------------------------------
CORPUS  ?= ../shared/corpus
PYTHON  ?= $(or $(wildcard /usr/bin/python3),python3)
ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
export TZ := UTC

-include tests/unit/unit.mk
-include tests/fuzz/fuzz.mk

demo: deps
	@$(MAKE) -s all
	@echo
	@echo '$$ build/tlsdissect -r tests/pcaps/tls13-hrr.pcap --explain'
	@build/tlsdissect -r tests/pcaps/tls13-hrr.pcap --explain
	@echo '$$ build/tlsdissect -r tests/pcaps/tls12-resume-session-id.pcap --json | head -n 3'
	@build/tlsdissect -r tests/pcaps/tls12-resume-session-id.pcap --json | head -n 3

test: test-deps
	$(MAKE) regen-check
	$(MAKE) all
	$(MAKE) unit
	$(MAKE) golden
	$(MAKE) cli
	$(MAKE) corpus
	$(MAKE) crosscheck
	$(MAKE) invariance
	$(MAKE) hostile
	$(MAKE) html-test
	$(MAKE) asan-test
	$(MAKE) memcheck
	$(MAKE) fuzz-smoke
	$(MAKE) bench-smoke
	@echo "make test: all passed"

golden: all
	tests/golden/run.sh

update-expected: all
	tests/golden/run.sh --update

cli: all
	tests/cli/run.sh
	tests/cli/check.sh
	tests/cli/live.sh
	tests/cli/install.sh

corpus: all
	@if [ -f $(CORPUS)/expected-values.json ]; then \
	    $(PYTHON) tests/corpus/check-corpus.py $(CORPUS); \
	else echo "corpus: $(CORPUS) not present, skipped"; fi

crosscheck: all
	tools/crosscheck-all.sh

invariance: all
	$(PYTHON) tests/invariance/pcaplib_test.py
	$(PYTHON) tests/invariance/run.py

# Valgrind memcheck over every fixture, derived and hostile capture (no leaks, no errors).
memcheck: all
	tests/memcheck.sh

# Crafted hostile captures (tools/hostile.py): small in make test, full size in make stress.
hostile: all
	$(PYTHON) tests/hostile/run.py

# The --html report in headless Chromium (skipped, saying so, when chromium is not installed);
# screenshots in $(BUILD)/html-test.
html-test: all
	$(PYTHON) tests/html/run.py --tlsdissect $(BUILD)/tlsdissect --out $(BUILD)/html-test

stress: all
	$(PYTHON) tests/hostile/run.py --scale full

# The whole suite again with AddressSanitizer and UndefinedBehaviorSanitizer.
asan-test:
	$(MAKE) BUILD=build-asan CFLAGS='$(ASAN_FLAGS)' LDFLAGS='-fsanitize=address,undefined' all unit
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    tests/golden/run.sh --tlsdissect build-asan/tlsdissect
	@if [ -f $(CORPUS)/expected-values.json ]; then \
	    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1 \
	    $(PYTHON) tests/corpus/check-corpus.py --tlsdissect build-asan/tlsdissect $(CORPUS); fi

# ---- benchmark (not part of make test: ratios against a bare libpcap loop) ----
bench: all
	$(PYTHON) tools/bench/run.py

# The benchmark's programs still build and run (2 MB and 1,000 flows, one run: no timing judged).
bench-smoke: all
	$(PYTHON) tools/bench/run.py --megabytes 2 --runs 1 --bulk-megabytes 0 --flows 1000 --no-peers \
	    --inputs $(BUILD)/bench-smoke

# What the library links with (the benchmark's own programs link the same).
print-libs:
	@echo $(PKG_LIBS)
