/*
 * test_quic_initial.c — QUIC Initial protection (src/quic/initial.c) against
 * the test vectors of RFC 9001 Appendix A (v1) and RFC 9369 Appendix A (v2):
 * the secrets and keys of A.1, the client Initial of A.2 (header protection
 * sample and mask, packet number, plaintext) and the server Initial of A.3.
 */
#include "unit.h"

#include <stdio.h>

#include "quic/initial.h"

static const uint8_t DCID[8] = {0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08};

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

/* RFC 9001 A.2: the CRYPTO frame the client's first Initial carries (PADDING follows to 1162). */
static const char CLIENT_CRYPTO[] =
    "060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e868"
    "04fe3a47f06a2b69484c00000413011302010000c000000010000e00000b6578"
    "616d706c652e636f6dff01000100000a00080006001d00170018001000070005"
    "04616c706e000500050100000000003300260024001d00209370b2c9caa47fba"
    "baf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b000302030400"
    "0d0010000e0403050306030203080408050806002d00020101001c0002400100"
    "3900320408ffffffffffffffff05048000ffff07048000ffff08011001048000"
    "75300901100f088394c8f03e51570806048000ffff";

/* RFC 9001 A.2: the protected client Initial, 1200 bytes. */
static const char CLIENT_PACKET[] =
    "c000000001088394c8f03e5157080000449e7b9aec34d1b1c98dd7689fb8ec11"
    "d242b123dc9bd8bab936b47d92ec356c0bab7df5976d27cd449f63300099f399"
    "1c260ec4c60d17b31f8429157bb35a1282a643a8d2262cad67500cadb8e7378c"
    "8eb7539ec4d4905fed1bee1fc8aafba17c750e2c7ace01e6005f80fcb7df6212"
    "30c83711b39343fa028cea7f7fb5ff89eac2308249a02252155e2347b63d58c5"
    "457afd84d05dfffdb20392844ae812154682e9cf012f9021a6f0be17ddd0c208"
    "4dce25ff9b06cde535d0f920a2db1bf362c23e596d11a4f5a6cf3948838a3aec"
    "4e15daf8500a6ef69ec4e3feb6b1d98e610ac8b7ec3faf6ad760b7bad1db4ba3"
    "485e8a94dc250ae3fdb41ed15fb6a8e5eba0fc3dd60bc8e30c5c4287e53805db"
    "059ae0648db2f64264ed5e39be2e20d82df566da8dd5998ccabdae053060ae6c"
    "7b4378e846d29f37ed7b4ea9ec5d82e7961b7f25a9323851f681d582363aa5f8"
    "9937f5a67258bf63ad6f1a0b1d96dbd4faddfcefc5266ba6611722395c906556"
    "be52afe3f565636ad1b17d508b73d8743eeb524be22b3dcbc2c7468d54119c74"
    "68449a13d8e3b95811a198f3491de3e7fe942b330407abf82a4ed7c1b311663a"
    "c69890f4157015853d91e923037c227a33cdd5ec281ca3f79c44546b9d90ca00"
    "f064c99e3dd97911d39fe9c5d0b23a229a234cb36186c4819e8b9c5927726632"
    "291d6a418211cc2962e20fe47feb3edf330f2c603a9d48c0fcb5699dbfe58964"
    "25c5bac4aee82e57a85aaf4e2513e4f05796b07ba2ee47d80506f8d2c25e50fd"
    "14de71e6c418559302f939b0e1abd576f279c4b2e0feb85c1f28ff18f58891ff"
    "ef132eef2fa09346aee33c28eb130ff28f5b766953334113211996d20011a198"
    "e3fc433f9f2541010ae17c1bf202580f6047472fb36857fe843b19f5984009dd"
    "c324044e847a4f4a0ab34f719595de37252d6235365e9b84392b061085349d73"
    "203a4a13e96f5432ec0fd4a1ee65accdd5e3904df54c1da510b0ff20dcc0c77f"
    "cb2c0e0eb605cb0504db87632cf3d8b4dae6e705769d1de354270123cb11450e"
    "fc60ac47683d7b8d0f811365565fd98c4c8eb936bcab8d069fc33bd801b03ade"
    "a2e1fbc5aa463d08ca19896d2bf59a071b851e6c239052172f296bfb5e724047"
    "90a2181014f3b94a4e97d117b438130368cc39dbb2d198065ae3986547926cd2"
    "162f40a29f0c3c8745c0f50fba3852e566d44575c29d39a03f0cda721984b6f4"
    "40591f355e12d439ff150aab7613499dbd49adabc8676eef023b15b65bfc5ca0"
    "6948109f23f350db82123535eb8a7433bdabcb909271a6ecbcb58b936a88cd4e"
    "8f2e6ff5800175f113253d8fa9ca8885c2f552e657dc603f252e1a8e308f76f0"
    "be79e2fb8f5d5fbbe2e30ecadd220723c8c0aea8078cdfcb3868263ff8f09400"
    "54da48781893a7e49ad5aff4af300cd804a6b6279ab3ff3afb64491c85194aab"
    "760d58a606654f9f4400e8b38591356fbf6425aca26dc85244259ff2b19c41b9"
    "f96f3ca9ec1dde434da7d2d392b905ddf3d1f9af93d1af5950bd493f5aa731b4"
    "056df31bd267b6b90a079831aaf579be0a39013137aac6d404f518cfd4684064"
    "7e78bfe706ca4cf5e9c5453e9f7cfd2b8b4c8d169a44e55c88d4a9a7f9474241"
    "e221af44860018ab0856972e194cd934";

