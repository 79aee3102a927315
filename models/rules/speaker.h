/*
 * speaker.h - BGP sessions and RIBs of the Azure side: one `struct peer`
 * per NVA bgpConnection (two sessions, one per Route Server instance) and
 * per gateway connection (one session; static prefixes need none).
 *
 * Each peer keeps, per instance, what the peer has sent (its Adj-RIB-Out,
 * replayed when a session comes back: peerUp, instanceUp, connect retry)
 * and what the Azure side holds (Adj-RIB-In: empty while the session is
 * down).  RIBs are arrays sorted by prefix: O(log n) lookup, O(n) insert of
 * a new prefix (updates of 1,000 prefixes into 1,000-route RIBs are cheap).
 *
 * Prefix limits (RULES 1.8, 1.9): the distinct prefixes a peer has sent to
 * an instance, the new UPDATE included, above the limit drop the session:
 * every route of that session is withdrawn and a retry is due after the
 * connect-retry time.  The run schedules timers; this module only keeps
 * state and says what happened.
 */
#ifndef RULES_SPEAKER_H
#define RULES_SPEAKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "topology.h"
#include "prefix.h"

#define SPEAKER_VPN_LIMIT 4000
#define SPEAKER_ER_LIMIT 4000
#define SPEAKER_ER_PREMIUM_LIMIT 10000

struct rib_route {
	struct prefix prefix;
	uint32_t *as_path;             /* owned */
	uint16_t as_len;
	uint32_t *communities;         /* owned */
	uint16_t ncommunities;
	uint32_t next_hop;             /* NVA: BGP next hop; 0 for gateway peers */
};

struct rib {
	struct rib_route *v;           /* sorted by prefix */
	size_t n, cap;
};

enum peer_kind { PEER_NVA, PEER_VPN, PEER_ER };

struct peer {
	char *id;                      /* "ars/nva1" or a connection name */
	enum peer_kind kind;
	char *owner;                   /* Route Server or gateway name */
	unsigned ninst;                /* 2 for NVAs, 1 for connections */
	bool admin_up;                 /* false after peerDown until peerUp */
	bool session[2];               /* established, per instance */
	bool dropped[2];               /* down because of the prefix limit */
	struct rib sent[2];            /* what the peer advertised */
	struct rib in[2];              /* what the Azure side holds */
	uint64_t hold_timer;           /* pending silent-down expiry, 0 none */
	uint64_t retry_timer[2];       /* pending connect retry, 0 none */
	int64_t retry_at[2];           /* its time (ms) */
	bool retry_change[2];          /* it would succeed: a change, not background */
	unsigned flaps;                /* limit drops so far, both instances */
	unsigned inst_flaps[2];        /* limit drops so far, per instance */
	uint32_t limit;                /* prefixes per session */
	bool present;                  /* still in the topology (sync) */
};

struct speakers;

struct speakers *speakers_create(void);
void speakers_destroy(struct speakers *s); /* NULL is a no-op */
/* Adds peers of the topology that are new and marks gone ones absent
 * (their routes are cleared).  Limits follow the topology. */
int speakers_sync(struct speakers *s, const struct topology *t);
struct peer *speakers_peer(const struct speakers *s, const char *id);
size_t speakers_count(const struct speakers *s);
struct peer *speakers_at(const struct speakers *s, size_t i); /* creation order */

/* Instance liveness of a Route Server or gateway ("ars", "vpngw"). */
bool speakers_instance_up(const struct speakers *s, const char *owner, unsigned inst);
int speakers_set_instance(struct speakers *s, const char *owner, unsigned inst, bool up);
/* Whether the Azure side of p's session inst lives: Route Server instance
 * inst for an NVA (it peers with each instance); any instance of the
 * gateway for a connection (RULES 1.9: its one session stays up, and the
 * live instance processes UPDATEs, peerUp and retries, while one lives). */
bool speakers_session_host_up(const struct speakers *s, const struct peer *p, unsigned inst);

/* An UPDATE from the peer to the instances in mask.  Routes the peer sends
 * while it is down are remembered and delivered when it comes back.
 * Returns, per instance, bit i set when that session was dropped for the
 * limit (the caller schedules the retry and records the flap), and
 * SPEAKER_NOMEM when out of memory: the update then stopped part way (the
 * RIBs hold a part of it), so the caller must not go on as if it had
 * been applied. */
#define SPEAKER_NOMEM (1u << 31)
unsigned peer_advertise(struct speakers *s, struct peer *p, unsigned mask,
			const struct rib_route *routes, size_t n);
/* A WITHDRAW: the prefixes leave what the peer sends; they leave what the
 * Azure side holds only over an established session of a peer that is up
 * (a crashed peer's routes stay until its hold timer, RULES 2.2). */
void peer_withdraw(struct peer *p, const struct prefix *prefixes, size_t n);
/* Session down on instance i (hold expiry, graceful down, instance down). */
void peer_session_down(struct peer *p, unsigned inst);
/* Session up on instance i: replays sent[i] into in[i] under the limit.
 * Returns 1 when it stayed up, 0 when it dropped again (or there is no
 * such instance), -1 out of memory (the session stays down, in[i] empty). */
int peer_session_up(struct peer *p, unsigned inst);

const struct rib_route *rib_find(const struct rib *r, struct prefix p);

#endif
