/*
 * resumption.c — one connection's resumption verdict from its clear
 * messages (RFC 5246 §7.3, §7.4.1.3; RFC 5077 §3.4; RFC 8446 §2.2).
 */
#include "tls/resumption.h"

#include <string.h>

/* Longest client ticket kept to look up resumed_from. */
#define TD_MAX_TICKET_KEPT 65535

void td_resumption_init(struct td_resumption_tracker *r, struct td_mem_budget *budget)
{
    memset(r, 0, sizeof *r);
    r->ch_ticket.budget = budget;
}

void td_resumption_release(struct td_resumption_tracker *r) { td_buf_free(&r->ch_ticket); }

static void copy_id(uint8_t dst[32], size_t *dst_len, const struct td_bytes *id)
{
    *dst_len = id->len <= 32 ? id->len : 0;
    if (*dst_len)
        memcpy(dst, id->data, *dst_len);
}

void td_resumption_client_hello(struct td_resumption_tracker *r, const struct td_client_hello *ch)
{
    copy_id(r->ch_session_id, &r->ch_session_id_len, &ch->session_id);
    td_buf_clear(&r->ch_ticket);
    if (ch->has_session_ticket && ch->session_ticket.len > 0 &&
        td_buf_append(&r->ch_ticket, ch->session_ticket.data, ch->session_ticket.len,
                      TD_MAX_TICKET_KEPT) != 0)
        td_buf_clear(&r->ch_ticket); /* too long or no room: resumed_from stays unknown */
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
                                bool tls13)
{
    copy_id(r->sh_session_id, &r->sh_session_id_len, &sh->session_id);
    if (tls13) {
        decide(r, sh->has_pre_shared_key ? TD_RESUMED_PSK : TD_RESUMED_NO, 0, true);
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
