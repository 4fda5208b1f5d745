/*
 * fuzz_session.h — what the targets that drive a whole TLS session
 * (fuzz_tls_stream, fuzz_decrypt) share: the run's environment as the
 * engine builds it (certificate cache, resumption map, a validator with an
 * empty trust store, digests), a td_conn reporting to the fuzz sink, and the
 * end of the connection (td_tls_end, the connection and stats events).
 */
#ifndef TD_FUZZ_SESSION_H
#define TD_FUZZ_SESSION_H

#include <string.h>

#include "fuzz_common.h"
#include "tlsdissect/buffer.h"
#include "tlsdissect/certificate.h"
#include "tlsdissect/connection.h"
#include "tlsdissect/digest.h"
#include "tlsdissect/resume.h"
#include "tlsdissect/session.h"
#include "tlsdissect/validate.h"

struct fuzz_session {
    struct td_tls_config cfg;
    struct td_arena arena;
    struct td_tls_env env;
    struct fuzz_sink sink;
    struct td_stats stats;
    struct td_reporter rep;
    struct td_conn conn;
};

/*
 * The environment and the connection (client on flow side `client`); the
 * caller may add to f->env (a key log) before td_tls_new.  A new validator
 * per input, so that its result cache carries nothing over.
 */
static void fuzz_session_open(struct fuzz_session *f, const struct td_digests *digests,
                              size_t max_handshake_message, uint64_t detect_budget,
                              unsigned sink_flags, int client, td_time_us now)
{
    static const struct td_endpoint ep[2] = {{.family = 4, .addr = {10, 0, 0, 1}, .port = 40000},
                                             {.family = 4, .addr = {10, 0, 0, 2}, .port = 443}};
    char err[256];

    memset(f, 0, sizeof *f);
    f->cfg.max_handshake_message = max_handshake_message;
    f->cfg.detect_budget = detect_budget;
    f->env.cfg = &f->cfg;
    f->env.arena = &f->arena;
    f->env.certs = td_cert_cache_new(4, &fuzz_key);
    f->env.resume = td_resume_map_new(8, &fuzz_key);
    f->env.validator = td_validator_new(NULL, FUZZ_TRUST_DIR, &fuzz_key, err, sizeof err);
    f->env.digests = digests;
    if (f->env.certs == NULL || f->env.resume == NULL || f->env.validator == NULL)
        abort();
    fuzz_sink_open(&f->sink, sink_flags);
    f->rep.sink = &f->sink.sink;
    f->rep.stats = &f->stats;
    f->rep.digests = digests;
    td_conn_init(&f->conn, &f->rep, 1, &ep[client], &ep[1 - client], NULL, 0, now);
}

/* After the connection's reader ended (and was freed): the connection and
 * stats events, then everything freed. */
static inline void fuzz_session_finish(struct fuzz_session *f, td_time_us now)
{
    td_conn_release(&f->conn);
    {
        struct td_event ev = {.type = TD_EV_STATS, .ts = now, .u.stats = &f->stats};
        td_sink_emit(&f->sink.sink, &ev);
    }
    fuzz_sink_close(&f->sink);
    td_cert_cache_free(f->env.certs);
    td_resume_map_free(f->env.resume);
    td_validator_free(f->env.validator);
    td_arena_free(&f->arena);
}

/* The connection ends: what was left, the connection and stats events, then everything freed. */
static inline void fuzz_session_close(struct fuzz_session *f, struct td_tls_session *s, td_time_us now)
{
    td_tls_end(s, now);
    if (f->conn.sum.tls_seen || f->conn.sum.anomalies > 0)
        td_conn_finish(&f->conn, now);
    td_tls_free(s);
    fuzz_session_finish(f, now);
}

#endif
