// SPDX-License-Identifier: MIT
/*
 * Only in libsdxi-offload-test.so (never installed): fault injection on
 * the software device the library opened, for the device-failure tests.
 */
#include <sdxi_test.h>

#include "../../offload.h"

/*
 * Make the library's device fail: @fn_error puts the function in error
 * (every later descriptor fails, as when the device is gone); else the
 * next @fault_after data bytes move and then one access faults.  0, or
 * a negative errno (-ENODEV: no device opened yet).
 */
__attribute__((visibility("default"))) int sdxi_offload_test_fault(int fn_error,
								   uint64_t fault_after)
{
	struct sdxi_soft_faults f = { .force_fn_error = !!fn_error,
				      .fault_after = fault_after };
	struct sdxi_dev *dev;
	int ret = -19;

	oflo_guard_enter();
	dev = oflo_dev_handle();
	if (dev)
		ret = sdxi_soft_inject(dev, &f);
	oflo_guard_exit();
	return ret;
}
