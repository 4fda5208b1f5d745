/*
 * resumption.c — one connection's resumption verdict from its clear
 * messages (RFC 5246 §7.3, §7.4.1.3; RFC 5077 §3.4; RFC 8446 §2.2).
 */
#include "tls/resumption.h"

#include <string.h>

#include "tlsdissect/cursor.h"

/* Longest client ticket kept to look up resumed_from. */
#define TD_MAX_TICKET_KEPT 65535

void td_resumption_init(struct td_resumption_tracker *r, struct td_mem_budget *budget)
{
    memset(r, 0, sizeof *r);
    r->ch_ticket.budget = budget;
    r->ch_psk_identities.budget = budget;
}

void td_resumption_release(struct td_resumption_tracker *r)
{
    td_buf_free(&r->ch_ticket);
    td_buf_free(&r->ch_psk_identities);
}

/* Keep a copy of b in buf, or nothing when it is too long or there is no room. */
static void keep_copy(struct td_buf *buf, const struct td_bytes *b)
{
    td_buf_clear(buf);
    if (b->len > 0 && td_buf_append(buf, b->data, b->len, TD_MAX_TICKET_KEPT) != 0)
        td_buf_clear(buf); /* resumed_from stays unknown */
}

static void copy_id(uint8_t dst[32], size_t *dst_len, const struct td_bytes *id)
{
    *dst_len = id->len <= 32 ? id->len : 0;
    if (*dst_len)
        memcpy(dst, id->data, *dst_len);
}

void td_resumption_client_hello(struct td_resumption_tracker *r, const struct td_client_hello *ch)
{
    copy_id(r->ch_session_id, &r->ch_session_id_len, &ch->session_id);
    keep_copy(&r->ch_ticket, ch->has_session_ticket ? &ch->session_ticket : &(struct td_bytes){0});
    keep_copy(&r->ch_psk_identities, &ch->psk_identities);
}

/*
 * The connection that issued the PSK identity the server selected
 * (PskIdentity: opaque identity<1..2^16-1>; uint32 obfuscated_ticket_age), or 0.
 */
static uint64_t psk_issuer(const struct td_resumption_tracker *r, uint16_t selected,
                           struct td_resume_map *map)
{
    struct td_cur list = td_cur_make(r->ch_psk_identities.data, r->ch_psk_identities.len), id;
    uint32_t age;

    for (unsigned i = 0; td_cur_remaining(&list); i++) {
        if (!td_cur_vec(&list, 2, 1, 0xffff, 1, &id) || !td_cur_u32(&list, &age))
            return 0;
        if (i == selected)
            return td_resume_lookup(map, TD_RESUME_PSK_IDENTITY, id.pos, td_cur_remaining(&id));
    }
    return 0;
}

static void decide(struct td_resumption_tracker *r, enum td_resumption how, uint64_t from, bool tls13)
{
    if (!tls13)
        r->hint = how == TD_RESUMED_NO ? TD_HINT_FULL : TD_HINT_RESUMING;
    r->known = true;
    r->how = how;
    r->from = from;
    r->pending = false;
}

void td_resumption_server_hello(struct td_resumption_tracker *r, const struct td_server_hello *sh,
                                bool tls13, struct td_resume_map *map)
{
    copy_id(r->sh_session_id, &r->sh_session_id_len, &sh->session_id);
    if (tls13) {
        if (sh->has_pre_shared_key)
            decide(r, TD_RESUMED_PSK, psk_issuer(r, sh->psk_selected_identity, map), true);
        else
            decide(r, TD_RESUMED_NO, 0, true);
        return;
    }
    if (sh->sslv2_format)
        return;
    r->pending = true;
    /* echoing the client's session ID resumes it (RFC 5246 §7.4.1.3); with a
     * ticket offered (RFC 5077 §3.4) only the server's next message tells */
    if (r->ch_session_id_len && sh->session_id.len == r->ch_session_id_len &&
        memcmp(sh->session_id.data, r->ch_session_id, r->ch_session_id_len) == 0)
        r->hint = TD_HINT_RESUMING;
    else
        r->hint = r->ch_ticket.len ? TD_HINT_UNDECIDED : TD_HINT_FULL;
}

bool td_resumption_full(struct td_resumption_tracker *r, struct td_resume_map *map, uint64_t conn)
{
    if (!r->pending)
        return false;
    decide(r, TD_RESUMED_NO, 0, false);
    td_resume_remember(map, TD_RESUME_SESSION_ID, r->sh_session_id, r->sh_session_id_len, conn);
    return true;
}

bool td_resumption_abbreviated(struct td_resumption_tracker *r, struct td_resume_map *map)
{
    if (!r->pending)
        return false;
    if (r->gap_hides) {
        /* the Certificate or ServerHelloDone may have been in the gap: say nothing */
        r->pending = false;
        return false;
    }
    if (r->ch_ticket.len)
        decide(r, TD_RESUMED_TICKET,
               td_resume_lookup(map, TD_RESUME_TICKET, r->ch_ticket.data, r->ch_ticket.len), false);
    else
        decide(r, TD_RESUMED_SESSION_ID,
               td_resume_lookup(map, TD_RESUME_SESSION_ID, r->sh_session_id, r->sh_session_id_len),
               false);
    return true;
}

void td_resumption_gap(struct td_resumption_tracker *r)
{
    if (r->pending)
        r->gap_hides = true;
}
