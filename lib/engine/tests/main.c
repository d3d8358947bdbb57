// SPDX-License-Identifier: MIT
/* Entry point of the engine's host unit tests (TAP on stdout). */
#include "tap.h"

int main(int argc, char **argv)
{
	return tap_main(argc, argv);
}
