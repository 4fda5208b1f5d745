/*
 * test_record_protection12.c — TLS 1.0-1.2 record protection
 * (record_protection12.h, RFC 5246 §6.2.3, §6.3) on records real stacks
 * sealed: the client's Finished (and the record after it) of
 * tests/pcaps/tls12-keys-aes128gcm.pcap (AES-128-GCM), tls12-keys-cbc-etm
 * (AES-128-CBC-SHA256, encrypt_then_mac), tls12-keys-cbc-no-etm
 * (AES-256-CBC-SHA384, MAC-then-encrypt) and tls10-keys-cbc (AES-128-CBC-SHA,
 * TLS 1.0 chained IVs), with the master secret of their key logs.  Then what
 * must fail: a wrong sequence number, a changed MAC, tag or ciphertext, bad
 * CBC padding, short records, a skipped TLS 1.0 CBC record, and what is not
 * decrypted here (RC4, SSL 3.0, AEAD suites before TLS 1.2).
 *
 * DTLS (RFC 6347 §4.1.2.1, td_rp12_open_at): the client's epoch-1 records
 * (Finished, application data, close_notify) of tests/pcaps/dtls12-keys-gcm
 * (explicit GCM nonce), dtls12-keys-chacha20 (nonce = IV XOR epoch||seq) and
 * dtls10-keys-cbc (DTLS 1.0: TLS 1.1's explicit CBC IVs, MD5+SHA-1 PRF,
 * MAC-then-encrypt) open with their own epoch||sequence_number in any order;
 * another epoch or sequence number, or a changed explicit IV, does not.
 */
#include "unit.h"

#include <string.h>

#include "tlsdissect/codepoints.h"
#include "tls/record_protection12.h"

struct capture {
    uint16_t version, suite;
    bool etm;
    const char *master, *client_random, *server_random;
    const char *finished; /* the client's first record after its ChangeCipherSpec, with its header */
    const char *next;     /* the client's record after it */
};

static const struct capture gcm = {
    TD_VERSION_TLS_1_2, TD_CS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, false,
    "c78e8616305d42ae39ddeff7d347b58e90668334e3218efa2c9c6061b92f397995240a3ad07d1f48088318e58301d396",
    "2535336155391fd31bedcd89c8cf2ae34c73949036cc3a4d766e323facf0b326",
    "4d19f368363b24eed38fb97a092410914c5f464477e5a875125403eca00901d5",
    "1603030028e61e34d07a24d5b9823c78d6409c22bea3a12f14b02570c8bee4e78fd05484eccddab4415093d890",
    "1703030039e61e34d07a24d5ba831fe76dcfad97c13b7f2ab70d8fb69f3878f09cf3e8e628bec50a4daf8d029f3a6f0484fd1a13537f19011d47e338c331",
};
static const struct capture cbc_etm = {
    TD_VERSION_TLS_1_2, TD_CS_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256, true,
    "0ad270b2f94d8727bc2b06332d219486ba0e587a2299456ecd38b5c3464cdacc97d5c220f4aa842815774a1a348f91c2",
    "b0bafb0fc6ffa9b590d7763d04f855a069529b12f56d7f135c260904ac8ef868",
    "d59445e656f24db214113d2c1fa54212e24b17affd9480670d8bbd210fb3d015",
    "1603030050937db96bac0ded8f734366d78031251cd555114f0946b7b91039904160db9b74e707ddd6f141f371a1aab2f9b01d4b292f6d4b707f5018b3dea6701238d60fe32070661aaccbedc44000ee8ba1680982",
    NULL,
};
static const struct capture cbc_mte = {
    TD_VERSION_TLS_1_2, TD_CS_TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384, false,
    "350f81bb1babae709df8c5d9e169fd438fb9ea3c0a987704b3e86bf365358fa5bb0680ab0c13d8bd4ae12524fc3edab6",
    "c64470dac57630184fb688e0e6cb44ed1433d8abdabc872958ebef230caf7f37",
    "cb9728d55218d9c49e99080347b1757d030844597a3644e365ac50d23e5b9c00",
    "1603030060982e5b7ca09f51431911959604099d8f2b6198f55182e8391579b32fd16ecbdadeb75c9e9f6f41cde351f60c16eb72d6890b2a17af28cc951723d7fb4d94eb8f963c7e556ef55bab182a96e233cf0a1f76afe7b3edec532296b16b94ae44ed54",
    NULL,
};
static const struct capture tls10 = {
    TD_VERSION_TLS_1_0, TD_CS_TLS_RSA_WITH_AES_128_CBC_SHA, false,
    "6a07a01b47e5a527142128147f77d5b187b226d680d2f9ecc73dff9737c0fbe4eea89f075cc034da17e89a5f00ba836e",
    "1d78c7d525f1af5111839d58495fb46a65305bd8dc6c6a62a12101aa88700e6d",
    "3ae22abb0b305d86c5797227b2e6dab612e1b45f54b84b7a5cb197eec94ca0c4",
    "160301003021d0c7eef79c2449f8e894d63c156664d9b6660c87861a77a8deeeceaafd2df0a48c6edd61b9e564c653566fa43c114a",
    /* OpenSSL's empty first application data record (the CBC IV countermeasure) */
    "1703010020fd399f55e14961b32bfbac72c2770de6912cb9e7c34849b949ff53bb9149f814",
};

