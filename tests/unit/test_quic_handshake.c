/*
 * test_quic_handshake.c — QUIC packet protection with the keys of a TLS
 * traffic secret (RFC 9001 §5.1, §5.3, §5.4; src/quic/initial.c): the
 * ChaCha20-Poly1305 vector of RFC 9001 Appendix A.5 (keys, ChaCha20 header
 * protection mask, AEAD through td_aead_open), and a real Handshake packet
 * of tests/pcaps/quic-keys-v1.pcap (the client's Finished, frame 4) opened
 * with its key log's CLIENT_HANDSHAKE_TRAFFIC_SECRET; the Retry integrity
 * tags of RFC 9001 Appendix A.4 (v1) and RFC 9369 Appendix A.4 (v2).
 */
#include "unit.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "quic/initial.h"
#include "tls/record_protection.h"
#include "tlsdissect/codepoints.h"

static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
    size_t n = 0;
    while (s[0] && s[1] && n < cap) {
        unsigned v;
        assert_int_equal(sscanf(s, "%2x", &v), 1);
        out[n++] = (uint8_t)v;
        s += 2;
    }
    assert_int_equal(s[0], '\0');
    return n;
}

static void assert_hex(const uint8_t *got, const char *want)
{
    uint8_t w[64];
    size_t n = unhex(want, w, sizeof w);
    assert_memory_equal(got, w, n);
}

/* RFC 9001 A.5 */
static const char CHACHA_SECRET[] = "9ac312a7f877468ebe69422748ad00a15443f18203a07d6060f688f30f21632b";

static void test_chacha20_keys_and_mask(void **state)
{
    uint8_t secret[32], sample[16], mask[5];
    struct td_quic_keys k;
    (void)state;
    unhex(CHACHA_SECRET, secret, sizeof secret);
    assert_int_equal(td_quic_keys_for_suite(TD_QUIC_V1, TD_CS_TLS_CHACHA20_POLY1305_SHA256, secret,
                                            32, &k), 0);
    assert_int_equal(k.aead, TD_QUIC_CHACHA20);
    assert_int_equal(k.key_len, 32);
    assert_hex(k.key, "c6d98ff3441c3fe1b2182094f69caa2ed4b716b65488960a7a984979fb23e1c8");
    assert_hex(k.iv, "e0459b3474bdd0e44a41c144");
    assert_hex(k.hp, "25a282b9e82f06f21f488917a4fc8f1b73573685608597d0efcb076b0ab7a7a4");
    unhex("5e5cd55c41f69080575d7999c25a5bfb", sample, sizeof sample);
    assert_int_equal(td_quic_hp_mask(&k, sample, mask), 0);
    assert_hex(mask, "aefefe7d03");
}

/* A.5's short-header packet: header 4200bff4 (pn 654360564), payload 01 (PING) */
static void test_chacha20_packet_opens(void **state)
{
    uint8_t nonce[12], aad[4], ct[17], out[1], key[32];
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    (void)state;
    assert_non_null(ctx);
    unhex("c6d98ff3441c3fe1b2182094f69caa2ed4b716b65488960a7a984979fb23e1c8", key, sizeof key);
    unhex("e0459b3474bdd0e46d417eb0", nonce, sizeof nonce);
    unhex("4200bff4", aad, sizeof aad);
    unhex("655e5cd55c41f69080575d7999c25a5bfb", ct, sizeof ct);
    assert_int_equal(td_aead_open(ctx, EVP_chacha20_poly1305(), false, key, nonce, aad, 4, ct, 1,
                                  16, out), TD_RP_OK);
    assert_int_equal(out[0], 0x01);
    unhex("655e5cd55c41f69080575d7999c25a5bfb", ct, sizeof ct);
    ct[5] ^= 1; /* a tag that does not verify */
    assert_int_equal(td_aead_open(ctx, EVP_chacha20_poly1305(), false, key, nonce, aad, 4, ct, 1,
                                  16, out), TD_RP_AUTH_FAILED);
    EVP_CIPHER_CTX_free(ctx);
}

/* quic-keys-v1.pcap frame 4: the client's Handshake packet (102 bytes, packet number at 46) */
static const char CLIENT_HANDSHAKE_PACKET[] =
    "e9000000011214db4ab7718ac8b618fc11d29eda689db439119439d1f7b53eb3b447292b0981e080ac76800000"
    "3856c8993347fa47933d7a672fbfb48e7b0d636b2fb126075a58a49a66e3b6d8931cb719ce3aa933ae3411f5ce"
    "80c813d9767d120c38256045";
static const char CLIENT_HS_SECRET[] =
    "65bb8d2fe32e97333e723c8ff31afdd5aec1147aac92a5ce7b56303cca400162";

