/*
 * fuzz_udp.c — libFuzzer target: the UDP datagrams of one flow through QUIC
 * (quic.h: long headers, Initial packet protection, frames, CRYPTO
 * reassembly) or DTLS (dtls.h: records, unified headers, handshake fragment
 * reassembly) into the TLS session, as the engine hands them over, reporting
 * to a td_conn whose events go through the JSON (and sometimes the text)
 * writer to /dev/null.
 *
 * Input format (tests/fuzz/make-seeds.py writes seeds in it):
 *
 *   byte 0    flags: bit 0 the flow is DTLS even when td_dtls_detect says no
 *                    (else: QUIC when td_quic_detect finds a client Initial,
 *                    DTLS when td_dtls_detect does, nothing otherwise)
 *                    bit 1 text writer too; bit 2 a key log follows (2 bytes
 *                    of length, big-endian, then key log lines: QUIC Handshake
 *                    packets and DTLS epoch-1 records are opened with its
 *                    secrets, RFC 9001 §5.1, RFC 6347 §4.1.2.1);
 *                    bit 6 max_handshake_message 2048
 *                    (else 1 MiB); bit 7 a TLS buffer budget of 4 KiB
 *   then datagrams, each:
 *     byte    bit 0 sent by flow side 1 (else 0); bit 1 cut: only half its
 *             bytes captured (a snaplen)
 *     2 bytes its length, big-endian (clipped to what is there)
 *     the datagram
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_session.h"
#include "tlsdissect/dtls.h"
#include "tlsdissect/keylog.h"
#include "tlsdissect/quic.h"

#define MAX_DATAGRAMS 20000


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct td_digests digests;
    static bool digests_ready;
    struct fuzz_session f;
    struct td_mem_budget budget = {0, 4096};
    struct td_quic_conn *q = NULL;
    struct td_keylog *kl = NULL;
    struct td_dtls_conn *d = NULL;
    static uint8_t plaintext[TD_TLS_PLAINTEXT_SCRATCH];
    td_time_us now = 1795000000000000LL;
    unsigned n = 0;
    uint8_t flags;

    if (size < 4)
        return 0;
    flags = data[0];
    data++;
    size--;
    if (!digests_ready && !(digests_ready = td_digests_init(&digests)))
        abort();
    fuzz_session_open(&f, &digests, (flags & 0x40) ? 2048 : 1 << 20, 64 * 1024,
                      (flags >> 1) & 1, 0, now);
    if (flags & 0x80)
        f.env.buffers = &budget;
    if ((flags & 0x04) && size >= 2) {
        size_t kl_len = (size_t)data[0] << 8 | data[1], at = 0;
        data += 2;
        size -= 2;
        if (kl_len > size)
            kl_len = size;
        kl = td_keylog_new(&fuzz_key, 16);
        f.env.plaintext = plaintext; /* DTLS records are opened into it */
        if (kl == NULL)
            abort();
        while (at < kl_len) { /* one line at a time, as a key log file gives them */
            const uint8_t *nl = memchr(data + at, '\n', kl_len - at);
            size_t line = nl ? (size_t)(nl - (data + at)) : kl_len - at;
            td_keylog_add_line(kl, (const char *)data + at, line, NULL);
            at += line + 1;
        }
        data += kl_len;
        size -= kl_len;
    }
    while (size >= 3 && n++ < MAX_DATAGRAMS) {
        int side = data[0] & 1;
        bool cut = data[0] & 2;
        size_t len = (size_t)data[1] << 8 | data[2];
        const uint8_t *p = data + 3;
        size_t caplen;

        data += 3;
        size -= 3;
        if (len > size)
            len = size;
        data += len;
        size -= len;
        caplen = cut ? len / 2 : len;
        now += 1000;
        if (q == NULL && d == NULL) {
            uint8_t dcid[TD_QUIC_MAX_CID];
            size_t dcid_len;
            uint32_t version;
            if (td_quic_detect(p, caplen, len, &version, dcid, &dcid_len)) {
                f.env.quic = true;
                f.env.keylog = kl;
                q = td_quic_new(&f.env, &f.conn, version, dcid, dcid_len);
            } else if ((flags & 1) || td_dtls_detect(p, caplen, len)) {
                f.env.dtls = true;
                f.env.keylog = kl;
                d = td_dtls_new(&f.env, &f.conn);
            } else {
                continue; /* not tracked, as the engine counts it */
            }
            if (q == NULL && d == NULL)
                abort();
        }
        if (q)
            td_quic_datagram(q, side, p, caplen, len, now);
        else
            td_dtls_datagram(d, side, p, caplen, len, now);
    }
    now += 1000;
    if (q)
        td_quic_end(q, now);
    if (d)
        td_dtls_end(d, now);
    if ((q || d) && (f.conn.sum.tls_seen || f.conn.sum.anomalies > 0))
        td_conn_finish(&f.conn, now);
    td_quic_free(q);
    td_dtls_free(d);
    fuzz_session_finish(&f, now);
    td_keylog_free(kl);
    if (budget.used != 0)
        abort(); /* every buffer gave its bytes back */
    return 0;
}
