/*
 * digest.c - SHA-256 through Nettle.  See digest.h.
 */
#include "digest.h"

void digest_init(struct digest *d)
{
	sha256_init(&d->ctx);
}

void digest_update(struct digest *d, const void *data, size_t n)
{
	sha256_update(&d->ctx, n, data);
}

void digest_hex(struct digest *d, char out[DIGEST_HEX_LEN + 1])
{
	static const char HEX[] = "0123456789abcdef";
	unsigned char raw[SHA256_DIGEST_SIZE];
	sha256_digest(&d->ctx, sizeof(raw), raw);
	for (size_t i = 0; i < sizeof(raw); i++) {
		out[2 * i] = HEX[raw[i] >> 4];
		out[2 * i + 1] = HEX[raw[i] & 15];
	}
	out[DIGEST_HEX_LEN] = '\0';
}