struct record {
    uint8_t bytes[256];
    size_t n; /* with the 5-byte header */
    uint8_t out[256];
    size_t len;
};

static struct td_rp12 *client_protector(const struct capture *c)
{
    uint8_t master[48], cr[32], sr[32];
    enum td_rp_status st;
    unit_unhex(c->master, master, sizeof master);
    unit_unhex(c->client_random, cr, sizeof cr);
    unit_unhex(c->server_random, sr, sizeof sr);
    struct td_rp12_keys keys = {c->version, c->suite, c->etm, master, cr, sr};
    struct td_rp12 *rp = td_rp12_new(&keys, true, &st);
    assert_int_equal(st, TD_RP_OK);
    assert_non_null(rp);
    return rp;
}

static void load(struct record *r, const char *hex)
{
    r->n = strlen(hex) / 2;
    assert_true(r->n <= sizeof r->bytes);
    unit_unhex(hex, r->bytes, r->n);
}

static enum td_rp_status open_record(struct td_rp12 *rp, struct record *r)
{
    uint16_t version = (uint16_t)(r->bytes[1] << 8 | r->bytes[2]);
    return td_rp12_open(rp, r->bytes[0], version, r->bytes + 5, r->n - 5, r->out, &r->len);
}

/* The client's Finished opens: HandshakeType finished(20), a 12-byte verify_data. */
static void assert_finished_opens(struct td_rp12 *rp, struct record *r)
{
    static const uint8_t header[4] = {20, 0, 0, 12};
    assert_int_equal(open_record(rp, r), TD_RP_OK);
    assert_int_equal(r->len, 16);
    assert_memory_equal(r->out, header, sizeof header);
}

static void test_opens_each_mode(void **state)
{
    (void)state;
    const struct capture *all[] = {&gcm, &cbc_etm, &cbc_mte, &tls10};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        struct td_rp12 *rp = client_protector(all[i]);
        struct record r;
        load(&r, all[i]->finished);
        assert_finished_opens(rp, &r);
        if (all[i]->next) {
            load(&r, all[i]->next);
            assert_int_equal(open_record(rp, &r), TD_RP_OK);
        }
        td_rp12_free(rp);
    }
}

static void test_gcm_failures(void **state)
{
    (void)state;
    struct td_rp12 *rp = client_protector(&gcm);
    struct record r, next;
    load(&r, gcm.finished);
    load(&next, gcm.next);
    /* the application data record under sequence number 0: the additional data differs */
    assert_int_equal(open_record(rp, &next), TD_RP_AUTH_FAILED);
    td_rp12_free(rp);

    rp = client_protector(&gcm);
    r.bytes[r.n - 1] ^= 1; /* the tag */
    assert_int_equal(open_record(rp, &r), TD_RP_AUTH_FAILED);
    td_rp12_free(rp);

    rp = client_protector(&gcm);
    load(&r, gcm.finished);
    r.n = 5 + 8 + 16 - 1; /* shorter than nonce_explicit and tag */
    assert_int_equal(open_record(rp, &r), TD_RP_AUTH_FAILED);
    /* it used sequence number 0: the Finished no longer opens, the next record does */
    load(&r, gcm.finished);
    assert_int_equal(open_record(rp, &r), TD_RP_AUTH_FAILED);
    assert_int_equal(open_record(rp, &next), TD_RP_AUTH_FAILED); /* sequence number 2 */
    td_rp12_free(rp);

    rp = client_protector(&gcm);
    assert_true(td_rp12_skip(rp)); /* an AEAD record skipped: the count goes on */
    assert_int_equal(open_record(rp, &next), TD_RP_OK);
    td_rp12_free(rp);
}

