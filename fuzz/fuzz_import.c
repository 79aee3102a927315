/*
 * fuzz_import.c - fuzz target: `vnetsim import` of one input held in
 * memory (imp_text: JSON text through jin_parse_text, recognised by shape
 * as az, Resource Graph, ARM, learned routes or `terraform show -json`,
 * mapped to a scenario that is printed and freed), then the same input
 * forced as Terraform (--from terraform), so every input also reaches the
 * Terraform reader's checks.  Diagnostics and notes are not printed.  See
 * fuzz_scenario.c for how targets are built and run; the seed corpus is
 * tests/import/fixtures.
 */
#include <stddef.h>
#include <stdint.h>

#include "import_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	imp_text("input.json", (const char *)data, size, FROM_ANY, NULL);
	imp_text("input.json", (const char *)data, size, FROM_TERRAFORM, NULL);
	return 0;
}
