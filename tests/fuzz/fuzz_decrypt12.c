/*
 * fuzz_decrypt12.c — libFuzzer target: the TLS 1.0-1.2 decrypted-record
 * path of the session (session_decrypt12.c with record_protection12.c).
 * Fragments the fuzzer chooses are sealed here as a TLS 1.2 peer would
 * (RFC 5246 §6.2.3, §6.3; RFC 7366; RFC 5288, RFC 6655, RFC 7905: the
 * harness takes its keys from the key block with libcrypto's TLS1-PRF and
 * seals with EVP AEADs, or HMAC then CBC) and fed, after a fixed
 * ClientHello and ServerHello, to a session whose key log holds the master
 * secret (a CLIENT_RANDOM line).  What comes out goes through the same
 * assembler, dispatch table and writers as clear records.
 *
 * Input format (tests/fuzz/make-seeds.py writes seeds in it):
 *
 *   byte 0    bits 0-2 the protection (see profiles[]); bit 3 text writer
 *             too; bit 4 max_handshake_message 2048 (else 1 MiB)
 *   records   each: ctl, content type, 2-byte length L, L bytes
 *             ctl bit 0 the sender (0 client, 1 server); bit 1 the MAC or
 *             tag is damaged; bit 2 the CBC padding is damaged; bit 3 sent
 *             in clear (not sealed: ChangeCipherSpec, handshake before it);
 *             bits 4-7 CBC: that many more blocks of padding
 *
 * The session starts opening a side's records at its ChangeCipherSpec;
 * the harness seals from its first sealed record with sequence number 0,
 * so sealed records before the ChangeCipherSpec are a path to test too.
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

enum mode { GCM, CCM, CHACHA, CBC };

static const struct profile {
    uint16_t version, suite;
    bool etm;
    const char *cipher;
    enum mode mode;
    size_t key_len, iv_len, explicit_len, tag_len;
    const char *mac, *prf;
    size_t mac_len;
} profiles[8] = {
    {0x0303, 0xc02f, false, "AES-128-GCM", GCM, 16, 4, 8, 16, NULL, "SHA256", 0},
    {0x0303, 0xcca8, false, "ChaCha20-Poly1305", CHACHA, 32, 12, 0, 16, NULL, "SHA256", 0},
    {0x0303, 0xc027, true, "AES-128-CBC", CBC, 16, 16, 16, 0, "SHA256", "SHA256", 32},
    {0x0303, 0xc028, false, "AES-256-CBC", CBC, 32, 16, 16, 0, "SHA384", "SHA384", 48},
    {0x0302, 0xc014, true, "AES-256-CBC", CBC, 32, 16, 16, 0, "SHA1", "MD5-SHA1", 20},
    {0x0301, 0x002f, false, "AES-128-CBC", CBC, 16, 16, 0, 0, "SHA1", "MD5-SHA1", 20},
    {0x0303, 0xc0ae, false, "AES-128-CCM", CCM, 16, 4, 8, 8, NULL, "SHA256", 0},
    {0x0301, 0x000a, false, "DES-EDE3-CBC", CBC, 24, 8, 0, 0, "SHA1", "MD5-SHA1", 20},
};

/* The sealing side of one direction, as the peer keeps it. */
struct sealer {
    uint8_t mac_key[48], key[32], iv[16];
    uint64_t seq;
};

static const uint8_t client_random[32] = {0x12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
                                          16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31};
static const uint8_t server_random[32] = {0x34, 0x33, 0x32, 0x31, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                          17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

/* RFC 5246 §6.3: client MAC key, server MAC key, client key, server key, client IV, server IV. */
static void derive(const struct profile *p, const uint8_t master[48], struct sealer sealer[2])
{
    uint8_t seed[13 + 64], block[2 * (48 + 32 + 16)];
    size_t m = p->mac_len, k = p->key_len, v = p->iv_len;
    memcpy(seed, "key expansion", 13);
    memcpy(seed + 13, server_random, 32);
    memcpy(seed + 45, client_random, 32);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)p->prf, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, (void *)master, 48),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, seed, sizeof seed),
        OSSL_PARAM_construct_end(),
    };
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "TLS1-PRF", NULL);
    EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    if (ctx == NULL || EVP_KDF_derive(ctx, block, 2 * (m + k + v), params) != 1)
        abort();
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
    for (int i = 0; i < 2; i++) {
        memcpy(sealer[i].mac_key, block + i * m, m);
        memcpy(sealer[i].key, block + 2 * m + i * k, k);
        memcpy(sealer[i].iv, block + 2 * (m + k) + i * v, v);
        sealer[i].seq = 0;
    }
}