static void test_cbc_failures(void **state)
{
    (void)state;
    struct td_rp12 *rp;
    struct record r;

    /* MAC-then-encrypt, a changed last ciphertext block: the padding byte is garbage */
    rp = client_protector(&cbc_mte);
    load(&r, cbc_mte.finished);
    r.bytes[r.n - 1] ^= 0x80;
    assert_int_equal(open_record(rp, &r), TD_RP_BAD_PADDING);
    td_rp12_free(rp);

    /* a changed explicit IV changes only the first plaintext block: the padding is
     * intact, the MAC over the fragment is not */
    rp = client_protector(&cbc_mte);
    load(&r, cbc_mte.finished);
    r.bytes[5] ^= 1;
    assert_int_equal(open_record(rp, &r), TD_RP_AUTH_FAILED);
    td_rp12_free(rp);

    /* not a whole number of blocks, and shorter than IV + one block */
    rp = client_protector(&cbc_mte);
    load(&r, cbc_mte.finished);
    r.n -= 1;
    assert_int_equal(open_record(rp, &r), TD_RP_AUTH_FAILED);
    r.n = 5 + 16;
    assert_int_equal(open_record(rp, &r), TD_RP_AUTH_FAILED);
    td_rp12_free(rp);

    /* encrypt_then_mac: the MAC is checked before anything is decrypted */
    rp = client_protector(&cbc_etm);
    load(&r, cbc_etm.finished);
    r.bytes[r.n - 1] ^= 1;
    assert_int_equal(open_record(rp, &r), TD_RP_AUTH_FAILED);
    td_rp12_free(rp);
    rp = client_protector(&cbc_etm);
    load(&r, cbc_etm.finished);
    r.bytes[r.n - 33] ^= 1; /* the last ciphertext block, inside the MAC */
    assert_int_equal(open_record(rp, &r), TD_RP_AUTH_FAILED);
    td_rp12_free(rp);

    /* encrypt_then_mac assumed where it was not negotiated: the MAC is not where it is looked for */
    struct capture wrong = cbc_mte;
    wrong.etm = true;
    rp = client_protector(&wrong);
    load(&r, cbc_mte.finished);
    assert_int_equal(open_record(rp, &r), TD_RP_AUTH_FAILED);
    td_rp12_free(rp);
}

static void test_tls10_chained_iv(void **state)
{
    (void)state;
    struct td_rp12 *rp = client_protector(&tls10);
    struct record fin, next;
    load(&fin, tls10.finished);
    load(&next, tls10.next);
    /* without the Finished before it, the next record's IV is wrong */
    assert_false(td_rp12_skip(rp));
    assert_int_equal(open_record(rp, &next), TD_RP_AUTH_FAILED);
    td_rp12_free(rp);

    rp = client_protector(&tls10);
    assert_finished_opens(rp, &fin);
    assert_int_equal(open_record(rp, &next), TD_RP_OK);
    assert_int_equal(next.len, 0); /* the empty fragment */
    td_rp12_free(rp);
}

/* A DTLS capture: the client's three epoch-1 records, sequence numbers 0, 1, 2. */
struct dtls_capture {
    struct capture keys;
    const char *records[3]; /* Finished, application data, close_notify; 13-byte headers */
};

