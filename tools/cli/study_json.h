/*
 * study_json.h - reading a study file (`vnetsim sweep --study STUDY.json`)
 * into the study the what-if layer runs (models/studies/study.h).
 *
 * The file is untrusted input, read through the replay layer's JSON cursor
 * (jsonin.h): every problem becomes a diagnostic "file: $.path: message",
 * all of them are reported, and nothing is returned when there was one.
 * Unknown keys are warnings.  The format (README, "What-if studies"):
 *   {"kind": "enumerate" | "monte-carlo" | "capacity", "name", "at",
 *    "detail", and the keys of its kind}
 * Absent keys keep study_create's defaults.  Bounds: runs and targets up
 * to STUDY_MAX_RUNS and STUDY_MAX_TARGETS, the file to JSONIN_MAX_FILE.
 */
#ifndef TOOLS_STUDY_JSON_H
#define TOOLS_STUDY_JSON_H

#include <stdbool.h>

struct diag;
struct study;

/* Loads and validates a study file: the study (the caller's, for
 * study_destroy), or NULL after reporting on d (*io_error set when the
 * cause was I/O or memory: exit 3, not 2). */
struct study *study_json_load(const char *file, struct diag *d, bool *io_error);

#endif
