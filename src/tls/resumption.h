/*
 * resumption.h — whether one connection resumed a session, as its clear
 * messages show it (RFC 5246 §7.3 and §7.4.1.3, RFC 5077 §3.4, RFC 8446
 * §2.2): a TLS <= 1.2 server that answers the ServerHello with
 * ChangeCipherSpec resumed (by ticket when the client offered a non-empty
 * one, else by session ID); a Certificate, ServerKeyExchange,
 * CertificateRequest or ServerHelloDone from the server, or a
 * ClientKeyExchange, means a full handshake; a gap in the server's flight
 * while it is open leaves the verdict unknown.  TLS 1.3: pre_shared_key in
 * the ServerHello; its selected_identity (RFC 8446 §4.2.11) names the
 * ClientHello's PSK identity, looked up among the tickets of decrypted
 * NewSessionTickets.  Private to src/tls.
 */
#ifndef TLSDISSECT_TLS_RESUMPTION_H
#define TLSDISSECT_TLS_RESUMPTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlsdissect/buffer.h"
#include "tlsdissect/model.h"
#include "tlsdissect/resume.h"

struct td_resumption_tracker {
    uint8_t ch_session_id[32];
    size_t ch_session_id_len;
    struct td_buf ch_ticket;     /* the session_ticket extension's data, when non-empty */
    struct td_buf ch_psk_identities; /* TLS 1.3: the pre_shared_key identities, raw */
    uint8_t sh_session_id[32];
    size_t sh_session_id_len;
    bool pending;                /* TLS <= 1.2: full or abbreviated not yet known */
    bool gap_hides;              /* ... and a gap in the server's flight hides which */
    enum td_resumption_hint hint;
    /* the verdict, once known */
    bool known;
    enum td_resumption how;
    uint64_t from;               /* the connection that issued the session, or 0 */
};

/* Zeroed, with the ticket copy charged to budget (NULL: none). */
void td_resumption_init(struct td_resumption_tracker *r, struct td_mem_budget *budget);
void td_resumption_release(struct td_resumption_tracker *r);

void td_resumption_client_hello(struct td_resumption_tracker *r, const struct td_client_hello *ch);
/* TLS 1.3: a PSK the ServerHello accepted is looked up in map. */
void td_resumption_server_hello(struct td_resumption_tracker *r, const struct td_server_hello *sh,
                                bool tls13, struct td_resume_map *map);

/* Evidence from the handshake that follows; each returns true when it decided the verdict.
 * A full handshake registers the server's session ID for later resumptions (map, conn). */
bool td_resumption_full(struct td_resumption_tracker *r, struct td_resume_map *map, uint64_t conn);
bool td_resumption_abbreviated(struct td_resumption_tracker *r, struct td_resume_map *map);
/* Bytes of the server's flight were lost. */
void td_resumption_gap(struct td_resumption_tracker *r);

static inline bool td_resumption_pending(const struct td_resumption_tracker *r) { return r->pending; }

#endif
