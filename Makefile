# SPDX-License-Identifier: GPL-2.0-or-later
# vessel: one non-recursive GNU make; objects in build/, dependencies tracked with -MMD -MP.

CC ?= gcc
BUILD ?= build
PREFIX ?= /usr/local

WARN := -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes \
        -Wno-unused-parameter
ifeq ($(CI),true)
WARN += -Werror
endif
CFLAGS ?= -O2 -g
CPPFLAGS += -D_GNU_SOURCE -Iinclude -Isrc
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) -MMD -MP
LIBS := -ljansson -lcap

LIB_SRCS := $(wildcard src/lib/*.c src/stages/*.c src/image/*.c src/cgroup/*.c src/net/*.c)
CLI_SRCS := $(wildcard src/cli/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
CLI_OBJS := $(CLI_SRCS:%.c=$(BUILD)/%.o)
# CLI objects other than main.o are linked into unit tests of option parsing too.
CLI_LIB_OBJS := $(filter-out $(BUILD)/src/cli/main.o,$(CLI_OBJS))

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%)

PROBE := $(BUILD)/probe

.PHONY: all check check-unit check-integration deps run asan fuzz format format-check lint bench clean install

all: $(BUILD)/vessel $(PROBE)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/libvessel.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/vessel: $(CLI_OBJS) $(BUILD)/libvessel.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJS) $(BUILD)/libvessel.a $(LIBS)

$(BUILD)/tests/unit/%: tests/unit/%.c $(CLI_LIB_OBJS) $(BUILD)/libvessel.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/unit $(ALL_CFLAGS) -o $@ $< $(CLI_LIB_OBJS) $(BUILD)/libvessel.a $(LIBS)

# The probe is the payload integration tests run inside containers: static, no libc files needed.
$(PROBE): tests/payload/probe.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -Wall -Wextra -static -o $@ $<

# Installs missing Debian packages (root only; a no-op when everything is there).
deps:
	@bash scripts/deps.sh

run: deps
	@$(MAKE) --no-print-directory all
	$(BUILD)/vessel run -it --rm busybox

check: deps
	@$(MAKE) --no-print-directory all $(UNIT_BINS)
	@bash tests/run.sh

check-unit: $(UNIT_BINS)
	prove -v $(UNIT_BINS)

check-integration: all
	prove -v --timer --exec 'bats --tap' tests/integration/*.bats

asan:
	$(MAKE) BUILD=build/asan CFLAGS='-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer' \
		LDFLAGS='-fsanitize=address,undefined' $(BUILD)/asan/vessel build/asan/probe

# libFuzzer harnesses (clang): one per parser, each linked with the library.
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
fuzz:
	@mkdir -p build/fuzz
	for f in $(FUZZ_SRCS); do \
		clang -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined $(CPPFLAGS) $$f \
			$(filter-out src/lib/run.c,$(LIB_SRCS)) -o build/fuzz/$$(basename $$f .c) $(LIBS) || exit 1; \
	done
	@echo "harnesses in build/fuzz: run e.g. build/fuzz/fuzz_spec -max_total_time=60"

install: $(BUILD)/vessel
	install -D -m 0755 $(BUILD)/vessel $(DESTDIR)$(PREFIX)/bin/vessel

FORMAT_FILES = $(shell git ls-files '*.c' '*.h')
format:
	clang-format -i $(FORMAT_FILES)

format-check:
	clang-format --dry-run --Werror $(FORMAT_FILES)

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --inline-suppr \
		-D_GNU_SOURCE -Iinclude -Isrc src

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
