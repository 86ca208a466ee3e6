# SPDX-License-Identifier: GPL-2.0
#
# swapdrain: top-level make targets.
#
#   make [KDIR=<kernel build dir>]   build swapdrain.ko (default: running kernel)
#   make demo                        fetch a kernel, boot it in QEMU, exit storm off vs on
#   make check [KERNELS="6.12"]      the test suite in QEMU; ends with "N passed, N failed"
#                                    (default: the CI subset, see README)
#   make check-all                   every kernel, arch and backend of the matrix
#   make check-debug                 the suite on a debug kernel (KASAN, lockdep, ...)
#   make bench                       the benchmark, module off vs on, same boot
#   make clean

KDIR ?= /lib/modules/$(shell uname -r)/build
PWD := $(CURDIR)

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(PWD) modules

clean:
	$(MAKE) -C $(KDIR) M=$(PWD) clean 2>/dev/null || \
		rm -f src/*.o src/.*.cmd *.o *.ko *.mod *.mod.c .*.cmd modules.order Module.symvers
	rm -rf tests/bin

demo:
	scripts/demo.sh

KERNELS ?= ci

check:
	scripts/check.sh $(KERNELS)

check-all:
	scripts/check.sh all

check-debug:
	scripts/check.sh debug

bench:
	scripts/bench.sh

.PHONY: all modules clean demo check check-all check-debug bench
