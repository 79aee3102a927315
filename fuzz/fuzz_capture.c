/*
 * fuzz_capture.c - fuzz target: the reader of captured
 * `az network nic show-effective-route-table` output (`vnetsim diff
 * --against`): jin_parse_text then rowdiff_set_add_az.  See
 * fuzz_scenario.c for how targets are built and run.
 */
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "diag.h"
#include "jsonin.h"
#include "rowdiff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag *d = diag_create();
	if (!d)
		return 0;
	cJSON *doc = jin_parse_text("capture.json", (const char *)data, size, d);
	if (doc) {
		struct rowdiff_set *s = rowdiff_set_create();
		char err[300];
		if (s)
			rowdiff_set_add_az(s, doc, err, sizeof(err));
		rowdiff_set_destroy(s);
		cJSON_Delete(doc);
	}
	diag_destroy(d);
	return 0;
}
