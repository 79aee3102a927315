/*
 * fuzz_scenario.c - fuzz target: the scenario loader (JSON text through
 * jin_parse_text and scenario_load_doc, every validation of models/replay).
 * Built as a libFuzzer target with clang (`tools/setup.sh fuzz`) and, with
 * any compiler, linked to driver.c, which replays the seed corpus in the
 * normal test suite.  The input is named as a file in a folder that holds
 * nothing, so a `routes` reference resolves to nothing.
 */
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "diag.h"
#include "jsonin.h"
#include "scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag *d = diag_create();
	if (!d)
		return 0;
	static const char file[] = "/nonexistent-vnetsim-fuzz/scenario.json";
	cJSON *doc = jin_parse_text(file, (const char *)data, size, d);
	if (doc) {
		struct scenario_opts opts = { 0 };
		bool env = false;
		scenario_destroy(scenario_load_doc(file, doc, &opts, d, &env));
	}
	diag_destroy(d);
	return 0;
}
