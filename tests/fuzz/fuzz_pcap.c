/*
 * fuzz_pcap.c — libFuzzer target: the whole pipeline (engine.h) fed a
 * capture file image (pcap or pcapng, read by libpcap from memory), with
 * small engine limits so that every cap is reached, server chains validated
 * as the CLI does (empty trust store), events written by the JSON writer
 * and, when the input asks, the text writer (to /dev/null).
 *
 * The input is the capture file itself.  Two header bytes that libpcap
 * ignores in a classic pcap file (the low bytes of the `sigfigs` field,
 * offsets 12 and 13) choose the options; in a pcapng file the same offsets
 * hold the byte-order magic, so there they are fixed per byte order:
 *
 *   byte 12   bit 0 text writer too; bit 1 --explain; bit 2 live; bit 3 colour
 *   byte 13   bits 0-1 limits tier (0 tight, 1 tighter, 2 tightest, 3 tight
 *             with a 1 MiB handshake message limit)
 *
 * Packets are handed over as src/capture/capture.c does (link type of the
 * file, microsecond timestamps by td_capture_time()), unsupported link
 * types are refused as the CLI refuses them.  As the CLI does for a pcapng
 * file, the TLS key logs of its Decryption Secrets Blocks (td_dsb_read) go
 * to the engine's key log (at most FUZZ_KEYLOG_MAX secrets), so that TLS 1.3
 * records are decrypted along the whole pipeline.
 */
#include <pcap/pcap.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fuzz_common.h"
#include "tlsdissect/capture.h"
#include "tlsdissect/engine.h"
#include "tlsdissect/keylog.h"
#include "tlsdissect/link.h"
#include "tlsdissect/secrets_block.h"
#include "tlsdissect/validate.h"

#define MAX_PACKETS 20000
#define FUZZ_KEYLOG_MAX 64

static void ignore_warning(void *ctx, const char *source, uint64_t line, const char *why)
{
    (void)ctx;
    (void)source;
    (void)line;
    (void)why;
}

/* A DSB's key log to the run's key log, made when first needed (as src/cli/main.c on_dsb). */
static void on_dsb(void *ctx, const uint8_t *secrets, size_t len)
{
    struct td_keylog **kl = ctx;
    struct td_keylog_reader r;
    if (*kl == NULL && (*kl = td_keylog_new(&fuzz_key, FUZZ_KEYLOG_MAX)) == NULL)
        abort();
    td_keylog_reader_init(&r, *kl, "dsb", ignore_warning, NULL);
    td_keylog_reader_feed(&r, secrets, len);
    td_keylog_reader_finish(&r);
}

/* The secrets of the input's DSBs (NULL when it has none usable), as src/cli/main.c loads them. */
static struct td_keylog *input_secrets(const uint8_t *data, size_t size)
{
    struct td_keylog *kl = NULL;
    FILE *f = fmemopen((void *)data, size, "rb");
    if (f == NULL)
        return NULL;
    td_dsb_read(f, on_dsb, &kl);
    fclose(f);
    if (td_keylog_count(kl) == 0) {
        td_keylog_free(kl);
        kl = NULL;
    }
    return kl;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    struct td_engine_config cfg;
    struct fuzz_sink sink;
    struct td_engine *e;
    struct pcap_pkthdr *h;
    const u_char *bytes;
    unsigned opts = 0, tier = 0, n = 0;
    pcap_t *p;
    FILE *f;
    int dlt;

    if (size < 24)
        return 0;
    opts = data[12] & 15;
    tier = data[13] & 3;
    f = fmemopen((void *)data, size, "rb");
    if (f == NULL)
        return 0;
    p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
    if (p == NULL) {
        fclose(f);
        return 0;
    }
    dlt = pcap_datalink(p);
    if (!td_link_supported(dlt)) {
        pcap_close(p);
        return 0;
    }

    td_engine_config_defaults(&cfg);
    cfg.max_flows = tier == 2 ? 2 : tier == 1 ? 4 : 16;
    cfg.idle_timeout_us = 20 * 1000000LL;
    cfg.closed_linger_us = 2 * 1000000LL;
    cfg.reassembly_bytes = tier == 2 ? 2048 : tier == 1 ? 8192 : 65536;
    cfg.reassembly_bytes_per_direction = tier == 2 ? 1024 : tier == 1 ? 4096 : 16384;
    cfg.tls.max_handshake_message = tier == 3 ? 1 << 20 : tier == 2 ? 512 : tier == 1 ? 1500 : 4096;
    cfg.tls.detect_budget = tier == 2 ? 256 : tier == 1 ? 4096 : 65536;
    cfg.comparison_window_bytes = tier == 2 ? 0 : tier == 1 ? 20000 : 1 << 20;
    cfg.certificate_cache_slots = tier == 2 ? 0 : 2;
    cfg.keylog = input_secrets(data, size);
    /* the CLI always validates server chains (here with an empty trust store) */
    cfg.hash_key = fuzz_key;
    cfg.validator = td_validator_new(NULL, FUZZ_TRUST_DIR, &cfg.hash_key, errbuf, sizeof errbuf);
    if (cfg.validator == NULL)
        abort();
    cfg.fragments.max_datagrams = tier == 2 ? 1 : 4;
    cfg.fragments.max_bytes = tier == 2 ? 1024 : 16384;
    cfg.fragments.timeout_us = 5 * 1000000LL;

    fuzz_sink_open(&sink, opts);
    e = td_engine_new(&cfg, &sink.sink);
    if (e == NULL)
        abort();
    while (n++ < MAX_PACKETS && pcap_next_ex(p, &h, &bytes) == 1) {
        /* as src/capture/capture.c on_packet() */
        td_time_us ts = td_capture_time(h->ts.tv_sec, h->ts.tv_usec);
        td_engine_packet(e, dlt, ts, bytes, h->caplen, h->len);
    }
    td_engine_finish(e);
    td_engine_free(e);
    td_validator_free(cfg.validator);
    td_keylog_free(cfg.keylog);
    fuzz_sink_close(&sink);
    pcap_close(p);
    return 0;
}