static void header(uint8_t h[13], uint64_t seq, uint8_t type, uint16_t version, size_t len)
{
    for (int i = 0; i < 8; i++)
        h[i] = (uint8_t)(seq >> (56 - 8 * i));
    h[8] = type, h[9] = (uint8_t)(version >> 8), h[10] = (uint8_t)version;
    h[11] = (uint8_t)(len >> 8), h[12] = (uint8_t)len;
}

static void hmac(const struct profile *p, const uint8_t *key, const uint8_t h[13],
                 const uint8_t *data, size_t n, uint8_t *out)
{
    size_t len = 0;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)p->mac, 0),
        OSSL_PARAM_construct_end(),
    };
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
    if (ctx == NULL || EVP_MAC_init(ctx, key, p->mac_len, params) != 1 ||
        EVP_MAC_update(ctx, h, 13) != 1 || EVP_MAC_update(ctx, data, n) != 1 ||
        EVP_MAC_final(ctx, out, &len, 64) != 1)
        abort();
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
}

static size_t seal_aead(const struct profile *p, struct sealer *s, uint8_t type,
                        const uint8_t *data, size_t n, uint8_t *body)
{
    uint8_t nonce[12], h[13];
    uint64_t seq = s->seq++;
    int l = 0;
    EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, p->cipher, NULL);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();

    if (p->mode == CHACHA) {
        memcpy(nonce, s->iv, 12);
        for (int i = 0; i < 8; i++)
            nonce[11 - i] ^= (uint8_t)(seq >> (8 * i));
    } else {
        memcpy(nonce, s->iv, 4);
        for (int i = 0; i < 8; i++)
            nonce[4 + i] = (uint8_t)(seq >> (56 - 8 * i));
        memcpy(body, nonce + 4, 8);
    }
    header(h, seq, type, p->version, n);
    uint8_t *ct = body + p->explicit_len;
    bool ccm = p->mode == CCM;
    if (c == NULL || ctx == NULL || EVP_EncryptInit_ex(ctx, c, NULL, NULL, NULL) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) != 1 ||
        (ccm && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, (int)p->tag_len, NULL) != 1) ||
        EVP_EncryptInit_ex(ctx, NULL, NULL, s->key, nonce) != 1 ||
        (ccm && EVP_EncryptUpdate(ctx, NULL, &l, NULL, (int)n) != 1) ||
        EVP_EncryptUpdate(ctx, NULL, &l, h, 13) != 1 ||
        EVP_EncryptUpdate(ctx, ct, &l, data, (int)n) != 1 ||
        EVP_EncryptFinal_ex(ctx, ct + l, &l) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, (int)p->tag_len, ct + n) != 1)
        abort();
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(c);
    return p->explicit_len + n + p->tag_len;
}

static size_t seal_cbc(const struct profile *p, struct sealer *s, uint8_t type,
                       const uint8_t *data, size_t n, unsigned extra_blocks, bool bad_padding,
                       uint8_t *body)
{
    static uint8_t plain[16384 + 512];
    uint8_t h[13], iv[16];
    uint64_t seq = s->seq++;
    size_t bs = p->iv_len, at = 0, mac_part = p->etm ? 0 : p->mac_len;
    int l = 0;

    memcpy(plain, data, n);
    at = n;
    if (!p->etm) {
        header(h, seq, type, p->version, n);
        hmac(p, s->mac_key, h, data, n, plain + at);
        at += p->mac_len;
    }
    size_t pad = (bs - (n + mac_part + 1) % bs) % bs + extra_blocks * bs;
    if (pad > 255)
        pad -= ((pad - 255 + bs - 1) / bs) * bs;
    memset(plain + at, (int)pad, pad + 1);
    at += pad + 1;
    if (bad_padding)
        plain[at - 1 - (pad > 0 ? 1 : 0)] ^= 0x21;
    size_t out = 0;
    if (p->explicit_len) {
        for (size_t i = 0; i < bs; i++)
            iv[i] = (uint8_t)(seq * 31 + i);
        memcpy(body, iv, bs);
        out = bs;
    } else {
        memcpy(iv, s->iv, bs); /* TLS 1.0: the previous record's last ciphertext block */
    }
    EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, p->cipher, NULL);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (c == NULL || ctx == NULL || EVP_EncryptInit_ex(ctx, c, NULL, s->key, iv) != 1 ||
        EVP_CIPHER_CTX_set_padding(ctx, 0) != 1 ||
        EVP_EncryptUpdate(ctx, body + out, &l, plain, (int)at) != 1 ||
        EVP_EncryptFinal_ex(ctx, body + out + l, &l) != 1)
        abort();
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(c);
    out += at;
    if (!p->explicit_len)
        memcpy(s->iv, body + out - bs, bs);
    if (p->etm) {
        header(h, seq, type, p->version, out);
        hmac(p, s->mac_key, h, body, out, body + out);
        out += p->mac_len;
    }
    return out;
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

