/*
 * handshake.c — handshake message framing (RFC 8446 §4 / §5.1: "handshake
 * messages may be coalesced into a single record or fragmented across
 * several records").
 *
 * Invariant: buf holds the first bytes (header first) of exactly one
 * message in progress, never more than 4 + its declared length.
 */
#include "tls/handshake.h"

#include <stdlib.h>
#include <string.h>

#include "tlsdissect/codepoints.h"
#include "tlsdissect/cursor.h"
#include "tlsdissect/registry.h"

/* Buffer storage kept between messages; a bigger message's is freed once it is parsed. */
#define TD_HS_BUFFER_KEEP (16 * 1024)

/* The uint24 length of a handshake header (callers hold at least its 4 bytes). */
static size_t message_length(const uint8_t *hdr)
{
    struct td_cur c = td_cur_make(hdr, 4);
    uint32_t len = 0;
    td_cur_skip(&c, 1);
    td_cur_u24(&c, &len);
    return len;
}

/* The skipped message is over: an over-long one is reported (NULL body). */
static void end_discard(struct td_hs_assembler *a, int side, td_hs_message_fn fn, void *ctx)
{
    struct td_hs_message m = {a->discard_type, a->discard_length, NULL, a->first_version, 0, false};
    bool silent = a->discard_silent;
    a->discarding = false;
    a->discard_silent = false;
    if (!silent)
        fn(ctx, side, &m);
}

static void skip_over_long(struct td_hs_assembler *a, int side, const uint8_t **p, size_t *n,
                           td_hs_message_fn fn, void *ctx)
{
    size_t take = a->discard_left < *n ? a->discard_left : *n;
    *p += take;
    *n -= take;
    a->discard_left -= take;
    if (a->discard_left == 0)
        end_discard(a, side, fn, ctx);
}

/* A handshake header of a registered type whose length is within the cap. */
static bool header_plausible(const uint8_t *p, size_t max_message)
{
    return td_registry_lookup(TD_REG_HANDSHAKE_TYPES, p[0]) != NULL &&
           message_length(p) <= max_message;
}

/*
 * Where messages start again in p[0..n) after lost framing, or n when
 * nowhere.  chains[j] says whether messages from j tile p exactly to its end;
 * filled from the end, so the search is linear whatever the bytes.
 */
static size_t find_message_start(const uint8_t *p, size_t n, size_t max_message)
{
    uint8_t *chains;
    size_t j, found = n;

    /* One message from the start that continues in the next record: weaker
     * evidence, so only a message that can follow a lost one (not a hello) and
     * shorter than 64 KiB (a DER string tag before text never looks like that). */
    if (n >= 4 && header_plausible(p, max_message) && message_length(p) > n - 4 &&
        p[0] != TD_HS_CLIENT_HELLO && p[0] != TD_HS_SERVER_HELLO && message_length(p) < 65536)
        return 0;
    chains = calloc(n + 1, 1);
    if (chains == NULL)
        return n;
    chains[n] = 1;
    for (j = n; j-- > 0;) {
        if (n - j >= 4 && header_plausible(p + j, max_message) &&
            message_length(p + j) <= n - j - 4)
            chains[j] = chains[j + 4 + message_length(p + j)];
    }
    for (j = 0; j < n; j++)
        if (chains[j]) {
            found = j;
            break;
        }
    free(chains);
    return found;
}

/* The message in progress will not be completed: hand over what there is. */
static void hand_over_partial(struct td_hs_assembler *a, int side, td_hs_message_fn fn, void *ctx)
{
    if (a->buf.len >= 4) {
        struct td_hs_message m = {a->buf.data[0], message_length(a->buf.data), a->buf.data + 4,
                                  a->first_version, a->buf.len - 4, true};
        fn(ctx, side, &m);
    }
    td_buf_clear(&a->buf);
}

void td_hs_lost(struct td_hs_assembler *a, int side, uint64_t n, td_hs_message_fn fn, void *ctx)
{
    if (n == 0 || a->lost_sync)
        return;
    if (a->discarding) {
        if (n < a->discard_left) {
            a->discard_left -= (size_t)n;
            return;
        }
        n -= a->discard_left;
        a->discard_left = 0;
        end_discard(a, side, fn, ctx);
    } else if (a->buf.len >= 4) {
        size_t rest = message_length(a->buf.data) - (a->buf.len - 4);
        uint8_t type = a->buf.data[0];
        hand_over_partial(a, side, fn, ctx);
        if (n < rest) {
            /* the rest of this message is skipped by its length: the next one is found */
            a->discarding = a->discard_silent = true;
            a->discard_type = type;
            a->discard_length = a->discard_left = rest - (size_t)n;
            return;
        }
        n -= rest;
    }
    if (n > 0) {
        td_buf_clear(&a->buf);
        a->lost_sync = true;
    }
}

