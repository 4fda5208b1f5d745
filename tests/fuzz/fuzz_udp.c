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
 *                    bit 1 text writer too; bit 2 a key log with the
 *                    master secrets of the keyed DTLS fixtures
 *                    (tests/pcaps/dtls1*-keys-*.keylog), so that their
 *                    epoch-1 records are decrypted (RFC 6347 §4.1.2.1);
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

/* The CLIENT_RANDOM lines of tests/pcaps/dtls1*-keys-*.keylog (test keys). */
static const char *const dtls_keylog[] = {
    "CLIENT_RANDOM 3a36141e418004a1a6e93b476aa3d8f2e929c631d2f1e772cbc300fd857ce90b 28806de23a51b2ae891d366a9f2a136613ac8bf8a976374bebfb7c246036c4fa40a551e0fd6097faf212319a73ae0b0d",
    "CLIENT_RANDOM 5f6c968a3b81275cc34c88f4c4427e598e52eb81603830c974c9bfd126486108 d6b8ac2009e70fa36dac5b044e753b9bb08fb724adc1789b51df91bb68effffe416571f77bb95c459e8589c04acdbd30",
    "CLIENT_RANDOM 8cbf3d8fbcdb220b603bc7c9323ea2421394d94313ff8202375e541d1494eec7 2717b6237b66bc520a24dea0ebfd90583826d0849f77553e510cdaabdfac32940e82169fb924460f2339e63b87bcc83f",
    "CLIENT_RANDOM 66ce8ab38b6f613b8ac474c401dd3df6745363060e785feda00120b921940258 4d3200a552e234d9535584aa166694406d9cbd52d8bff5098f5c3ae65f54a6bf099302db2e47091ec5a0e48a39493da9",
    "CLIENT_RANDOM d1b6c40a2c1508941cf156f5aafb157e2121c890c54b91cfebf36ba8cf79ae25 c4abba6356ef431629b7ec2c194ef76221bdd68faa3ce57d2a6099542cc6c585dbe5373b5dc898e05e3e0ca497452018",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct td_digests digests;
    static bool digests_ready;
    struct fuzz_session f;
    struct td_mem_budget budget = {0, 4096};
    struct td_quic_conn *q = NULL;
    struct td_dtls_conn *d = NULL;
    static uint8_t plaintext[TD_TLS_PLAINTEXT_SCRATCH];
    struct td_keylog *kl = NULL;
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
    if (flags & 0x04) {
        f.env.keylog = kl = td_keylog_new(&fuzz_key, 16);
        f.env.plaintext = plaintext;
        for (size_t i = 0; kl && i < sizeof dtls_keylog / sizeof dtls_keylog[0]; i++)
            if (td_keylog_add_line(kl, dtls_keylog[i], strlen(dtls_keylog[i]), NULL) !=
                TD_KEYLOG_LINE_USED)
                abort();
        if (kl == NULL)
            abort();
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
                q = td_quic_new(&f.env, &f.conn, version, dcid, dcid_len);
            } else if ((flags & 1) || td_dtls_detect(p, caplen, len)) {
                f.env.dtls = true;
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
