/*
 * sha256.h - SHA-256 (FIPS 180-4), for the content hashes of the results
 * store: a scenario file's bytes, and the canonical form of route-row
 * blocks and tables, which are stored once per distinct hash.  A
 * cryptographic hash so that deduplication by hash alone is safe (no
 * content comparison on a match).  Streaming: init, update any number of
 * times, final.  About 200-400 MB/s; no allocation.
 */
#ifndef TOOLS_SHA256_H
#define TOOLS_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_HEX_LEN 64

struct sha256 {
	uint32_t h[8];                 /* chaining state */
	uint64_t len;                  /* bytes hashed so far */
	unsigned char buf[64];         /* partial block */
	size_t nbuf;                   /* bytes in buf, < 64 */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t n);
void sha256_final(struct sha256 *s, unsigned char out[32]);
/* Lower-case hex of the digest, NUL-terminated (65 bytes). */
void sha256_final_hex(struct sha256 *s, char out[SHA256_HEX_LEN + 1]);

#endif
