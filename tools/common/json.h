/* SPDX-License-Identifier: MIT */
/*
 * JSON output helpers shared by the command-line tools (sdxictl,
 * sdxi-perf).
 */
#ifndef SDXI_TOOLS_JSON_H
#define SDXI_TOOLS_JSON_H

#include <stdio.h>

/*
 * json_write_string() - write @s to @f as a JSON string literal.
 *
 * Quotes and backslashes are escaped, control characters are written
 * as \uXXXX; other bytes (UTF-8 included) are copied unchanged.
 */
void json_write_string(FILE *f, const char *s);

#endif /* SDXI_TOOLS_JSON_H */