static void open_fixture_packet(uint8_t pkt[102], const uint8_t **plain, size_t *plain_len, int *rc)
{
    uint8_t secret[32];
    struct td_quic_keys k;
    uint64_t pn = 99;

    unhex(CLIENT_HS_SECRET, secret, sizeof secret);
    assert_int_equal(td_quic_keys_for_suite(TD_QUIC_V1, TD_CS_TLS_AES_128_GCM_SHA256, secret, 32,
                                            &k), 0);
    *rc = td_quic_open(&k, pkt, 102, 46, 0, false, &pn, plain, plain_len);
    if (*rc == 0)
        assert_true(pn < 4); /* the client's first Handshake packets */
}

static void test_fixture_handshake_packet(void **state)
{
    uint8_t pkt[102];
    const uint8_t *plain;
    size_t plain_len, i;
    int rc;
    static const uint8_t finished_header[4] = {0x14, 0x00, 0x00, 0x20};
    (void)state;
    assert_int_equal(unhex(CLIENT_HANDSHAKE_PACKET, pkt, sizeof pkt), 102);
    open_fixture_packet(pkt, &plain, &plain_len, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(pkt[0] & 0x30, 0x20); /* a Handshake packet (v1 type 2) */
    /* a CRYPTO frame (0x06) at offset 0 with the 36-byte Finished (SHA-256) */
    for (i = 0; i + 7 <= plain_len; i++)
        if (plain[i] == 0x06 && plain[i + 1] == 0x00 && plain[i + 2] == 0x24 &&
            memcmp(plain + i + 3, finished_header, 4) == 0)
            break;
    assert_true(i + 7 <= plain_len);
}

static void test_fixture_packet_tampered(void **state)
{
    uint8_t pkt[102];
    const uint8_t *plain;
    size_t plain_len;
    int rc;
    (void)state;
    unhex(CLIENT_HANDSHAKE_PACKET, pkt, sizeof pkt);
    pkt[80] ^= 0x40;
    open_fixture_packet(pkt, &plain, &plain_len, &rc);
    assert_int_equal(rc, -2);
}

static void test_suites_quic_does_not_use(void **state)
{
    uint8_t secret[48] = {0};
    struct td_quic_keys k;
    (void)state;
    assert_int_equal(td_quic_keys_for_suite(TD_QUIC_V1, TD_CS_TLS_AES_128_CCM_8_SHA256, secret, 32, &k), -1);
    assert_int_equal(td_quic_keys_for_suite(TD_QUIC_V1, 0xc02f, secret, 32, &k), -1);
    /* a secret of the wrong length for the suite's hash */
    assert_int_equal(td_quic_keys_for_suite(TD_QUIC_V1, TD_CS_TLS_AES_256_GCM_SHA384, secret, 32, &k), -1);
    assert_int_equal(td_quic_keys_for_suite(TD_QUIC_V1, TD_CS_TLS_AES_256_GCM_SHA384, secret, 48, &k), 0);
    assert_int_equal(k.key_len, 32);
}

/* RFC 9001 A.4 and RFC 9369 A.4: the server's Retry to A.2's client Initial */
static const uint8_t ODCID[8] = {0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08};

static void check_retry(uint32_t version, const char *hex)
{
    uint8_t pkt[64];
    size_t n = unhex(hex, pkt, sizeof pkt);
    assert_int_equal(td_quic_retry_tag_ok(version, ODCID, 8, pkt, n), 1);
    /* another original Destination Connection ID: the tag does not verify */
    assert_int_equal(td_quic_retry_tag_ok(version, ODCID, 7, pkt, n), 0);
    pkt[10] ^= 1; /* a changed token */
    assert_int_equal(td_quic_retry_tag_ok(version, ODCID, 8, pkt, n), 0);
    assert_int_equal(td_quic_retry_tag_ok(version, ODCID, 8, pkt, 20), -1);
}

static void test_retry_integrity_v1(void **state)
{
    (void)state;
    check_retry(TD_QUIC_V1, "ff000000010008f067a5502a4262b5746f6b656e04a265ba2eff4d829058fb3f0f2496ba");
}

static void test_retry_integrity_v2(void **state)
{
    (void)state;
    check_retry(TD_QUIC_V2, "cf6b3343cf0008f067a5502a4262b5746f6b656ec8646ce8bfe33952d955543665dcc7b6");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chacha20_keys_and_mask),
        cmocka_unit_test(test_chacha20_packet_opens),
        cmocka_unit_test(test_fixture_handshake_packet),
        cmocka_unit_test(test_fixture_packet_tampered),
        cmocka_unit_test(test_suites_quic_does_not_use),
        cmocka_unit_test(test_retry_integrity_v1),
        cmocka_unit_test(test_retry_integrity_v2),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
