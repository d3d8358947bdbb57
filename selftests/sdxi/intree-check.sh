#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Check that selftests/sdxi works as a kselftest target of a kernel tree
# (make check-selftests-intree; a host test, never run in the guest).
#
#   intree-check.sh KSFT_SRC TOP OUT LIBROOT "PROGRAMS..."
#
# KSFT_SRC is tools/testing/selftests of the guest kernel's source
# (Debian's linux-source-6.12), TOP the sdxi tree, OUT a scratch
# directory, LIBROOT a DESTDIR holding an installed libsdxi (usr/lib,
# usr/include, pkg-config file) and PROGRAMS what selftests.mk builds.
# A minimal kernel tree is assembled in OUT: the kernel's selftests
# framework (Makefile, lib.mk, harness, runner), scripts/subarch.include,
# our UAPI headers in usr/include (what "make headers" of a tree carrying
# them installs), the driver's private headers where it keeps them
# (drivers/dma/sdxi/include/sdxi/{function,encode}.h), and this directory as
# tools/testing/selftests/sdxi.
# Then: build with TARGETS=sdxi, install, and run the installed suite on
# this host, which has no SDXI function: every program must pass or SKIP,
# and every SKIP must give its reason.  TAP on stdout (tools/tap.sh).
set -u
ksft=$1 top=$2 out=$3 libroot=$4 progs=$5
tree=$out/tree
st=$tree/tools/testing/selftests
. "$top/tools/tap.sh"

rm -rf "$out"
mkdir -p "$st" "$tree/scripts" "$tree/usr/include/linux"
cp "$ksft"/{Makefile,lib.mk,kselftest.h,kselftest_harness.h,run_kselftest.sh} \
	"$ksft"/{kselftest_install.sh,gen_kselftest_tar.sh} "$st/"
cp -r "$ksft/kselftest" "$st/"
cp "$ksft/../../../scripts/subarch.include" "$tree/scripts/"
cp "$top/uapi/linux/sdxi.h" "$top/uapi/linux/sdxi_hw.h" "$tree/usr/include/linux/"
mkdir -p "$tree/drivers/dma/sdxi/include/sdxi"
cp "$top/include/sdxi/function.h" "$top/include/sdxi/encode.h" "$tree/drivers/dma/sdxi/include/sdxi/"
mkdir "$st/sdxi"
cp "$top"/selftests/sdxi/{Makefile,config,settings,README.rst,*.c,*.h,*.sh} "$st/sdxi/"

export PKG_CONFIG_PATH=$libroot/usr/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$libroot
export LD_LIBRARY_PATH=$libroot/usr/lib

# 1. make -C tools/testing/selftests TARGETS=sdxi
make -C "$st" TARGETS=sdxi >"$out/build.log" 2>&1
tap $? kselftest_makefile_builds_with_TARGETS_sdxi "$(tail -n 15 "$out/build.log")"

# 2. every program, lib_functional (pkg-config sdxi) included
missing=
for p in $progs; do
	[ -x "$st/sdxi/$p" ] || missing="$missing $p"
done
[ -z "$missing" ]
tap $? builds_every_program_of_selftests_mk "missing:${missing:- none}"

# 3. the program lists agree (kselftest's emit_tests vs selftests.mk)
listed=$(make -s -C "$st/sdxi" emit_tests 2>/dev/null | sed -n 's/^[^:]*://p' | sort | tr '\n' ' ')
want=$(for p in $progs robustness.sh; do echo "$p"; done | grep -v '^sdxi_traffic$' | sort | tr '\n' ' ')
[ "$listed" = "$want" ]
tap $? makefile_lists_the_programs_selftests_mk_runs "kselftest: $listed" "ours: $want"

# 4. make install: runner, list, programs, helper, settings, config
make -C "$st" TARGETS=sdxi install INSTALL_PATH="$out/install" >"$out/install.log" 2>&1
rc=$?
for f in run_kselftest.sh kselftest-list.txt sdxi/settings sdxi/config sdxi/robustness.sh \
	sdxi/sdxi_traffic; do
	[ -e "$out/install/$f" ] || { rc=1; tap_diag "not installed: $f"; }
done
tap $rc make_install_has_runner_programs_settings_config "$(tail -n 5 "$out/install.log")"

# 5-6. run it here, where there is no SDXI function.
if ls /dev/sdxi* >/dev/null 2>&1 || grep -qs 0x120100 /sys/bus/pci/devices/*/class; then
	tap_skip run_kselftest_without_a_device "this host has an SDXI function"
	tap_skip every_skip_gives_a_reason "this host has an SDXI function"
else
	(cd "$out/install" && ./run_kselftest.sh -c sdxi) >"$out/run.log" 2>&1
	bad=$(grep -E '^not ok' "$out/run.log")
	ran=$(grep -cE '^ok [0-9]+ selftests: sdxi: ' "$out/run.log")
	[ -z "$bad" ] && [ "$ran" -ge 7 ]
	tap $? run_kselftest_without_a_device_passes_or_skips \
		"$(grep -E '^(not )?ok [0-9]+ selftests: sdxi' "$out/run.log")"
	# A SKIP without text after it in the programs' own TAP (the runner's
	# "selftests: sdxi: PROG # SKIP" lines never carry one).
	noreason=$(grep -E '# *SKIP *$' "$out/run.log" | grep -v 'selftests: sdxi: ' | head -n 5)
	skips=$(grep -cE '# *SKIP +[^ ]' "$out/run.log")
	[ -z "$noreason" ] && [ "$skips" -gt 0 ]
	tap $? every_skip_gives_a_reason "$skips SKIP lines with a reason" "$noreason"
	grep -E '^(# )*ok .*# *SKIP +[^ ]' "$out/run.log" | sed 's/^.*# *SKIP */SKIP: /' |
		sort | uniq -c | sed 's/^ */# /'
fi
tap_plan
