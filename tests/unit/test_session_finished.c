/*
 * test_session_finished.c — Finished verification inside the TLS session
 * (session_transcript.c; RFC 5246 §7.4.9) for TLS 1.2 and 1.0, whose
 * records are not decrypted yet: the real OpenSSL handshakes of
 * finished_vectors.h are fed as clear records, and each Finished as the
 * record layer will hand over a decrypted one (reading_decrypted, then the
 * handshake assembler).  With the key log's master secret both Finished
 * verify; with another one neither does (finished_mismatch); without the
 * connection in the key log nothing is checked; a Finished left encrypted
 * loses the transcript (finished_unverified on the next one).
 */
#include "unit.h"

#include <stdbool.h>
#include <stdio.h>

#include "tlsdissect/certificate.h"
#include "tlsdissect/codepoints.h"
#include "tlsdissect/connection.h"
#include "tlsdissect/digest.h"
#include "tlsdissect/keylog.h"
#include "tlsdissect/resume.h"
#include "tls/session_private.h"

#include "finished_vectors.h"

struct recorder {
    struct td_sink sink;
    enum td_finished_check finished[4];
    bool finished_decrypted[4];
    unsigned finished_count;
    unsigned anomalies[TD_ANOM_COUNT];
};

static void record(struct td_sink *sink, const struct td_event *ev)
{
    struct recorder *r = (struct recorder *)sink;
    if (ev->type == TD_EV_MESSAGE && ev->u.message->kind == TD_MSG_FINISHED &&
        r->finished_count < 4) {
        r->finished_decrypted[r->finished_count] = ev->u.message->decrypted;
        r->finished[r->finished_count++] = ev->u.message->finished_check;
    } else if (ev->type == TD_EV_ANOMALY) {
        r->anomalies[ev->u.anomaly->kind]++;
    }
}

enum finished_delivery { DECRYPTED, CLIENT_LEFT_ENCRYPTED };

/*
 * Feed a vector's handshake: client messages from flow side 0, server
 * messages from side 1, the first Finished the client's (a full TLS 1.2
 * handshake).  keylog_secret: the master secret the key log gives the
 * ClientHello's random (NULL: no line for it).
 */
static void run(const char *messages_hex, const char *keylog_secret,
                enum finished_delivery delivery, struct recorder *r)
{
    static const struct td_endpoint ep[2] = {{.family = 4, .addr = {10, 0, 0, 1}, .port = 40000},
                                             {.family = 4, .addr = {10, 0, 0, 2}, .port = 443}};
    struct td_tls_config cfg = {.max_handshake_message = 1 << 20, .detect_budget = 64 * 1024};
    struct td_arena arena;
    struct td_digests digests;
    struct td_stats stats;
    struct td_reporter rep = {.sink = &r->sink, .stats = &stats};
    struct td_conn conn;
    struct td_tls_env env;
    struct td_tls_session *s;
    size_t n, at = 0;
    uint8_t *msgs;
    unsigned finished = 0;
    char line[300];

    memset(&arena, 0, sizeof arena);
    memset(&stats, 0, sizeof stats);
    memset(&env, 0, sizeof env);
    assert_true(td_digests_init(&digests));
    env.cfg = &cfg;
    env.arena = &arena;
    env.certs = td_cert_cache_new(4, &unit_hash_key);
    env.resume = td_resume_map_new(8, &unit_hash_key);
    env.digests = &digests;
    env.keylog = td_keylog_new(&unit_hash_key, 16);
    env.plaintext = malloc(TD_TLS_PLAINTEXT_SCRATCH);
    assert_non_null(env.certs);
    assert_non_null(env.resume);
    assert_non_null(env.keylog);
    assert_non_null(env.plaintext);

    n = strlen(messages_hex) / 2;
    msgs = malloc(n);
    assert_non_null(msgs);
    unit_unhex(messages_hex, msgs, n);
    if (keylog_secret) {
        /* the ClientHello's random: after its header and legacy_version */
        int len = snprintf(line, sizeof line, "CLIENT_RANDOM ");
        for (int i = 0; i < 32; i++)
            len += snprintf(line + len, sizeof line - (size_t)len, "%02x", msgs[6 + i]);
        len += snprintf(line + len, sizeof line - (size_t)len, " %s", keylog_secret);
        assert_int_equal(td_keylog_add_line(env.keylog, line, (size_t)len, NULL),
                         TD_KEYLOG_LINE_USED);
    }

