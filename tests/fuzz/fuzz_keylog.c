/*
 * fuzz_keylog.c — libFuzzer target: the key log reader (keylog.h) and the
 * pcapng Decryption Secrets Block walker (secrets_block.h).
 *
 * Input format (tests/fuzz/make-seeds.py writes seeds in it):
 *
 *   byte 0    bit 0: the rest is a pcapng file whose DSBs are read (each
 *             payload fed to the key log), else key log text; bits 1-7:
 *             the text is fed in pieces of that many bytes (0: at once)
 *   byte 1    the cap on secrets kept (1 + byte 1): the FULL path is reached
 *   the rest  the key log text, or the file
 *
 * Afterwards every 32-byte window of the input at an offset that is a
 * multiple of 7 is looked up as a client random under every label, so the
 * table's chains are walked for present and absent keys.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fuzz_common.h"
#include "tlsdissect/keylog.h"
#include "tlsdissect/secrets_block.h"

static void ignore_warning(void *ctx, const char *source, uint64_t line, const char *why)
{
    (void)source;
    (void)line;
    (void)why;
    (*(unsigned *)ctx)++;
}

struct dsb_ctx {
    struct td_keylog *kl;
    unsigned warnings;
};

static void on_dsb(void *ctx, const uint8_t *secrets, size_t len)
{
    struct dsb_ctx *d = ctx;
    struct td_keylog_reader r;
    td_keylog_reader_init(&r, d->kl, "dsb", ignore_warning, &d->warnings);
    td_keylog_reader_feed(&r, secrets, len);
    td_keylog_reader_finish(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dsb_ctx d = {NULL, 0};
    uint8_t secret[TD_KEYLOG_SECRET_MAX];

    if (size < 2)
        return 0;
    d.kl = td_keylog_new(&fuzz_key, 1 + (size_t)data[1]);
    if (d.kl == NULL)
        return 0;
    const uint8_t *body = data + 2;
    size_t n = size - 2;
    if (data[0] & 1) {
        FILE *f = n > 0 ? fmemopen((void *)body, n, "rb") : NULL;
        if (f) {
            td_dsb_read(f, on_dsb, &d);
            fclose(f);
        }
    } else {
        struct td_keylog_reader r;
        size_t piece = data[0] >> 1;
        td_keylog_reader_init(&r, d.kl, "fuzz", ignore_warning, &d.warnings);
        for (size_t at = 0; at < n;) {
            size_t k = piece == 0 || piece > n - at ? n - at : piece;
            td_keylog_reader_feed(&r, body + at, k);
            at += k;
        }
        td_keylog_reader_finish(&r);
    }
    for (size_t at = 0; at + 32 <= n; at += 7)
        for (int label = 0; label < TD_KEYLOG_LABELS; label++)
            if (td_keylog_secret(d.kl, body + at, (enum td_keylog_label)label, secret) >
                TD_KEYLOG_SECRET_MAX)
                __builtin_trap();
    if (td_keylog_count(d.kl) > 1 + (size_t)data[1])
        __builtin_trap(); /* the cap holds */
    td_keylog_free(d.kl);
    return 0;
}