static const struct dtls_capture dtls_gcm = {
    {TD_VERSION_DTLS_1_2, TD_CS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, false,
     "4d3200a552e234d9535584aa166694406d9cbd52d8bff5098f5c3ae65f54a6bf099302db2e47091ec5a0e48a39493da9",
     "66ce8ab38b6f613b8ac474c401dd3df6745363060e785feda00120b921940258",
     "3a7c317c693e596fae20630a7df3864fdc4fcfb141fe7719b14421e34690d131", NULL, NULL},
    {"16fefd00010000000000000030194eac9aaf5fcb806cbe1275d5f8e18beb5ba7866e3d04ad1d68af155c5f4b5f25ea5bb2c7ade1e02fc4749411b702f5",
     "17fefd00010000000000010039194eac9aaf5fcb81ce2048269870ef4560e56670d6c574b4b7f2e2d9a638b1d136060e3b0165ef5640c0eb7b7a2cf842be6a3fa8a62f5482ed",
     "15fefd0001000000000002001a194eac9aaf5fcb827a36a2bca04ce1a384814373b7d7b22fd9f1"},
};
static const struct dtls_capture dtls_chacha20 = {
    {TD_VERSION_DTLS_1_2, TD_CS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, false,
     "2717b6237b66bc520a24dea0ebfd90583826d0849f77553e510cdaabdfac32940e82169fb924460f2339e63b87bcc83f",
     "8cbf3d8fbcdb220b603bc7c9323ea2421394d94313ff8202375e541d1494eec7",
     "2db7fc0f3067d39444bbd65a0334b0dea332cbb5f3a7805c7bd634b3a584b9b4", NULL, NULL},
    {"16fefd00010000000000000028688193209d405616b90fd662124a163d1629cb1bf16c9f8af2292e53a69d66f6577ca2505e730ada",
     "17fefd0001000000000001003173395cb060e51b39082404270d709f40474dc7a083986909f561ae1efc374d52aa879f3639db9b730b453fa5d05e895631",
     "15fefd000100000000000200125d1f014003c9d43c2eac8a2760a559399a04"},
};
static const struct dtls_capture dtls10_cbc = {
    {TD_VERSION_DTLS_1_0, TD_CS_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, false,
     "28806de23a51b2ae891d366a9f2a136613ac8bf8a976374bebfb7c246036c4fa40a551e0fd6097faf212319a73ae0b0d",
     "3a36141e418004a1a6e93b476aa3d8f2e929c631d2f1e772cbc300fd857ce90b",
     "f03c53328f97e4a5b45da25419313d6a91ffa280a820d76004f694162bfd88e2", NULL, NULL},
    {"16feff0001000000000000004030b8b6128fc681ce2a4017edecf49cf4410d2c680b4116b68e6d614e3e7b91429ae546ad9d5c133e1829fa313f490c43f8efa40c5d90cf4ac71130523b2cfc31",
     "17feff00010000000000010050fca82b3c2e1427daa09b20a13ed4cf1fc2d872e7de660d58cfc8d421336bf6db8a6b703801a4510170fc55f471778615f901c6fa84a621526086bd27f69629fdcf6b1115cd29472ecb191f0855539808",
     "15feff000100000000000200304dc7c2205892e13a0b13d232ec33632a3b5f4ba9d224cf74dd063079abb0a2be3633a4a6dd8e94fbe955559370a31213"},
};

#define DTLS_HEADER 13

/* Open a DTLS record with seq_num = epoch << 48 | sequence_number. */
static enum td_rp_status open_dtls(struct td_rp12 *rp, struct record *r, uint16_t epoch,
                                   uint64_t sequence)
{
    uint16_t version = (uint16_t)(r->bytes[1] << 8 | r->bytes[2]);
    return td_rp12_open_at(rp, (uint64_t)epoch << 48 | sequence, r->bytes[0], version,
                           r->bytes + DTLS_HEADER, r->n - DTLS_HEADER, r->out, &r->len);
}

static void test_dtls_opens_in_any_order(void **state)
{
    (void)state;
    /* the client's Finished: type 20, length 12, message_seq 3, offset 0, fragment 12 */
    static const uint8_t finished[12] = {20, 0, 0, 12, 0, 3, 0, 0, 0, 0, 0, 12};
    static const uint8_t close_notify[2] = {1, 0};
    const struct dtls_capture *all[] = {&dtls_gcm, &dtls_chacha20, &dtls10_cbc};
    static const unsigned order[3] = {2, 0, 1};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        struct td_rp12 *rp = client_protector(&all[i]->keys);
        for (size_t k = 0; k < 3; k++) {
            struct record r;
            unsigned seq = order[k];
            load(&r, all[i]->records[seq]);
            assert_int_equal(open_dtls(rp, &r, 1, seq), TD_RP_OK);
            if (seq == 0) {
                assert_int_equal(r.len, 24);
                assert_memory_equal(r.out, finished, sizeof finished);
            } else if (seq == 2) {
                assert_int_equal(r.len, 2);
                assert_memory_equal(r.out, close_notify, 2);
            }
        }
        td_rp12_free(rp);
    }
}

