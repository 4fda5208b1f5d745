/*
 * fuzz_tls_stream.c — libFuzzer target: the TLS record and handshake layer
 * (session.h) fed the two byte streams of one connection in chunks, as the
 * TCP reassembly would hand them over, reporting to a td_conn whose events
 * go through the JSON (and sometimes the text) writer to /dev/null.
 *
 * Input format (tests/fuzz/make-seeds.py writes seeds in it):
 *
 *   byte 0    flags: bit 0 the client is flow side 1 (else 0)
 *                    bit 1 midstream (the connection's start was not seen)
 *                    bit 2 honour the session's skip hints: bytes it says it
 *                          does not need are handed over as TD_GAP_SKIPPED
 *                    bit 3 text writer too; bit 4 --explain; bit 5 live
 *                    bit 6 max_handshake_message 2048 (else 1 MiB)
 *                    bit 7 detect_budget 300 bytes (else 64 KiB)
 *   byte 1    n, the number of schedule bytes
 *   n bytes   the schedule, used in a cycle, one step per byte:
 *               bit 7 stay on the same side (else alternate; the first
 *                     step is side 0)
 *               bit 6 clear: deliver data; bits 0-5 v: v == 0 everything
 *                     left, v <= 32 v bytes, else (v - 32) * 256 bytes
 *               bit 6 set: a gap of 1 << (bits 0-3) bytes that are never
 *                     delivered; bits 4-5 the reason (0 lost, 1 truncated,
 *                     2 buffer full, 3 lost)
 *             no schedule: each side's whole stream in one delivery
 *   2 bytes   L, big-endian: the length of flow side 0's stream
 *   L bytes   side 0's stream (clipped to what is there)
 *   the rest  side 1's stream
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_session.h"
#include "tlsdissect/stream.h"

#define MAX_STEPS 100000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *sched, *stream[2];
    size_t nsched, len[2], pos[2] = {0, 0}, i = 0;
    uint64_t skip[2] = {0, 0};
    uint8_t flags;
    static struct td_digests digests; /* fetched once, as the engine does per run */
    static bool digests_ready;
    struct fuzz_session f;
    struct td_tls_session *s;
    td_time_us now = 1795000000000000LL;
    int side = 0, client;
    unsigned steps = 0;

    if (size < 4)
        return 0;
    flags = data[0];
    nsched = data[1];
    if (nsched > size - 2)
        nsched = size - 2;
    sched = data + 2;
    data += 2 + nsched;
    size -= 2 + nsched;
    if (size < 2) {
        len[0] = len[1] = 0;
        stream[0] = stream[1] = data;
    } else {
        size_t l0 = (size_t)data[0] << 8 | data[1];
        data += 2;
        size -= 2;
        if (l0 > size)
            l0 = size;
        stream[0] = data;
        len[0] = l0;
        stream[1] = data + l0;
        len[1] = size - l0;
    }

    if (!digests_ready && !(digests_ready = td_digests_init(&digests)))
        abort();
    client = flags & 1;
    /* the CLI always validates server chains (here with an empty trust store) */
    fuzz_session_open(&f, &digests, (flags & 0x40) ? 2048 : 1 << 20, (flags & 0x80) ? 300 : 64 * 1024,
                      (flags >> 3) & 7, client, now);
    s = td_tls_new(&f.env, &f.conn, client, (flags & 2) != 0);
    if (s == NULL)
        abort();

    while ((pos[0] < len[0] || pos[1] < len[1]) && steps++ < MAX_STEPS) {
        uint8_t step = nsched ? sched[i++ % nsched] : 0;
        if (steps > 1 && !(step & 0x80))
            side = 1 - side;
        if (pos[side] >= len[side])
            side = 1 - side; /* this side has nothing left */
        now += 1000 + (step & 7);
        if (step & 0x40) {
            static const enum td_gap_reason why[4] = {TD_GAP_LOST, TD_GAP_TRUNCATED,
                                                      TD_GAP_BUFFER_FULL, TD_GAP_LOST};
            size_t n = (size_t)1 << (step & 0x0f);
            if (n > len[side] - pos[side])
                n = len[side] - pos[side];
            pos[side] += n;
            skip[side] = td_tls_gap(s, side, n, why[(step >> 4) & 3], now);
        } else {
            size_t v = step & 0x3f, n;
            n = v == 0 ? len[side] - pos[side] : v <= 32 ? v : (v - 32) * 256;
            if (n > len[side] - pos[side])
                n = len[side] - pos[side];
            if ((flags & 4) && skip[side] > 0) {
                /* what the reassembly does with bytes the consumer skips */
                size_t k = skip[side] < n ? (size_t)skip[side] : n;
                skip[side] = td_tls_gap(s, side, k, TD_GAP_SKIPPED, now);
                pos[side] += k;
                n -= k;
            }
            if (n > 0) {
                skip[side] = td_tls_data(s, side, stream[side] + pos[side], n, now);
                pos[side] += n;
            }
        }
        if (td_tls_hopeless(s))
            break; /* the engine stops here too (give_up_on_tls) */
    }

    fuzz_session_close(&f, s, now + 1000);
    return 0;
}
