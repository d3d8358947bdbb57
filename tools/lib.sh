# SPDX-License-Identifier: GPL-2.0-only
# Shared paths for sdxi's host scripts.  Sourced, not executed.
#
# Everything built from third-party inputs lives outside the repository,
# under $SDXI_CACHE (default ~/.cache/sdxi), so that a fresh work tree on a
# warm machine rebuilds nothing it does not have to.
SDXI_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SDXI_CACHE=${SDXI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sdxi}
# The guest kernel: Debian's (make deps), or another one laid out the same
# way (vmlinuz, kver, root/lib/modules/<kver>), e.g. the debug kernel.
SDXI_GUEST=${SDXI_GUEST:-$SDXI_CACHE/guest-kernel}
SDXI_KSRC=$SDXI_CACHE/linux-source
# The latest stable series, built as the debug kernel (tools/vm/debug-kernel).
SDXI_LATEST=7.3
mkdir -p "$SDXI_CACHE"
export SDXI_TOP SDXI_CACHE SDXI_GUEST SDXI_KSRC SDXI_LATEST