static void test_dtls_failures(void **state)
{
    (void)state;
    const struct dtls_capture *all[] = {&dtls_gcm, &dtls_chacha20, &dtls10_cbc};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        struct td_rp12 *rp = client_protector(&all[i]->keys);
        struct record r;
        load(&r, all[i]->records[0]);
        assert_int_not_equal(open_dtls(rp, &r, 0, 0), TD_RP_OK); /* epoch 0 */
        assert_int_not_equal(open_dtls(rp, &r, 2, 0), TD_RP_OK); /* epoch 2 */
        assert_int_not_equal(open_dtls(rp, &r, 1, 1), TD_RP_OK); /* another sequence number */
        /* the implicit counter of TLS is not DTLS's: sequence 0 without the epoch fails */
        assert_int_not_equal(td_rp12_open(rp, r.bytes[0], (uint16_t)(r.bytes[1] << 8 | r.bytes[2]),
                                          r.bytes + DTLS_HEADER, r.n - DTLS_HEADER, r.out, &r.len),
                             TD_RP_OK);
        assert_int_equal(open_dtls(rp, &r, 1, 0), TD_RP_OK); /* and the record itself still opens */
        td_rp12_free(rp);
    }
    /* DTLS 1.0 CBC: each record has its explicit IV; a changed IV changes the
     * first block, whose MAC then fails */
    struct td_rp12 *rp = client_protector(&dtls10_cbc.keys);
    struct record r;
    load(&r, dtls10_cbc.records[0]);
    r.bytes[DTLS_HEADER] ^= 0x01;
    assert_int_equal(open_dtls(rp, &r, 1, 0), TD_RP_AUTH_FAILED);
    td_rp12_free(rp);
    /* the version of the additional data is DTLS's: read as TLS 1.2 it fails */
    rp = client_protector(&dtls_gcm.keys);
    load(&r, dtls_gcm.records[0]);
    assert_int_equal(td_rp12_open_at(rp, 1ull << 48, r.bytes[0], TD_VERSION_TLS_1_2,
                                     r.bytes + DTLS_HEADER, r.n - DTLS_HEADER, r.out, &r.len),
                     TD_RP_AUTH_FAILED);
    td_rp12_free(rp);
    assert_false(td_rp12_supported(TD_VERSION_DTLS_1_3, TD_CS_TLS_AES_128_GCM_SHA256));
    assert_false(td_rp12_supported(TD_VERSION_DTLS_1_0, TD_CS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256));
}

static void test_not_decrypted_here(void **state)
{
    (void)state;
    assert_true(td_rp12_supported(TD_VERSION_TLS_1_2, TD_CS_TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8));
    assert_true(td_rp12_supported(TD_VERSION_TLS_1_0, TD_CS_TLS_RSA_WITH_3DES_EDE_CBC_SHA));
    assert_false(td_rp12_supported(TD_VERSION_TLS_1_2, TD_CS_TLS_ECDHE_RSA_WITH_RC4_128_SHA));
    assert_false(td_rp12_supported(TD_VERSION_TLS_1_2, TD_CS_TLS_RSA_WITH_NULL_SHA256));
    assert_false(td_rp12_supported(TD_VERSION_SSL_3_0, TD_CS_TLS_RSA_WITH_AES_128_CBC_SHA));
    assert_false(td_rp12_supported(TD_VERSION_TLS_1_3, TD_CS_TLS_AES_128_GCM_SHA256));
    /* AEAD suites are TLS 1.2's (RFC 5246 §6.2.3.3) */
    assert_false(td_rp12_supported(TD_VERSION_TLS_1_1, TD_CS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256));

    uint8_t zero[48] = {0};
    enum td_rp_status st = TD_RP_OK;
    struct td_rp12_keys keys = {TD_VERSION_SSL_3_0, TD_CS_TLS_RSA_WITH_AES_128_CBC_SHA, false,
                                zero, zero, zero};
    assert_null(td_rp12_new(&keys, true, &st));
    assert_int_equal(st, TD_RP_UNSUPPORTED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_opens_each_mode),
        cmocka_unit_test(test_gcm_failures),
        cmocka_unit_test(test_cbc_failures),
        cmocka_unit_test(test_tls10_chained_iv),
        cmocka_unit_test(test_not_decrypted_here),
        cmocka_unit_test(test_dtls_opens_in_any_order),
        cmocka_unit_test(test_dtls_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