    td_conn_init(&conn, &rep, 1, &ep[0], &ep[1], NULL, 0, 0);
    s = td_tls_new(&env, &conn, 0, false);
    assert_non_null(s);
    while (at + 4 <= n) {
        uint8_t type = msgs[at];
        size_t len = (size_t)msgs[at + 1] << 16 | (size_t)msgs[at + 2] << 8 | msgs[at + 3];
        bool client = type == TD_HS_CLIENT_HELLO || type == TD_HS_CLIENT_KEY_EXCHANGE ||
                      (type == TD_HS_FINISHED && finished == 0);
        int side = client ? 0 : 1;
        struct td_record rec_in = {.type = TD_CT_HANDSHAKE, .version = TD_VERSION_TLS_1_2,
                              .body = msgs + at, .length = 4 + len};
        assert_true(at + 4 + len <= n);
        if (type == TD_HS_FINISHED) {
            static const uint8_t ccs[6] = {TD_CT_CHANGE_CIPHER_SPEC, 3, 3, 0, 1, 1};
            td_tls_data(s, side, ccs, sizeof ccs, 0);
            if (delivery == CLIENT_LEFT_ENCRYPTED && client) {
                /* a record the capture cannot open: labelled, not read */
                uint8_t rec[5 + 40];
                memset(rec, 0xa5, sizeof rec);
                rec[0] = TD_CT_HANDSHAKE, rec[1] = 3, rec[2] = 3, rec[3] = 0, rec[4] = 40;
                td_tls_data(s, side, rec, sizeof rec, 0);
            } else {
                /* what the TLS 1.2 record layer does with a decrypted record */
                s->dir[side].reading_decrypted = true;
                td_sess_read_handshake_record(s, side, &rec_in);
                s->dir[side].reading_decrypted = false;
            }
            finished++;
        } else {
            uint8_t *rec = malloc(5 + 4 + len);
            assert_non_null(rec);
            rec[0] = TD_CT_HANDSHAKE, rec[1] = 3, rec[2] = 3;
            rec[3] = (uint8_t)((4 + len) >> 8), rec[4] = (uint8_t)(4 + len);
            memcpy(rec + 5, msgs + at, 4 + len);
            td_tls_data(s, side, rec, 5 + 4 + len, 0);
            free(rec);
        }
        at += 4 + len;
    }
    assert_int_equal(finished, 2);
    td_tls_end(s, 0);
    td_tls_free(s);
    td_conn_release(&conn);
    free(msgs);
    free(env.plaintext);
    td_keylog_free(env.keylog);
    td_cert_cache_free(env.certs);
    td_resume_map_free(env.resume);
    td_arena_free(&arena);
    td_digests_free(&digests);
}

static void test_tls12_both_verify(void **state)
{
    (void)state;
    struct recorder r = {.sink = {record}};
    run(tls12s_messages, tls12s_master_secret, DECRYPTED, &r);
    assert_int_equal(r.finished_count, 2);
    assert_int_equal(r.finished[0], TD_FINISHED_VERIFIED);
    assert_int_equal(r.finished[1], TD_FINISHED_VERIFIED);
    assert_int_equal(r.anomalies[TD_ANOM_FINISHED_MISMATCH], 0);

    r = (struct recorder){.sink = {record}};
    run(tls12_messages, tls12_master_secret, DECRYPTED, &r); /* SHA-384 PRF */
    assert_int_equal(r.finished[0], TD_FINISHED_VERIFIED);
    assert_int_equal(r.finished[1], TD_FINISHED_VERIFIED);
}

static void test_tls10_both_verify(void **state)
{
    (void)state;
    struct recorder r = {.sink = {record}};
    run(tls10_messages, tls10_master_secret, DECRYPTED, &r);
    assert_int_equal(r.finished_count, 2);
    assert_int_equal(r.finished[0], TD_FINISHED_VERIFIED);
    assert_int_equal(r.finished[1], TD_FINISHED_VERIFIED);
}

/* Another connection's master secret: both false, one anomaly event. */
static void test_wrong_master_secret(void **state)
{
    (void)state;
    struct recorder r = {.sink = {record}};
    run(tls12s_messages, tls12_master_secret, DECRYPTED, &r);
    assert_int_equal(r.finished[0], TD_FINISHED_MISMATCH);
    assert_int_equal(r.finished[1], TD_FINISHED_MISMATCH);
    assert_int_equal(r.anomalies[TD_ANOM_FINISHED_MISMATCH], 1);
}

/* The key log does not know the connection: no transcript, no verdict. */
static void test_no_keys_no_verdict(void **state)
{
    (void)state;
    struct recorder r = {.sink = {record}};
    run(tls12s_messages, NULL, DECRYPTED, &r);
    assert_int_equal(r.finished[0], TD_FINISHED_UNCHECKED);
    assert_int_equal(r.finished[1], TD_FINISHED_UNCHECKED);
    assert_int_equal(r.anomalies[TD_ANOM_FINISHED_UNVERIFIED], 0);
}

/* The client's Finished left encrypted: the server's, which covers it, cannot be checked. */
static void test_hidden_message_loses_the_transcript(void **state)
{
    (void)state;
    struct recorder r = {.sink = {record}};
    run(tls12s_messages, tls12s_master_secret, CLIENT_LEFT_ENCRYPTED, &r);
    assert_int_equal(r.finished_count, 2);
    assert_false(r.finished_decrypted[0]);
    assert_true(r.finished_decrypted[1]);
    assert_int_equal(r.finished[1], TD_FINISHED_UNCHECKED);
    assert_int_equal(r.anomalies[TD_ANOM_FINISHED_UNVERIFIED], 1);
    assert_int_equal(r.anomalies[TD_ANOM_FINISHED_MISMATCH], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tls12_both_verify),
        cmocka_unit_test(test_tls10_both_verify),
        cmocka_unit_test(test_wrong_master_secret),
        cmocka_unit_test(test_no_keys_no_verdict),
        cmocka_unit_test(test_hidden_message_loses_the_transcript),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