/* RFC 9001 A.3 / RFC 9369 A.3: the server Initial's payload (ACK, CRYPTO: a ServerHello). */
static const char SERVER_PAYLOAD[] =
    "02000000000600405a020000560303eefce7f7b37ba1d1632e96677825ddf739"
    "88cfc79825df566dc5430b9a045a1200130100002e00330024001d00209d3c94"
    "0d89690b84d08a60993c144eca684d1081287c834d5311bcf32bb9da1a002b00"
    "020304";

static const char SERVER_PACKET_V1[] =
    "cf000000010008f067a5502a4262b5004075c0d95a482cd0991cd25b0aac406a"
    "5816b6394100f37a1c69797554780bb38cc5a99f5ede4cf73c3ec2493a1839b3"
    "dbcba3f6ea46c5b7684df3548e7ddeb9c3bf9c73cc3f3bded74b562bfb19fb84"
    "022f8ef4cdd93795d77d06edbb7aaf2f58891850abbdca3d20398c276456cbc4"
    "2158407dd074ee";

static const char SERVER_PACKET_V2[] =
    "dc6b3343cf0008f067a5502a4262b5004075d92faaf16f05d8a4398c47089698"
    "baeea26b91eb761d9b89237bbf87263017915358230035f7fd3945d88965cf17"
    "f9af6e16886c61bfc703106fbaf3cb4cfa52382dd16a393e42757507698075b2"
    "c984c707f0a0812d8cd5a6881eaf21ceda98f4bd23f6fe1a3e2c43edd9ce7ca8"
    "4bed8521e2e140";

/* A.1 of each RFC: both initial secrets and the six keys derived from them. */
struct key_vector {
    uint32_t version;
    const char *client_secret, *server_secret;
    const char *ckey, *civ, *chp, *skey, *siv, *shp;
};

static void check_keys(const struct key_vector *v)
{
    uint8_t cs[32], ss[32];
    struct td_quic_keys c, s;
    assert_int_equal(td_quic_initial_secrets(v->version, DCID, sizeof DCID, cs, ss), 0);
    assert_hex(cs, v->client_secret);
    assert_hex(ss, v->server_secret);
    assert_int_equal(td_quic_initial_keys(v->version, DCID, sizeof DCID, &c, &s), 0);
    assert_hex(c.key, v->ckey);
    assert_hex(c.iv, v->civ);
    assert_hex(c.hp, v->chp);
    assert_hex(s.key, v->skey);
    assert_hex(s.iv, v->siv);
    assert_hex(s.hp, v->shp);
}

static void test_v1_keys(void **state)
{
    (void)state;
    static const struct key_vector v1 = {
        TD_QUIC_V1, "c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea",
        "3c199828fd139efd216c155ad844cc81fb82fa8d7446fa7d78be803acdda951b",
        "1f369613dd76d5467730efcbe3b1a22d", "fa044b2f42a3fd3b46fb255c",
        "9f50449e04a0e810283a1e9933adedd2", "cf3a5331653c364c88f0f379b6067e37",
        "0ac1493ca1905853b0bba03e", "c206b8d9b9f0f37644430b490eeaa314"};
    check_keys(&v1);
}

static void test_v2_keys(void **state)
{
    (void)state;
    static const struct key_vector v2 = {
        TD_QUIC_V2, "14ec9d6eb9fd7af83bf5a668bc17a7e283766aade7ecd0891f70f9ff7f4bf47b",
        "0263db1782731bf4588e7e4d93b7463907cb8cd8200b5da55a8bd488eafc37c1",
        "8b1a0bc121284290a29e0971b5cd045d", "91f73e2351d8fa91660e909f",
        "45b95e15235d6f45a6b19cbcb0294ba9", "82db637861d55e1d011f19ea71d5d2a7",
        "dd13c276499c0249d3310652", "edf6d05c83121201b436e16877593c3a"};
    check_keys(&v2);
}

static void test_unknown_version_has_no_keys(void **state)
{
    (void)state;
    struct td_quic_keys c, s;
    assert_int_equal(td_quic_initial_keys(0x1a2a3a4a, DCID, sizeof DCID, &c, &s), -1);
    assert_false(td_quic_version_known(0));
    assert_true(td_quic_version_known(TD_QUIC_DRAFT29));
}

