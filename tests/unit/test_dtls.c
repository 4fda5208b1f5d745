/*
 * test_dtls.c — DTLS records (src/dtls/record.c, RFC 6347 §4.1, RFC 9147
 * §4) and handshake fragment reassembly (src/dtls/reassembly.c, RFC 6347
 * §4.2.2-4.2.3): detection, several records per datagram, unified headers
 * with and without a connection ID, fragments out of order, overlaps (first
 * copy wins, conflicts counted), retransmissions, messages held ahead, lies
 * about lengths, floods, the budget, and the flush at the end.
 */
#include "unit.h"

#include "dtls/reassembly.h"
#include "dtls/record.h"

struct sink {
    uint8_t got[4][256];
    size_t len[4];
    struct td_dtls_msg_info info[4];
    unsigned calls;
};

static void collect(void *ctx, const uint8_t *msg, size_t n, const struct td_dtls_msg_info *info)
{
    struct sink *s = ctx;
    assert_true(s->calls < 4 && n <= sizeof s->got[0]);
    memcpy(s->got[s->calls], msg, n);
    s->len[s->calls] = n;
    s->info[s->calls] = *info;
    s->calls++;
}

/* A handshake fragment of `body` (len bytes): header + body[off, off + flen). */
static size_t fragment(uint8_t *out, uint8_t type, uint16_t seq, const uint8_t *body, size_t len,
                       size_t off, size_t flen)
{
    uint8_t h[12] = {type, (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len,
                     (uint8_t)(seq >> 8), (uint8_t)seq, (uint8_t)(off >> 16), (uint8_t)(off >> 8),
                     (uint8_t)off, (uint8_t)(flen >> 16), (uint8_t)(flen >> 8), (uint8_t)flen};
    memcpy(out, h, 12);
    memcpy(out + 12, body + off, flen);
    return 12 + flen;
}

static void test_records_and_detection(void **state)
{
    (void)state;
    /* two records in one datagram: a handshake record and a ChangeCipherSpec */
    const uint8_t dgram[] = {
        0x16, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 5, 0, 2, 0xaa, 0xbb,
        0x14, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 6, 0, 1, 0x01,
        0, 0, 0, /* padding */
    };
    struct td_cur c = td_cur_make(dgram, sizeof dgram);
    struct td_dtls_record r;

    assert_true(td_dtls_detect(dgram, sizeof dgram, sizeof dgram));
    assert_int_equal(td_dtls_read_record(&c, -1, &r), TD_DTLS_REC_OK);
    assert_int_equal(r.type, 22);
    assert_int_equal(r.epoch, 0);
    assert_int_equal(r.sequence, 5);
    assert_int_equal(r.length, 2);
    assert_int_equal(td_dtls_read_record(&c, -1, &r), TD_DTLS_REC_OK);
    assert_int_equal(r.type, 20);
    assert_int_equal(r.epoch, 1);
    assert_int_equal(r.sequence, 6);
    assert_int_equal(td_dtls_read_record(&c, -1, &r), TD_DTLS_REC_PADDING);

    /* TLS (0x0303), a length past the datagram, an unknown content type: not DTLS */
    const uint8_t tls[] = {0x16, 0x03, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    const uint8_t alert_long[] = {0x15, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0};
    const uint8_t odd_type[] = {0x30 + 0x40, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    assert_false(td_dtls_detect(tls, sizeof tls, sizeof tls));
    assert_false(td_dtls_detect(alert_long, sizeof alert_long, sizeof alert_long));
    assert_false(td_dtls_detect(odd_type, sizeof odd_type, sizeof odd_type));
    /* a handshake record of epoch 0 whose length lies: found, and malformed */
    const uint8_t hs_long[] = {0x16, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 1, 2};
    assert_true(td_dtls_detect(hs_long, sizeof hs_long, sizeof hs_long));
    c = td_cur_make(hs_long, sizeof hs_long);
    assert_int_equal(td_dtls_read_record(&c, -1, &r), TD_DTLS_REC_MALFORMED);
    assert_true(r.past_datagram);
    /* a unified header is never a flow's first datagram */
    const uint8_t unified[] = {0x2c, 0x00, 0x05, 0x00, 0x02, 0xaa, 0xbb};
    assert_false(td_dtls_detect(unified, sizeof unified, sizeof unified));
}

static void test_unified_header(void **state)
{
    (void)state;
    /* 001CSLEE: C=1 (CID of 3 bytes), S=1 (16-bit sequence), L=1, epoch 2 */
    const uint8_t with_cid[] = {0x3e, 0xc1, 0xc2, 0xc3, 0x01, 0x02, 0x00, 0x03, 1, 2, 3,
                                0x22, 0x07, 9}; /* then C=0 S=0 L=0: to the end */
    struct td_cur c = td_cur_make(with_cid, sizeof with_cid);
    struct td_dtls_record r;

    assert_int_equal(td_dtls_read_record(&c, 3, &r), TD_DTLS_REC_OK);
    assert_true(r.unified);
    assert_int_equal(r.type, 23);
    assert_int_equal(r.epoch, 2);
    assert_int_equal(r.sequence, 0x0102);
    assert_int_equal(r.length, 3);
    assert_int_equal(td_dtls_read_record(&c, 3, &r), TD_DTLS_REC_OK);
    assert_int_equal(r.sequence, 7);
    assert_int_equal(r.length, 1);
    assert_int_equal(td_cur_declared(&c), 0);
    /* a CID whose length no hello gave */
    c = td_cur_make(with_cid, sizeof with_cid);
    assert_int_equal(td_dtls_read_record(&c, -1, &r), TD_DTLS_REC_CID_UNKNOWN);
    /* the capture cut the record */
    c = td_cur_make_partial(with_cid, 9, sizeof with_cid);
    assert_int_equal(td_dtls_read_record(&c, 3, &r), TD_DTLS_REC_CUT);
    assert_int_equal(r.captured, 1);
}

static void test_fragments_out_of_order(void **state)
{
    (void)state;
    uint8_t body[100], rec[400];
    struct td_dtls_reassembly ra;
    struct td_dtls_frag_notes n = {0};
    struct sink s = {0};
    size_t len;

    for (size_t i = 0; i < sizeof body; i++)
        body[i] = (uint8_t)(i * 7);
    td_dtls_reasm_init(&ra, 1000, NULL);
    len = fragment(rec, 1, 0, body, 100, 60, 40);
    td_dtls_reasm_record(&ra, rec, len, 0, 0xfefd, collect, &s, &n);
    assert_int_equal(s.calls, 0);
    /* two fragments in one record: the start, and an overlap with the same bytes */
    len = fragment(rec, 1, 0, body, 100, 0, 30);
    len += fragment(rec + len, 1, 0, body, 100, 20, 45);
    td_dtls_reasm_record(&ra, rec, len, 0, 0xfeff, collect, &s, &n);
    assert_int_equal(s.calls, 1);
    assert_int_equal(s.len[0], 104);
    assert_int_equal(s.got[0][0], 1);
    assert_int_equal(s.got[0][3], 100);
    assert_memory_equal(s.got[0] + 4, body, 100);
    assert_int_equal(s.info[0].fragments, 3);
    assert_int_equal(s.info[0].message_seq, 0);
    assert_int_equal(s.info[0].record_version, 0xfefd); /* its first fragment's record */
    assert_int_equal(n.conflicts, 0);
    /* the flight resent: dropped, counted */
    len = fragment(rec, 1, 0, body, 100, 0, 100);
    td_dtls_reasm_record(&ra, rec, len, 0, 0xfefd, collect, &s, &n);
    assert_int_equal(s.calls, 1);
    assert_int_equal(n.retransmitted, 1);
    td_dtls_reasm_release(&ra);
}

static void test_messages_ahead_and_conflicts(void **state)
{
    (void)state;
    uint8_t body[20] = "abcdefghijklmnopqrs", forged[20], rec[200];
    struct td_dtls_reassembly ra;
    struct td_dtls_frag_notes n = {0};
    struct sink s = {0};
    size_t len;

    memcpy(forged, body, sizeof body);
    forged[5] ^= 0xff;
    td_dtls_reasm_init(&ra, 1000, NULL);
    /* message 1 whole before message 0: it waits */
    len = fragment(rec, 11, 1, body, 20, 0, 20);
    td_dtls_reasm_record(&ra, rec, len, 0, 0xfefd, collect, &s, &n);
    assert_int_equal(s.calls, 0);
    len = fragment(rec, 2, 0, body, 20, 0, 10);
    len += fragment(rec + len, 2, 0, forged, 20, 0, 10); /* differs: first copy kept */
    len += fragment(rec + len, 2, 0, body, 15, 10, 5);   /* another length: dropped */
    len += fragment(rec + len, 2, 0, body, 20, 10, 10);
    td_dtls_reasm_record(&ra, rec, len, 0, 0xfefd, collect, &s, &n);
    assert_int_equal(n.conflicts, 1);
    assert_int_equal(n.inconsistent, 1);
    assert_int_equal(s.calls, 2);
    assert_int_equal(s.got[0][0], 2);
    assert_memory_equal(s.got[0] + 4, body, 20);
    assert_int_equal(s.got[1][0], 11);
    assert_int_equal(s.info[1].message_seq, 1);
    /* past the length; too far ahead */
    len = fragment(rec, 12, 2, body, 10, 5, 10);
    rec[3] = 10; /* length 10, offset 5 + 10 */
    td_dtls_reasm_record(&ra, rec, len, 0, 0xfefd, collect, &s, &n);
    assert_int_equal(n.past_length, 1);
    len = fragment(rec, 12, 2 + TD_DTLS_SLOTS, body, 20, 0, 20);
    td_dtls_reasm_record(&ra, rec, len, 0, 0xfefd, collect, &s, &n);
    assert_int_equal(n.too_far_ahead, 1);
    /* a fragment_length longer than the record */
    len = fragment(rec, 12, 2, body, 20, 0, 20);
    td_dtls_reasm_record(&ra, rec, len - 1, 0, 0xfefd, collect, &s, &n);
    assert_true(n.malformed);
    td_dtls_reasm_release(&ra);
}

static void test_limits_and_flush(void **state)
{
    (void)state;
    uint8_t body[3000] = {0}, rec[64];
    struct td_dtls_reassembly ra;
    struct td_dtls_frag_notes n = {0};
    struct td_mem_budget budget = {0, 100};
    struct sink s = {0};
    uint32_t next;
    size_t len;

    td_dtls_reasm_init(&ra, 2000, NULL);
    /* over the message limit: skipped, reported */
    len = fragment(rec, 11, 0, body, 2500, 0, 10);
    td_dtls_reasm_record(&ra, rec, len, 0, 0xfefd, collect, &s, &n);
    assert_true(n.too_long);
    assert_int_equal(n.too_long_length, 2500);
    /* a flood of one-byte fragments: one finding per message */
    memset(&n, 0, sizeof n);
    for (size_t i = 0; i < TD_DTLS_MAX_FRAGMENTS + 10; i++) {
        len = fragment(rec, 11, 1, body, 1500, i, 1);
        td_dtls_reasm_record(&ra, rec, len, 0, 0xfefd, collect, &s, &n);
    }
    assert_int_equal(n.flood, 1);
    /* message 0 was skipped; message 1 never completes; message 3 is whole behind 2 */
    len = fragment(rec, 14, 3, body, 0, 0, 0);
    td_dtls_reasm_record(&ra, rec, len, 0, 0xfefd, collect, &s, &n);
    assert_int_equal(s.calls, 0);
    assert_int_equal(td_dtls_reasm_waiting(&ra, &next), 2);
    assert_int_equal(next, 1);
    assert_int_equal(td_dtls_reasm_flush(&ra, collect, &s), 0); /* 1 is unfinished: stop */
    td_dtls_reasm_release(&ra);

    /* the flush passes over missing messages to whole ones */
    td_dtls_reasm_init(&ra, 2000, NULL);
    len = fragment(rec, 14, 2, body, 0, 0, 0);
    td_dtls_reasm_record(&ra, rec, len, 0, 0xfefd, collect, &s, &n);
    assert_int_equal(s.calls, 0);
    assert_int_equal(td_dtls_reasm_flush(&ra, collect, &s), 2);
    assert_int_equal(s.calls, 1);
    assert_int_equal(s.info[0].message_seq, 2);
    td_dtls_reasm_release(&ra);

    /* the budget refuses a message that does not fit */
    memset(&n, 0, sizeof n);
    td_dtls_reasm_init(&ra, 2000, &budget);
    len = fragment(rec, 11, 0, body, 500, 0, 10);
    td_dtls_reasm_record(&ra, rec, len, 0, 0xfefd, collect, &s, &n);
    assert_int_equal(n.no_room, 1);
    assert_int_equal(budget.used, 0);
    len = fragment(rec, 11, 0, body, 500, 10, 10);
    td_dtls_reasm_record(&ra, rec, len, 0, 0xfefd, collect, &s, &n);
    td_dtls_reasm_release(&ra);
    assert_int_equal(budget.used, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records_and_detection),
        cmocka_unit_test(test_unified_header),
        cmocka_unit_test(test_fragments_out_of_order),
        cmocka_unit_test(test_messages_ahead_and_conflicts),
        cmocka_unit_test(test_limits_and_flush),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
