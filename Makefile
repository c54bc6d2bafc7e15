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
LIBS := -ljansson -lcap -lseccomp

LIB_SRCS := $(wildcard src/lib/*.c src/stages/*.c src/image/*.c src/cgroup/*.c src/net/*.c)
CLI_SRCS := $(wildcard src/cli/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
CLI_OBJS := $(CLI_SRCS:%.c=$(BUILD)/%.o)
# CLI objects other than main.o are linked into unit tests of option parsing too.
CLI_LIB_OBJS := $(filter-out $(BUILD)/src/cli/main.o,$(CLI_OBJS))

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%)

PROBE := $(BUILD)/probe

.PHONY: all check check-unit check-integration check-vm deps run asan fuzz format format-check lint bench clean install

all: $(BUILD)/vessel $(PROBE)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

# The exec trampoline (src/dmz/dmz.c): freestanding, no libc, one page; the library carries its
# bytes (src/lib/dmz_blob.c) and each container's init executes it from a sealed memfd.
DMZ := $(BUILD)/dmz
DMZ_CFLAGS := -std=gnu11 -Os -Wall -Wextra -ffreestanding -fno-builtin -fno-stack-protector \
	-fno-pic -fno-asynchronous-unwind-tables -fno-unwind-tables -fno-tree-loop-distribute-patterns \
	-nostdlib -static -no-pie -s -Wl,--build-id=none -Wl,-z,noexecstack -Wl,-z,noseparate-code
$(DMZ): src/dmz/dmz.c src/lib/sync.h include/vessel/vessel.h include/vessel/spec.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(DMZ_CFLAGS) -o $@ $<
$(BUILD)/src/lib/dmz_blob.o: $(DMZ)
$(BUILD)/src/lib/dmz_blob.o: CPPFLAGS += -DVSL_DMZ_BIN='"$(DMZ)"'

$(BUILD)/libvessel.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

# vessel is linked statically: no ld.so loading and relocating jansson, libcap, libseccomp and libc
# at every start (docs/performance.md). Sanitizer builds cannot be static.
STATIC_LDFLAGS ?= $(if $(findstring -fsanitize,$(CFLAGS) $(LDFLAGS)),,-static)

$(BUILD)/vessel: $(CLI_OBJS) $(BUILD)/libvessel.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) $(STATIC_LDFLAGS) -o $@ $(CLI_OBJS) $(BUILD)/libvessel.a $(LIBS)

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

run:
	@bash scripts/deps.sh build
	@$(MAKE) --no-print-directory all
	$(BUILD)/vessel run -it --rm busybox

check: deps
	@$(MAKE) --no-print-directory all $(UNIT_BINS) $(CG_TEST_TOOLS)
	@bash tests/run.sh

check-unit: $(UNIT_BINS)
	prove -v $(UNIT_BINS)

check-integration: all $(CG_TEST_TOOLS)
	prove -v --timer --exec 'bats --tap' tests/integration/*.bats

# cgroup v2, which this host cannot show: tests/integration/cgroup.bats and systemd.bats (a systemd
# manager reached over D-Bus) in a qemu VM (tests/vm).
check-vm: all $(CG_TEST_TOOLS)
	@bash tests/vm/deps.sh
	bash tests/vm/run.sh $(BUILD)

asan:
	$(MAKE) BUILD=build/asan CFLAGS='-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer' \
		LDFLAGS='-fsanitize=address,undefined' $(BUILD)/asan/vessel build/asan/probe

# libFuzzer harnesses (clang): one per parser, each linked with the library.
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
fuzz: build/dmz
	@mkdir -p build/fuzz
	for f in $(FUZZ_SRCS); do \
		clang -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined $(CPPFLAGS) \
			-DVSL_DMZ_BIN='"build/dmz"' $$f \
			$(filter-out src/lib/run.c,$(LIB_SRCS)) -o build/fuzz/$$(basename $$f .c) $(LIBS) || exit 1; \
	done
	@echo "harnesses in build/fuzz: run e.g. build/fuzz/fuzz_spec -max_total_time=60"

# bench/: vessel, crun, runc and the kernel's floor on one bundle (bench/README.md). The tools are
# static so that their own start is small and the same for every runtime.
BENCH_TOOLS := $(BUILD)/bench/runner $(BUILD)/bench/nsrun $(BUILD)/bench/floor
$(BUILD)/bench/%: bench/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -Wall -Wextra -static -o $@ $<

bench: $(BUILD)/vessel $(BENCH_TOOLS)
	bash bench/bench.sh $(BUILD)

# cgroup tests (tests only): a static payload run inside containers, a driver of the cgroup API.
CG_TEST_TOOLS := $(BUILD)/cgroup-payload $(BUILD)/cgroup-driver
$(BUILD)/cgroup-payload: tests/cgroup/payload.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -Wall -Wextra -static -o $@ $<

$(BUILD)/cgroup-driver: tests/cgroup/driver.c $(BUILD)/libvessel.a
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) $(STATIC_LDFLAGS) -o $@ $< $(BUILD)/libvessel.a $(LIBS)

install: $(BUILD)/vessel
	install -D -m 0755 $(BUILD)/vessel $(DESTDIR)$(PREFIX)/bin/vessel

FORMAT_FILES = $(shell git ls-files '*.c' '*.h')
format:
	clang-format -i $(FORMAT_FILES)

format-check:
	clang-format --dry-run --Werror $(FORMAT_FILES)

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --inline-suppr \
		-D_GNU_SOURCE -D__CPPCHECK__ -DVSL_DMZ_BIN='"build/dmz"' -Iinclude -Isrc src

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