void td_hs_lost_framing(struct td_hs_assembler *a, int side, td_hs_message_fn fn, void *ctx)
{
    if (!a->discarding)
        hand_over_partial(a, side, fn, ctx);
    td_hs_reset(a);
    a->lost_sync = true;
}

void td_hs_feed(struct td_hs_assembler *a, int side, const uint8_t *p, size_t n,
                uint16_t record_version, size_t max_message, td_hs_message_fn fn, void *ctx)
{
    if (a->lost_sync && n > 0) {
        size_t start = find_message_start(p, n, max_message);
        a->skipped += start;
        p += start;
        n -= start;
        if (n > 0)
            a->lost_sync = false;
    }
    while (n > 0) {
        if (a->discarding) {
            skip_over_long(a, side, &p, &n, fn, ctx);
            continue;
        }
        if (a->buf.len == 0) {
            /* Fast path: whole messages inside this record, viewed in place. */
            if (n >= 4 && message_length(p) <= n - 4 && message_length(p) <= max_message) {
                struct td_hs_message m = {p[0], message_length(p), p + 4, record_version,
                                          message_length(p), false};
                p += 4 + m.length;
                n -= 4 + m.length;
                fn(ctx, side, &m);
                continue;
            }
            a->first_version = record_version;
        }
        /* Slow path: assemble the header, then the body. */
        if (a->buf.len < 4) {
            size_t take = 4 - a->buf.len < n ? 4 - a->buf.len : n;
            if (td_buf_append(&a->buf, p, take, 4 + max_message) != 0) {
                /* not even a header could be kept: framing is lost */
                a->refused = true;
                a->refused_type = p[0];
                a->refused_length = 0;
                td_hs_reset(a);
                a->lost_sync = true;
                return;
            }
            p += take;
            n -= take;
            if (a->buf.len < 4)
                continue;
            if (message_length(a->buf.data) > max_message) {
                a->discarding = true;
                a->discard_type = a->buf.data[0];
                a->discard_length = message_length(a->buf.data);
                a->discard_left = a->discard_length;
                td_buf_clear(&a->buf);
                if (a->discard_left == 0)
                    skip_over_long(a, side, &p, &n, fn, ctx);
                continue;
            }
        }
        size_t want = message_length(a->buf.data) - (a->buf.len - 4);
        size_t take = want < n ? want : n;
        if (td_buf_append(&a->buf, p, take, 4 + max_message) != 0) {
            /* no room (the run's budget, or memory): skip the message by its length */
            a->refused = true;
            a->refused_type = a->discard_type = a->buf.data[0];
            a->refused_length = a->discard_length = message_length(a->buf.data);
            a->discard_left = want;
            a->discarding = a->discard_silent = true;
            td_buf_free(&a->buf);
            continue;
        }
        p += take;
        n -= take;
        if (take == want) {
            struct td_hs_message m = {a->buf.data[0], message_length(a->buf.data), a->buf.data + 4,
                                      a->first_version, message_length(a->buf.data), false};
            fn(ctx, side, &m);
            td_buf_clear_trim(&a->buf, TD_HS_BUFFER_KEEP);
        }
    }
}

void td_hs_flush_truncated(struct td_hs_assembler *a, int side, td_hs_message_fn fn, void *ctx)
{
    if (!a->discarding && a->buf.len >= 4) {
        struct td_hs_message m = {a->buf.data[0], message_length(a->buf.data), a->buf.data + 4,
                                  a->first_version, a->buf.len - 4, true};
        fn(ctx, side, &m);
    }
    td_hs_reset(a);
}

void td_hs_reset(struct td_hs_assembler *a)
{
    td_buf_clear(&a->buf);
    a->discarding = false;
    a->discard_silent = false;
    a->lost_sync = false;
}

void td_hs_release(struct td_hs_assembler *a) { td_buf_free(&a->buf); }

void td_hs_progress(const struct td_hs_assembler *a, struct td_hs_progress *p)
{
    memset(p, 0, sizeof *p);
    if (td_hs_skipping_over_long(a)) {
        p->state = TD_HS_SKIPPING_OVER_LONG;
        p->type = a->discard_type;
        p->length = a->discard_length;
        p->seen = a->discard_length - a->discard_left;
    } else if (a->buf.len >= 4) {
        p->state = TD_HS_IN_BODY;
        p->type = a->buf.data[0];
        p->length = message_length(a->buf.data);
        p->seen = a->buf.len - 4;
    } else if (a->buf.len > 0) {
        p->state = TD_HS_IN_HEADER;
        p->seen = a->buf.len;
        p->length = 4;
    }
}
