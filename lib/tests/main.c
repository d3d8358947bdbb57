// SPDX-License-Identifier: MIT
/* Entry point of the libsdxi suite: TAP on stdout, device named first. */
#include <stdlib.h>

#include "helpers.h"

int main(int argc, char **argv)
{
	const char *dev = getenv("SDXI_DEVICE");

	printf("# device: %s\n", dev ? dev : "soft (default)");
	return tap_main(argc, argv);
}