/* ClientHello or ServerHello (RFC 5246 §7.4.1.2-3): one suite, encrypt_then_mac when asked. */
static size_t hello(uint8_t *out, uint8_t msg, uint16_t version, const uint8_t random[32],
                    uint16_t suite, bool etm)
{
    size_t n = 5 + 4;
    out[n++] = (uint8_t)(version >> 8);
    out[n++] = (uint8_t)version;
    memcpy(out + n, random, 32);
    n += 32;
    out[n++] = 0; /* session_id */
    if (msg == 1) {
        out[n++] = 0, out[n++] = 2;
    }
    out[n++] = (uint8_t)(suite >> 8), out[n++] = (uint8_t)suite;
    if (msg == 1)
        out[n++] = 1; /* compression_methods: null */
    out[n++] = 0;
    out[n++] = 0, out[n++] = etm ? 4 : 0;
    if (etm)
        out[n++] = 0x00, out[n++] = 0x16, out[n++] = 0, out[n++] = 0;
    out[0] = 22, out[1] = 3, out[2] = 1, out[3] = (uint8_t)((n - 5) >> 8), out[4] = (uint8_t)(n - 5);
    out[5] = msg, out[6] = 0, out[7] = (uint8_t)((n - 9) >> 8), out[8] = (uint8_t)(n - 9);
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct td_digests digests;
    static bool digests_ready;
    static uint8_t plaintext[TD_RECORD_MAX];
    static uint8_t rec[5 + 16384 + 2048];
    uint8_t master[48];
    struct fuzz_session f;
    struct td_keylog *kl;
    struct td_tls_session *s;
    struct sealer sealer[2];
    td_time_us now = 1795000000000000LL;
    size_t at = 1, n;

    if (size < 1)
        return 0;
    const struct profile *p = &profiles[data[0] & 7];
    if (!digests_ready && !(digests_ready = td_digests_init(&digests)))
        abort();

    fuzz_session_open(&f, &digests, (data[0] & 16) ? 2048 : 1 << 20, 64 * 1024,
                      (data[0] & 8) ? 1 : 0, 0, now);
    f.env.keylog = kl = td_keylog_new(&fuzz_key, 16);
    f.env.plaintext = plaintext;
    if (kl == NULL)
        abort();
    {
        char line[256], r[65], sec[97];
        memset(master, 0x5c, sizeof master);
        hex(r, client_random, 32);
        hex(sec, master, 48);
        int len = snprintf(line, sizeof line, "CLIENT_RANDOM %s %s", r, sec);
        if (td_keylog_add_line(kl, line, (size_t)len, NULL) != TD_KEYLOG_LINE_USED)
            abort();
    }
    derive(p, master, sealer);
    s = td_tls_new(&f.env, &f.conn, 0, false);
    if (s == NULL)
        abort();
    n = hello(rec, 1, p->version, client_random, p->suite, p->etm);
    td_tls_data(s, 0, rec, n, now);
    n = hello(rec, 2, p->version, server_random, p->suite, p->etm);
    td_tls_data(s, 1, rec, n, now + 1000);

    while (at + 4 <= size) {
        uint8_t ctl = data[at], type = data[at + 1];
        int side = ctl & 1;
        n = (size_t)data[at + 2] << 8 | data[at + 3];
        at += 4;
        if (n > size - at)
            n = size - at;
        if (n > 16384 - 512)
            n = 16384 - 512;
        size_t body;
        if (ctl & 8) {
            memcpy(rec + 5, data + at, n);
            body = n;
        } else if (p->mode == CBC) {
            body = seal_cbc(p, &sealer[side], type, data + at, n, ctl >> 4, (ctl & 4) != 0, rec + 5);
        } else {
            body = seal_aead(p, &sealer[side], type, data + at, n, rec + 5);
        }
        if ((ctl & 2) && body > 0)
            rec[5 + body - 1] ^= 0x80;
        rec[0] = type, rec[1] = (uint8_t)(p->version >> 8), rec[2] = (uint8_t)p->version;
        rec[3] = (uint8_t)(body >> 8), rec[4] = (uint8_t)body;
        now += 1000;
        td_tls_data(s, side, rec, 5 + body, now);
        at += n;
    }

    fuzz_session_close(&f, s, now + 1000);
    td_keylog_free(kl);
    return 0;
}
