/*
 * fuzz_decrypt.c — libFuzzer target: the decrypted-record path of the TLS
 * session (session.c with record_protection.c): plaintexts the fuzzer
 * chooses, with their inner content type and padding, are sealed here as a
 * TLS 1.3 peer would (RFC 8446 §5.2, §7.3: the harness derives key and IV
 * with libcrypto's TLS13-KDF and seals with the suite's EVP AEAD) and fed,
 * after a fixed ClientHello and ServerHello, to a session whose key log
 * holds the secrets.  What comes out of the records goes through the same
 * assembler, dispatch table and writers as clear messages.
 *
 * Input format (tests/fuzz/make-seeds.py writes seeds in it):
 *
 *   byte 0    bits 0-1 the suite (AES-128-GCM, AES-256-GCM,
 *             ChaCha20-Poly1305, AES-128-GCM); bit 2 text writer too;
 *             bit 3 max_handshake_message 2048 (else 1 MiB); bit 4 0-RTT
 *             (RFC 8446 §4.2.10): the ClientHello offers early_data, the
 *             key log has CLIENT_EARLY_TRAFFIC_SECRET, the client seals
 *             under it until its first record with ctl bit 7 (which then
 *             moves it to its handshake secret, as after EndOfEarlyData),
 *             and the ServerHello (with pre_shared_key) waits for the
 *             server's first record
 *   records   each: ctl, inner content type, 2-byte length L, L bytes
 *             ctl bit 0 the sender (0 client, 1 server); bit 1 the tag is
 *             damaged; bits 2-5 padding (4 bytes each); bit 6 before this
 *             record the sender moves to its application traffic secret;
 *             bit 7 ... to its next one (KeyUpdate)
 *
 * The session moves on its own after each side's Finished, KeyUpdate and
 * EndOfEarlyData:
 * when the fuzzer's key changes disagree with it, records fail to
 * authenticate, which is a path to test too.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "fuzz_session.h"
#include "tlsdissect/keylog.h"
#include "tls/record.h"

static const struct {
    uint16_t suite;
    const char *cipher, *digest;
    size_t key_len, hash_len;
} suites[4] = {
    {0x1301, "AES-128-GCM", "SHA256", 16, 32},
    {0x1302, "AES-256-GCM", "SHA384", 32, 48},
    {0x1303, "ChaCha20-Poly1305", "SHA256", 32, 32},
    {0x1301, "AES-128-GCM", "SHA256", 16, 32},
};

/* The sealing side of one direction, as the peer keeps it. */
struct sealer {
    uint8_t secret[48];
    uint8_t key[32], iv[12];
    uint64_t seq;
};

static void expand_label(const char *digest, const uint8_t *secret, size_t hash_len,
                         const char *label, uint8_t *out, size_t out_len)
{
    int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)digest, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, hash_len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PREFIX, (void *)"tls13 ", 6),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_LABEL, (void *)label, strlen(label)),
        OSSL_PARAM_construct_end(),
    };
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "TLS13-KDF", NULL);
    EVP_KDF_CTX *k = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    if (k == NULL || EVP_KDF_derive(k, out, out_len, params) != 1)
        abort();
    EVP_KDF_CTX_free(k);
    EVP_KDF_free(kdf);
}

static void rekey(struct sealer *s, int suite)
{
    expand_label(suites[suite].digest, s->secret, suites[suite].hash_len, "key", s->key,
                 suites[suite].key_len);
    expand_label(suites[suite].digest, s->secret, suites[suite].hash_len, "iv", s->iv, 12);
    s->seq = 0;
}

