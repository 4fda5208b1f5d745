/*
 * resume.h — which earlier connection a resumed session came from.
 * Full handshakes register the session ID the server assigned (RFC 5246
 * §7.4.1.3) and the tickets it issued in clear NewSessionTicket messages
 * (RFC 5077 §3.3); an abbreviated handshake looks its session ID or ticket
 * up.  TLS 1.3 tickets travel encrypted: a NewSessionTicket decrypted with
 * key log secrets registers its ticket as a PSK identity (RFC 8446 §4.6.1),
 * which a later ClientHello's pre_shared_key looks up (§4.2.11); without
 * keys PSK resumptions cannot be linked.  The map is bounded: the oldest
 * entries make room.
 */
#ifndef TLSDISSECT_RESUME_H
#define TLSDISSECT_RESUME_H

#include <stddef.h>
#include <stdint.h>

#include "tlsdissect/keyed_hash.h"

struct td_resume_map;

/* capacity slots, chosen by SipHash under key (copied).  NULL when out of memory. */
struct td_resume_map *td_resume_map_new(size_t capacity, const struct td_hash_key *key);
void td_resume_map_free(struct td_resume_map *m);

enum td_resume_key { TD_RESUME_SESSION_ID, TD_RESUME_TICKET, TD_RESUME_PSK_IDENTITY };

void td_resume_remember(struct td_resume_map *m, enum td_resume_key kind, const uint8_t *id,
                        size_t len, uint64_t conn);
/* The connection that registered id, or 0. */
uint64_t td_resume_lookup(struct td_resume_map *m, enum td_resume_key kind,
                          const uint8_t *id, size_t len);

#endif
