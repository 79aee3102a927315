/*
 * digest.h - SHA-256 content hashes for the results store: a scenario
 * file's bytes, and the canonical form of route-row blocks and tables, which
 * are stored once per distinct hash.  A cryptographic hash so that
 * deduplication by hash alone is safe (no content comparison on a match).
 *
 * The hash itself is Nettle's (Debian's nettle-dev, <nettle/sha2.h>), a
 * maintained and tested implementation; this module only names the calls
 * the store needs and formats the digest as lower-case hex, the form stored
 * in the database.  Streaming: init, update any number of times, hex.  No
 * allocation.
 */
#ifndef TOOLS_DIGEST_H
#define TOOLS_DIGEST_H

#include <stddef.h>

#include <nettle/sha2.h>

#define DIGEST_HEX_LEN 64              /* hex characters of a SHA-256 digest */

struct digest {
	struct sha256_ctx ctx;         /* Nettle's state */
};

void digest_init(struct digest *d);
void digest_update(struct digest *d, const void *data, size_t n);
/* Lower-case hex of the digest, NUL-terminated; d is reset for reuse. */
void digest_hex(struct digest *d, char out[DIGEST_HEX_LEN + 1]);

#endif
