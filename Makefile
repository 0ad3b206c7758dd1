# Strat — build, test, install.  Plain GNU make; see README.md.
#
#   make            build build/strat, build/libstrat.a and build/libstrat.so
#   make demo       install missing Debian packages, build, decide an example
#   make deps       install the missing Debian packages the build needs
#   make test-deps  ... and the tools the test suite drives (.ci/run does this)
#   make test       unit + golden tests, examples, and the same under ASan+UBSan
#                   (installs nothing: a test whose tool is missing skips)
#   make bench      performance comparison (see bench/)
#   make install    PREFIX=/usr/local DESTDIR=

PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
SAN     ?=
CC      ?= cc
V       ?= 0
Q       = $(if $(filter 1,$(V)),,@)

# where libgccjit.h is (jit.c only; docs/install.md); searched after the
# compiler's own headers, which may sit in the same directory
GCCJIT_CFLAGS ?= -idirafter /usr/lib/gcc/x86_64-linux-gnu/12/include
# libgccjit is not linked: jit.c dlopens it when a run may compile
# (libgccjit0 at run time, libgccjit-12-dev's header to build)
LIBS    = -lnettle -lm -ldl -lpthread

WARN    = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CFLAGS  ?= -O2 -g
# -ffp-contract=off: the interpreter must not fuse a*b+c either (the JIT
# and the interpreter agree bit for bit).  -fPIC: the library's objects go
# into libstrat.so as well as libstrat.a (-fno-semantic-interposition keeps
# calls within the library direct, as in the static build).
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SAN) -ffp-contract=off \
             -fPIC -fno-semantic-interposition \
             -Iinclude -Isrc -I$(BUILD)/gen \
             -DSTRAT_STDLIB_DIR='"$(PREFIX)/share/strat/stdlib"' \
             -DSTRAT_SOURCE_STDLIB_DIR='"$(CURDIR)/stdlib"'
# flex and bison output is not ours to keep warning-free
GEN_CFLAGS = $(filter-out -Wshadow -Wmissing-prototypes,$(ALL_CFLAGS)) \
             -Wno-unused-function -Wno-sign-compare -Wno-unused-parameter

