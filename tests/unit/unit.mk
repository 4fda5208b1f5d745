# tests/unit/unit.mk — cmocka unit tests, included by the top-level Makefile.
#   make unit     build every tests/unit/test_*.c into $(BUILD)/unit/ and run it
# Uses the top-level BUILD, CC, ALL_CFLAGS, CFLAGS, LDFLAGS, PKG_LIBS and the
# $(BUILD)/obj/%.o pattern rule; links against $(BUILD)/libtlsdissect.a.

# Included by the top-level Makefile and possibly again with -f: define once.
ifndef TD_UNIT_MK
TD_UNIT_MK := 1

UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_OBJ := $(UNIT_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/unit/%)

# The encoders the tests compress their inputs with (decoders are in PKG_LIBS).
UNIT_LIBS := $(shell pkg-config --libs libbrotlienc 2>/dev/null || echo -lbrotlienc)

# UBSan only reports by default: make its findings fail the test.
UNIT_ENV := UBSAN_OPTIONS=$${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} \
            ASAN_OPTIONS=$${ASAN_OPTIONS:-detect_leaks=1}

.PHONY: unit unit-build
.SECONDARY: $(UNIT_OBJ)

unit-build: $(UNIT_BIN)

$(BUILD)/unit/%: $(BUILD)/obj/tests/unit/%.o $(BUILD)/libtlsdissect.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ -lcmocka $(UNIT_LIBS) $(PKG_LIBS)

unit: $(UNIT_BIN)
	@failed=""; \
	for t in $(UNIT_BIN); do \
	    echo "== $$t"; \
	    $(UNIT_ENV) $$t || failed="$$failed $${t##*/}"; \
	done; \
	if [ -n "$$failed" ]; then echo "unit: FAILED:$$failed" >&2; exit 1; fi; \
	echo "unit: all $(words $(UNIT_BIN)) test programs passed"

-include $(UNIT_OBJ:.o=.d)

endif
