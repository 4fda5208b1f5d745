# tests/fuzz/fuzz.mk — libFuzzer targets, included by the top-level Makefile.
#   make fuzz-build     build-fuzz/fuzz_{tls_stream,message,pcap,keylog,decrypt,decrypt12,udp} and the seeds
#   make fuzz           each target for FUZZ_SECONDS (default 60), corpora kept
#                       in build-fuzz/corpus/<target>/; fails on any crash, leak,
#                       timeout or out-of-memory
#   make fuzz-smoke     fuzz-regress, then each target for FUZZ_SMOKE_SECONDS (10) from the seeds
#                       (fixed -seed, scratch corpus): part of `make test`
#   make fuzz-regress   each target once over tests/fuzz/regressions/<target>/*
# Uses the top-level SRC_LIB, PKG_CFLAGS, PKG_LIBS, WARN, CSTD and PYTHON.
# Everything is compiled with clang into build-fuzz/ (never $(BUILD)).

ifndef TD_FUZZ_MK
TD_FUZZ_MK := 1

FUZZ_CC      ?= clang
FUZZ_DIR     := build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_SEED    ?= 1
FUZZ_SMOKE_SECONDS ?= 10
FUZZ_TARGETS := fuzz_tls_stream fuzz_message fuzz_pcap fuzz_keylog fuzz_decrypt fuzz_decrypt12 fuzz_udp
FUZZ_BINS    := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/%)
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS  := $(CSTD) $(filter-out -Werror,$(WARN)) -O1 -g -fno-omit-frame-pointer \
                $(FUZZ_SAN) -Iinclude -Isrc $(PKG_CFLAGS) -MMD -MP
FUZZ_LIB_OBJ := $(SRC_LIB:%.c=$(FUZZ_DIR)/obj/%.o)
FUZZ_SEEDS   := $(FUZZ_DIR)/seeds/.stamp
FUZZ_FIXTURES := $(wildcard tests/pcaps/*.pcap tests/pcaps/derived/*.pcap tests/pcaps/derived/*.pcapng \
                              tests/pcaps/hostile/*.pcap tests/pcaps/hostile/*.pcapng \
                              tests/pcaps/*.keylog tests/pcaps/derived/*.keylog)

# per target: -max_len
FUZZ_MAXLEN_fuzz_pcap       := 65536
FUZZ_MAXLEN_fuzz_tls_stream := 16384
FUZZ_MAXLEN_fuzz_message    := 8192
FUZZ_MAXLEN_fuzz_keylog     := 8192
FUZZ_MAXLEN_fuzz_decrypt    := 16384
FUZZ_MAXLEN_fuzz_decrypt12  := 16384
FUZZ_MAXLEN_fuzz_udp        := 16384

FUZZ_ENV := ASAN_OPTIONS=$${ASAN_OPTIONS:-detect_leaks=1} \
            UBSAN_OPTIONS=$${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
FUZZ_COMMON_OPTS := -rss_limit_mb=2048 -timeout=10 -dict=tests/fuzz/tls.dict -print_final_stats=1

.PHONY: fuzz fuzz-build fuzz-smoke fuzz-regress
.SECONDARY: $(FUZZ_TARGETS:%=$(FUZZ_DIR)/obj/tests/fuzz/%.o)

fuzz-build: $(FUZZ_BINS) $(FUZZ_SEEDS)

# The library: coverage instrumentation without libFuzzer's main.
$(FUZZ_DIR)/obj/src/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_DIR)/obj/tests/fuzz/%.o: tests/fuzz/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_DIR)/libtlsdissect-fuzz.a: $(FUZZ_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/obj/tests/fuzz/fuzz_%.o $(FUZZ_DIR)/libtlsdissect-fuzz.a
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS)

$(FUZZ_SEEDS): tests/fuzz/make-seeds.py $(FUZZ_FIXTURES)
	$(PYTHON) tests/fuzz/make-seeds.py $(FUZZ_DIR)/seeds
	@touch $@

# $(call fuzz_run,target,seconds,corpus dir)
define fuzz_run
	@mkdir -p $(3) $(FUZZ_DIR)/artifacts/$(1)
	@echo "== $(1): $(2) s, corpus $(3)"
	$(FUZZ_ENV) $(FUZZ_DIR)/$(1) $(FUZZ_COMMON_OPTS) -max_total_time=$(2) -seed=$(FUZZ_SEED) \
	    -max_len=$(FUZZ_MAXLEN_$(1)) -artifact_prefix=$(FUZZ_DIR)/artifacts/$(1)/ \
	    $(3) $(FUZZ_DIR)/seeds/$(1) $(wildcard tests/fuzz/regressions/$(1))

endef

fuzz: fuzz-build
	$(foreach t,$(FUZZ_TARGETS),$(call fuzz_run,$(t),$(FUZZ_SECONDS),$(FUZZ_DIR)/corpus/$(t)))
	@echo "fuzz: no crash, leak or timeout in $(FUZZ_SECONDS) s per target"

fuzz-regress: $(FUZZ_BINS)
	@for t in $(FUZZ_TARGETS); do \
	    files=$$(find tests/fuzz/regressions/$$t -type f 2>/dev/null | sort); \
	    [ -n "$$files" ] || continue; \
	    echo "== $$t: $$(echo "$$files" | wc -l) regression inputs"; \
	    $(FUZZ_ENV) $(FUZZ_DIR)/$$t -rss_limit_mb=2048 -timeout=10 $$files \
	        > $(FUZZ_DIR)/regress-$$t.log 2>&1 \
	        || { cat $(FUZZ_DIR)/regress-$$t.log; echo "fuzz-regress: $$t FAILED" >&2; exit 1; }; \
	done
	@echo "fuzz-regress: every regression input passed"

# Scratch corpora so that the run depends only on the seeds and FUZZ_SEED.
fuzz-smoke: fuzz-build fuzz-regress
	@rm -rf $(FUZZ_DIR)/smoke
	$(foreach t,$(FUZZ_TARGETS),$(call fuzz_run,$(t),$(FUZZ_SMOKE_SECONDS),$(FUZZ_DIR)/smoke/$(t)))
	@echo "fuzz-smoke: passed"

-include $(FUZZ_LIB_OBJ:.o=.d) $(FUZZ_TARGETS:%=$(FUZZ_DIR)/obj/tests/fuzz/%.d)

endif