LIB_SRCS = $(wildcard src/*.c)
CLI_SRCS = $(wildcard src/cli/*.c)
CLI_OBJS = $(CLI_SRCS:src/cli/%.c=$(BUILD)/obj/cli/%.o)
# the language server (`strat lsp`): part of the tool, not of libstrat
LSP_SRCS = $(wildcard src/lsp/*.c)
LSP_OBJS = $(LSP_SRCS:src/lsp/%.c=$(BUILD)/obj/lsp/%.o)
LIB_OBJS = $(LIB_SRCS:src/%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/strat.tab.o $(BUILD)/obj/lex.yy.o
UNIT_SRCS = $(wildcard tests/unit/test_*.c)
UNIT_BINS = $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all deps test-deps demo test unit golden examples check-examples scripts asan tsan bench difftest mutation fuzz valgrind install uninstall clean
.DELETE_ON_ERROR:

# libstrat.so.$(SO_VERSION): the shared library, exporting only strat_*
# (packaging/libstrat.map); its soname changes when the ABI does.
SO_VERSION = 0
SO_NAME = libstrat.so.$(SO_VERSION)

all: $(BUILD)/strat $(BUILD)/libstrat.so

deps:
	@bash .ci/deps.sh

test-deps:
	@bash .ci/deps.sh --test

# one bison run makes both files (a grouped target: make -j must not run it twice)
$(BUILD)/gen/strat.tab.c $(BUILD)/gen/strat.tab.h &: grammar/strat.y
	@mkdir -p $(BUILD)/gen
	@$(if $(Q),echo "  BISON   $<")
	$(Q)bison -Wall -Werror --defines=$(BUILD)/gen/strat.tab.h -o $(BUILD)/gen/strat.tab.c $<

$(BUILD)/gen/lex.yy.c: grammar/strat.l $(BUILD)/gen/strat.tab.h
	@mkdir -p $(BUILD)/gen
	@$(if $(Q),echo "  FLEX    $<")
	$(Q)flex -o $@ $<

# Each object's headers are found by the compiler as it compiles (-MMD, a
# .d file beside the .o; -MP, so a header since removed breaks no build)
# and included below: a header change rebuilds exactly the objects that
# include it.
# An object whose .d is missing (a build tree from before) is rebuilt: the
# .d is a prerequisite with an empty rule.
# (named explicitly: as an implicit rule's intermediate file a missing .d
# would not count).
DEPFLAGS = -MMD -MP
# Every object also depends on the compiler flags it was built with: the
# file below is rewritten when they change (a new -fPIC, another PREFIX),
# so that no object built with the old ones is linked with the new.
FLAGS_STAMP = $(BUILD)/obj/flags
ifneq ($(file <$(FLAGS_STAMP)),$(ALL_CFLAGS))
$(shell mkdir -p $(BUILD)/obj)
$(file >$(FLAGS_STAMP),$(ALL_CFLAGS))
endif
DEP_FILES = $(LIB_OBJS:.o=.d) $(CLI_OBJS:.o=.d) $(LSP_OBJS:.o=.d)
$(DEP_FILES):

# The JIT cache's key names the code generator's own source, so a build
# whose src/jit.c differs (a fix, a planted bug) never loads an object
# another build compiled under the same version number.
$(BUILD)/obj/jit.o: ALL_CFLAGS += -DSTRAT_JIT_SOURCE='"$(shell sha256sum src/jit.c | cut -c1-16)"' \
    $(GCCJIT_CFLAGS)

$(BUILD)/obj/%.o: src/%.c $(BUILD)/obj/%.d $(FLAGS_STAMP)
	@mkdir -p $(BUILD)/obj
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(BUILD)/obj/cli/%.o: src/cli/%.c $(BUILD)/obj/cli/%.d $(FLAGS_STAMP)
	@mkdir -p $(BUILD)/obj/cli
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -Isrc/cli -Isrc/lsp -c -o $@ $<

$(BUILD)/obj/lsp/%.o: src/lsp/%.c $(BUILD)/obj/lsp/%.d $(FLAGS_STAMP)
	@mkdir -p $(BUILD)/obj/lsp
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(BUILD)/obj/strat.tab.o: $(BUILD)/gen/strat.tab.c $(BUILD)/obj/strat.tab.d $(FLAGS_STAMP)
	@mkdir -p $(BUILD)/obj
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(GEN_CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(BUILD)/obj/lex.yy.o: $(BUILD)/gen/lex.yy.c $(BUILD)/obj/lex.yy.d $(FLAGS_STAMP)
	@mkdir -p $(BUILD)/obj
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(GEN_CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(BUILD)/libstrat.a: $(LIB_OBJS)
	@rm -f $@
	$(Q)ar rcs $@ $^

$(BUILD)/$(SO_NAME): $(LIB_OBJS) packaging/libstrat.map
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -shared -Wl,-soname,$(SO_NAME) \
	    -Wl,--version-script=packaging/libstrat.map -Wl,-z,defs -o $@ $(LIB_OBJS) $(LIBS)

$(BUILD)/libstrat.so: $(BUILD)/$(SO_NAME)
	$(Q)ln -sf $(SO_NAME) $@

$(BUILD)/strat: $(CLI_OBJS) $(LSP_OBJS) $(BUILD)/libstrat.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libstrat.a
	@mkdir -p $(BUILD)/tests
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -DSTRAT_TEST_STDLIB='"$(CURDIR)/stdlib"' -Itests/unit -rdynamic -o $@ $< $(BUILD)/libstrat.a -lcmocka $(LIBS)

unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t; done

golden: $(BUILD)/strat
	@bash tests/golden/run.sh $(BUILD)/strat

check-examples: $(BUILD)/strat
	@bash tests/check_examples.sh $(BUILD)/strat

demo: deps
	@$(MAKE) --no-print-directory all
	@echo "== strat check examples/retail/retail.strat"
	@$(BUILD)/strat check examples/retail/retail.strat
	@echo "== strat decide examples/retail/retail.strat"
	@$(BUILD)/strat decide --today 2027-01-15 examples/retail/retail.strat

# The whole suite: plain build, then the same tests under ASan + UBSan.
# It installs nothing (`make test-deps` does, and .ci/run calls it first).
test:
	@$(MAKE) --no-print-directory unit golden check-examples scripts
	@$(MAKE) --no-print-directory asan
	@$(MAKE) --no-print-directory tsan

# Every tests/*_test.sh and tests/security/*_test.sh gets the binary's path;
# each prints `N passed, M failed` last and exits non-zero on failure.
# The mutation list is checked too (every planted bug's text still in the
# tree), so a change to the code cannot leave `make mutation` rotten.
scripts: $(BUILD)/strat
	@set -e; for t in tests/*_test.sh tests/security/*_test.sh; do \
	    [ -f "$$t" ] || continue; echo "== $$t"; bash $$t $(BUILD)/strat; done; \
	bash tests/mutation/run.sh --check

asan:
	@LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	$(MAKE) --no-print-directory BUILD=build/asan CFLAGS="-O1 -g" \
	    SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	    unit golden check-examples build/asan/strat
	@LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	    bash tests/csv_seams_test.sh build/asan/strat
	@LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	    bash tests/lsp_test.sh build/asan/strat

# The threads (CSV workers, the inputs hash, the JIT kernel's row split,
# the CSV/JSON writer's blocks) under ThreadSanitizer: the CSV seam cases,
# a decision run on all cores, and the writer's cases.
tsan:
	@$(MAKE) --no-print-directory BUILD=build/tsan CFLAGS="-O1 -g" \
	    SAN="-fsanitize=thread" build/tsan/strat
	@TSAN_OPTIONS="halt_on_error=1 exitcode=66" bash tests/csv_seams_test.sh build/tsan/strat
	@TSAN_OPTIONS="halt_on_error=1 exitcode=66" bash tests/writer_test.sh build/tsan/strat

# A longer differential run of the JIT against the interpreter:
#   make difftest N=200 SEED=7
N ?= 100
SEED ?= 1
difftest: $(BUILD)/tests/test_jit $(BUILD)/tests/test_explain
	STRAT_DIFFTEST_ROUNDS=$(N) STRAT_DIFFTEST_SEED=$(SEED) $(BUILD)/tests/test_jit
	STRAT_DIFFTEST_ROUNDS=$(N) STRAT_DIFFTEST_SEED=$(SEED) $(BUILD)/tests/test_explain

# Planted bugs (tests/mutation/mutants.txt), each built and run against
# unit, golden and check-examples in a scratch copy: which does the suite
# catch?  `bash tests/mutation/run.sh ID...` reruns some.  30-60 minutes.
mutation:
	bash tests/mutation/run.sh

# make bench [REPS=3] [FULL=1 for 10M services too]; see docs/performance.md
# Fuzzing with libFuzzer (clang): make fuzz FUZZ_SECONDS=600
FUZZ_SECONDS ?= 600
fuzz:
	bash tests/fuzz/run.sh $(FUZZ_SECONDS)

# The golden CLI cases under valgrind's memcheck, zero errors expected
valgrind: $(BUILD)/strat
	bash tests/reliability/valgrind.sh $(BUILD)/strat

bench: all
	@REPS="$(REPS)" FULL="$(FULL)" bash bench/run.sh $(BUILD)/strat

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/strat/stdlib/std \
	    $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include/strat \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 755 $(BUILD)/strat $(DESTDIR)$(PREFIX)/bin/strat
	install -m 644 stdlib/std/*.strat $(DESTDIR)$(PREFIX)/share/strat/stdlib/std/
	install -m 644 $(BUILD)/libstrat.a $(DESTDIR)$(PREFIX)/lib/libstrat.a
	install -m 755 $(BUILD)/$(SO_NAME) $(DESTDIR)$(PREFIX)/lib/$(SO_NAME)
	ln -sf $(SO_NAME) $(DESTDIR)$(PREFIX)/lib/libstrat.so
	install -m 644 include/strat/strat.h $(DESTDIR)$(PREFIX)/include/strat/
	install -m 644 packaging/strat.bash \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions/strat
	sed -e 's|@PREFIX@|$(PREFIX)|g' \
	    -e "s|@VERSION@|$$(sed -n 's/^#define STRAT_VERSION "\(.*\)"/\1/p' include/strat/strat.h)|g" \
	    packaging/strat.pc.in >$(DESTDIR)$(PREFIX)/lib/pkgconfig/strat.pc
	chmod 644 $(DESTDIR)$(PREFIX)/lib/pkgconfig/strat.pc
	if [ -f docs/strat.1 ]; then install -d $(DESTDIR)$(PREFIX)/share/man/man1 && \
	    install -m 644 docs/strat.1 $(DESTDIR)$(PREFIX)/share/man/man1/strat.1; fi
	install -d $(DESTDIR)$(PREFIX)/share/doc/strat
	install -m 644 README.md LICENSE docs/*.md $(DESTDIR)$(PREFIX)/share/doc/strat/

# Removes exactly the files install put there, then the directories that
# belong to strat alone if they are left empty (bin/, lib/... stay).
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/strat $(DESTDIR)$(PREFIX)/lib/libstrat.a \
	    $(DESTDIR)$(PREFIX)/lib/$(SO_NAME) $(DESTDIR)$(PREFIX)/lib/libstrat.so \
	    $(DESTDIR)$(PREFIX)/include/strat/strat.h \
	    $(DESTDIR)$(PREFIX)/lib/pkgconfig/strat.pc \
	    $(DESTDIR)$(PREFIX)/share/man/man1/strat.1 \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions/strat \
	    $(addprefix $(DESTDIR)$(PREFIX)/share/strat/stdlib/std/,$(notdir $(wildcard stdlib/std/*.strat))) \
	    $(addprefix $(DESTDIR)$(PREFIX)/share/doc/strat/,README.md LICENSE $(notdir $(wildcard docs/*.md)))
	rmdir $(DESTDIR)$(PREFIX)/share/strat/stdlib/std $(DESTDIR)$(PREFIX)/share/strat/stdlib \
	    $(DESTDIR)$(PREFIX)/share/strat $(DESTDIR)$(PREFIX)/include/strat \
	    $(DESTDIR)$(PREFIX)/share/doc/strat 2>/dev/null || true

clean:
	rm -rf build

# the headers each object was compiled from (see DEPFLAGS)
-include $(wildcard $(DEP_FILES) $(UNIT_BINS:=.d))