/* TLSCiphertext of inner (content, type, zeros) into out; returns its length. */
static size_t seal(struct sealer *s, int suite, const uint8_t *content, size_t n, uint8_t type,
                   size_t padding, bool damage, uint8_t *out)
{
    uint8_t nonce[12];
    size_t inner = n + 1 + padding, total = 5 + inner + 16;
    int l = 0;
    EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, suites[suite].cipher, NULL);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();

    out[0] = 23;
    out[1] = 3;
    out[2] = 3;
    out[3] = (uint8_t)((inner + 16) >> 8);
    out[4] = (uint8_t)(inner + 16);
    memcpy(out + 5, content, n);
    out[5 + n] = type;
    memset(out + 5 + n + 1, 0, padding);
    memcpy(nonce, s->iv, 12);
    for (int i = 0; i < 8; i++)
        nonce[11 - i] ^= (uint8_t)(s->seq >> (8 * i));
    s->seq++;
    if (c == NULL || ctx == NULL || EVP_EncryptInit_ex(ctx, c, NULL, s->key, nonce) != 1 ||
        EVP_EncryptUpdate(ctx, NULL, &l, out, 5) != 1 ||
        EVP_EncryptUpdate(ctx, out + 5, &l, out + 5, (int)inner) != 1 ||
        EVP_EncryptFinal_ex(ctx, out + 5 + l, &l) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, out + 5 + inner) != 1)
        abort();
    if (damage)
        out[total - 1] ^= 0x80;
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(c);
    return total;
}

static void hex(char *dst, const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        dst[2 * i] = digits[p[i] >> 4];
        dst[2 * i + 1] = digits[p[i] & 15];
    }
    dst[2 * n] = '\0';
}

static void add_secret(struct td_keylog *kl, const char *label, const uint8_t random[32],
                       const uint8_t *secret, size_t len)
{
    char line[256], r[65], sec[97];
    hex(r, random, 32);
    hex(sec, secret, len);
    int n = snprintf(line, sizeof line, "%s %s %s", label, r, sec);
    if (td_keylog_add_line(kl, line, (size_t)n, NULL) != TD_KEYLOG_LINE_USED)
        abort();
}