static void test_v1_hp_mask(void **state)
{
    (void)state;
    struct td_quic_keys c, s;
    uint8_t sample[16], mask[5];
    assert_int_equal(td_quic_initial_keys(TD_QUIC_V1, DCID, sizeof DCID, &c, &s), 0);
    unhex("d1b1c98dd7689fb8ec11d242b123dc9b", sample, sizeof sample);
    assert_int_equal(td_quic_hp_mask(&c, sample, mask), 0);
    assert_hex(mask, "437b9aec36");
}

static void test_v1_client_initial(void **state)
{
    (void)state;
    struct td_quic_keys c, s;
    uint8_t *pkt = malloc(1200), want[1162];
    const uint8_t *plain;
    size_t plain_len, n;
    uint64_t pn;

    assert_non_null(pkt);
    assert_int_equal(unhex(CLIENT_PACKET, pkt, 1200), 1200);
    assert_int_equal(td_quic_initial_keys(TD_QUIC_V1, DCID, sizeof DCID, &c, &s), 0);
    assert_int_equal(td_quic_long_type(TD_QUIC_V1, pkt[0]), TD_QUIC_PT_INITIAL);
    /* 1 + 4 + 1 + 8 + 1 + token length 0 (1) + Length 0x449e (2) = 18 */
    assert_int_equal(td_quic_open(&c, pkt, 1200, 18, 0, false, &pn, &plain, &plain_len), 0);
    assert_int_equal(pkt[0], 0xc3);
    assert_int_equal(pn, 2);
    assert_int_equal(plain_len, 1162);
    memset(want, 0, sizeof want);
    n = unhex(CLIENT_CRYPTO, want, sizeof want);
    assert_int_equal(n, 245);
    assert_memory_equal(plain, want, sizeof want);
    free(pkt);
}

static void test_tampered_packet_fails(void **state)
{
    (void)state;
    struct td_quic_keys c, s;
    uint8_t *pkt = malloc(1200);
    const uint8_t *plain;
    size_t plain_len;
    uint64_t pn;

    assert_non_null(pkt);
    unhex(CLIENT_PACKET, pkt, 1200);
    pkt[600] ^= 1;
    assert_int_equal(td_quic_initial_keys(TD_QUIC_V1, DCID, sizeof DCID, &c, &s), 0);
    assert_int_equal(td_quic_open(&c, pkt, 1200, 18, 0, false, &pn, &plain, &plain_len), -2);
    /* too short for a sample */
    assert_int_equal(td_quic_open(&c, pkt, 30, 18, 0, false, &pn, &plain, &plain_len), -1);
    free(pkt);
}

static void server_initial(uint32_t version, const char *packet_hex, uint8_t first)
{
    struct td_quic_keys c, s;
    uint8_t pkt[200], want[99];
    const uint8_t *plain;
    size_t plain_len, n = unhex(packet_hex, pkt, sizeof pkt);
    uint64_t pn;

    assert_int_equal(n, 135);
    assert_int_equal(td_quic_long_type(version, pkt[0]), TD_QUIC_PT_INITIAL);
    assert_int_equal(td_quic_initial_keys(version, DCID, sizeof DCID, &c, &s), 0);
    /* 1 + 4 + 1 + 0 + 1 + 8 + token length (1) + Length 0x4075 (2) = 18 */
    assert_int_equal(td_quic_open(&s, pkt, n, 18, 0, false, &pn, &plain, &plain_len), 0);
    assert_int_equal(pkt[0], first);
    assert_int_equal(pn, 1);
    assert_int_equal(unhex(SERVER_PAYLOAD, want, sizeof want), 99);
    assert_int_equal(plain_len, 99);
    assert_memory_equal(plain, want, 99);
}

static void test_v1_server_initial(void **state)
{
    (void)state;
    server_initial(TD_QUIC_V1, SERVER_PACKET_V1, 0xc1);
}

static void test_v2_server_initial(void **state)
{
    (void)state;
    server_initial(TD_QUIC_V2, SERVER_PACKET_V2, 0xd1);
}

/* RFC 9000 §A.3's example, and the edges of the window. */
static void test_packet_number_decoding(void **state)
{
    (void)state;
    assert_int_equal(td_quic_decode_pn(0xa82f30ea, true, 0x9b32, 16), 0xa82f9b32);
    assert_int_equal(td_quic_decode_pn(0, false, 2, 32), 2);
    assert_int_equal(td_quic_decode_pn(0xff, true, 0x01, 8), 0x101);
    assert_int_equal(td_quic_decode_pn(0x100, true, 0xff, 8), 0xff);
    /* near 2^62 the candidate is never pushed past it */
    assert_true(td_quic_decode_pn((UINT64_C(1) << 62) - 2, true, 0xff, 8) < (UINT64_C(1) << 62));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v1_keys),
        cmocka_unit_test(test_v2_keys),
        cmocka_unit_test(test_unknown_version_has_no_keys),
        cmocka_unit_test(test_v1_hp_mask),
        cmocka_unit_test(test_v1_client_initial),
        cmocka_unit_test(test_tampered_packet_fails),
        cmocka_unit_test(test_v1_server_initial),
        cmocka_unit_test(test_v2_server_initial),
        cmocka_unit_test(test_packet_number_decoding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