/* ServerHello: TLS 1.3 with the suite, an x25519 share, and pre_shared_key (identity 0) when psk. */
static void send_server_hello(struct td_tls_session *s, uint16_t suite, bool psk, td_time_us now)
{
    uint8_t *p;
    uint8_t sh[5 + 4 + 2 + 32 + 1 + 2 + 1 + 2 + 6 + 40 + 6];
    size_t len = sizeof sh - (psk ? 0 : 6), body = len - 9;

    memset(sh, 0x5a, sizeof sh);
    sh[0] = 22, sh[1] = 3, sh[2] = 3, sh[3] = 0, sh[4] = (uint8_t)(4 + body);
    sh[5] = 2, sh[6] = 0, sh[7] = 0, sh[8] = (uint8_t)body;
    sh[9] = 3, sh[10] = 3;
    p = sh + 11 + 32;
    *p++ = 0;
    *p++ = (uint8_t)(suite >> 8);
    *p++ = (uint8_t)suite;
    *p++ = 0;
    memcpy(p, "\x00\x2e\x00\x2b\x00\x02\x03\x04\x00\x33\x00\x24\x00\x1d\x00\x20", 16);
    if (psk) {
        p[1] += 6;
        memcpy(sh + len - 6, "\x00\x29\x00\x02\x00\x00", 6);
    }
    td_tls_data(s, 1, sh, len, now);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct td_digests digests;
    static bool digests_ready;
    static uint8_t plaintext[TD_RECORD_MAX];
    static uint8_t rec[5 + 16384 + 1 + 60 + 16];
    static const uint8_t client_random[32] = {0x0f, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
                                              16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31};
    struct fuzz_session f;
    struct td_keylog *kl;
    struct td_tls_session *s;
    struct sealer sealer[2];
    td_time_us now = 1795000000000000LL;
    int suite;
    size_t at = 1, hl;
    bool early, client_early, server_hello_sent = false;

    if (size < 1)
        return 0;
    suite = data[0] & 3;
    early = client_early = (data[0] & 0x10) != 0;
    hl = suites[suite].hash_len;
    if (!digests_ready && !(digests_ready = td_digests_init(&digests)))
        abort();

    fuzz_session_open(&f, &digests, (data[0] & 8) ? 2048 : 1 << 20, 64 * 1024,
                      (data[0] & 4) ? 1 : 0, 0, now);
    f.env.keylog = kl = td_keylog_new(&fuzz_key, 16);
    f.env.plaintext = plaintext;
    if (kl == NULL)
        abort();
    /* handshake secrets 0x11.. / 0x22.., application secrets 0x33.. / 0x44.., early 0x55.. */
    {
        static const char *const labels[5] = {
            "CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET",
            "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0", "CLIENT_EARLY_TRAFFIC_SECRET"};
        uint8_t secret[48];
        for (int i = 0; i < (early ? 5 : 4); i++) {
            memset(secret, 0x11 * (i + 1), sizeof secret);
            add_secret(kl, labels[i], client_random, secret, hl);
        }
        for (int side = 0; side < 2; side++) {
            memset(sealer[side].secret, 0x11 * (side == 0 && early ? 5 : side + 1),
                   sizeof sealer[side].secret);
            rekey(&sealer[side], suite);
        }
    }
    s = td_tls_new(&f.env, &f.conn, 0, false);
    if (s == NULL)
        abort();

    {
        /* ClientHello: TLS 1.3 offered (and early_data in 0-RTT mode) */
        size_t exts = early ? 11 : 7, body = 2 + 32 + 1 + 4 + 2 + 2 + exts;
        uint8_t ch[5 + 4 + 2 + 32 + 1 + 4 + 2 + 2 + 11] = {22, 3, 1, 0, (uint8_t)(4 + body),
                                                           1, 0, 0, (uint8_t)body, 3, 3};
        uint8_t *p = ch + 11;
        memcpy(p, client_random, 32);
        p += 32;
        memcpy(p, "\x00\x00\x02\x13\x01\x01\x00\x00", 8);
        p[8] = (uint8_t)exts;
        memcpy(p + 9, "\x00\x2b\x00\x03\x02\x03\x04\x00\x2a\x00\x00", exts);
        td_tls_data(s, 0, ch, 5 + 4 + body, now);
    }
    /* in 0-RTT mode the ServerHello waits: the client's early records come before it */
    if (!early) {
        server_hello_sent = true;
        send_server_hello(s, suites[suite].suite, early, now + 1000);
    }

    while (at + 4 <= size) {
        uint8_t ctl = data[at], type = data[at + 1];
        size_t n = (size_t)data[at + 2] << 8 | data[at + 3];
        int side = ctl & 1;
        at += 4;
        if (n > size - at)
            n = size - at;
        if (n > 16384)
            n = 16384;
        if (side == 1 && !server_hello_sent) {
            server_hello_sent = true;
            send_server_hello(s, suites[suite].suite, early, now + 1000);
        }
        if (side == 0 && client_early && (ctl & 0x80)) {
            client_early = false; /* EndOfEarlyData: the client's handshake secret */
            memset(sealer[0].secret, 0x11, sizeof sealer[0].secret);
            rekey(&sealer[0], suite);
        } else if (ctl & 0x40) {
            memset(sealer[side].secret, 0x11 * (side + 3), sizeof sealer[side].secret);
            rekey(&sealer[side], suite);
        } else if (ctl & 0x80) {
            uint8_t next[48];
            expand_label(suites[suite].digest, sealer[side].secret, hl, "traffic upd", next, hl);
            memcpy(sealer[side].secret, next, hl);
            rekey(&sealer[side], suite);
        }
        size_t len = seal(&sealer[side], suite, data + at, n, type, ((ctl >> 2) & 15) * 4,
                          (ctl & 2) != 0, rec);
        now += 1000;
        td_tls_data(s, side, rec, len, now);
        at += n;
    }

    fuzz_session_close(&f, s, now + 1000);
    td_keylog_free(kl);
    return 0;
}
