/*
 * extensions.c — hello extensions (RFC 8446 §4.2; server_name RFC 6066 §3;
 * ALPN RFC 7301 §3.1; supported_groups and ec_point_formats RFC 8422 §5.1;
 * session_ticket RFC 5077 §3.2; EncryptedExtensions RFC 8446 §4.3.1,
 * max_fragment_length RFC 6066 §4, record_size_limit RFC 8449 §4,
 * quic_transport_parameters RFC 9001 §8.2, DTLS connection_id RFC 9146 §3:
 * opaque cid<0..2^8-1>).
 *
 *   struct { ExtensionType extension_type; opaque extension_data<0..2^16-1>; } Extension;
 *
 * Each extension's data is read through its own child cursor, so an inner
 * length that lies is reported with its path and never moves the outer
 * list.  Parsers are found in a table by extension type.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlsdissect/codepoints.h"
#include "tls/hello.h"
#include "tlsdissect/registry.h"

/* A parser reads one extension's data; a failure names the field below `path`. */
struct ext_ctx {
    struct td_parse *p;
    const char *msg;  /* "ClientHello" */
    size_t index;
    uint16_t type;
    bool is_hrr;
    char path[96];
};

/* "ClientHello.extensions[3](alpn)": formatted only when a failure names it. */
static const char *ext_path(struct ext_ctx *x)
{
    char name[TD_REG_NAME_BUF];
    snprintf(x->path, sizeof x->path, "%s.extensions[%zu](%s)", x->msg, x->index,
             td_registry_name(TD_REG_EXTENSIONS, x->type, name));
    return x->path;
}

/* A list of code points in an extension, under the output cap (its wire name and output field). */
static int read_code_points(struct ext_ctx *x, struct td_cur *vec, const char *wire_name,
                            const char *field, struct td_u16_list *out)
{
    if (td_parse_u16_list(x->p, vec, out) != 0)
        return -1;
    out->omitted = td_parse_list_cap(x->p, out->n, TD_MAX_LISTED_CODE_POINTS, field, "%s.%s",
                                     ext_path(x), wire_name);
    return 0;
}

typedef int (*client_ext_fn)(struct ext_ctx *x, struct td_cur *d, struct td_client_hello *ch);
typedef int (*server_ext_fn)(struct ext_ctx *x, struct td_cur *d, struct td_server_hello *sh);
typedef int (*ee_ext_fn)(struct ext_ctx *x, struct td_cur *d, struct td_encrypted_extensions *ee);

/* server_name: ServerNameList server_name_list<1..2^16-1>; NameType + HostName<1..2^16-1>. */
static int ch_server_name(struct ext_ctx *x, struct td_cur *d, struct td_client_hello *ch)
{
    struct td_cur list, name;
    if (td_cur_declared(d) == 0)
        return 0; /* empty form is what servers send; a client may too */
    if (!td_cur_vec(d, 2, 1, 0xffff, 1, &list))
        return td_parse_cur_fail(x->p, d, "%s.server_name_list", ext_path(x));
    for (size_t i = 0; td_cur_remaining(&list); i++) {
        uint8_t type;
        if (!td_cur_u8(&list, &type) || !td_cur_vec(&list, 2, 1, 0xffff, 1, &name))
            return td_parse_cur_fail(x->p, &list, "%s.server_name_list[%zu]", ext_path(x), i);
        if (type == 0 && !ch->has_sni) {
            ch->has_sni = true;
            ch->sni = td_parse_rest(&name);
        }
    }
    return 0;
}

static int ch_supported_groups(struct ext_ctx *x, struct td_cur *d, struct td_client_hello *ch)
{
    struct td_cur v;
    if (!td_cur_vec(d, 2, 2, 0xffff, 2, &v))
        return td_parse_cur_fail(x->p, d, "%s.named_group_list", ext_path(x));
    ch->has_supported_groups = true;
    return read_code_points(x, &v, "named_group_list", "supported_groups", &ch->supported_groups);
}

static int ch_ec_point_formats(struct ext_ctx *x, struct td_cur *d, struct td_client_hello *ch)
{
    struct td_cur v;
    if (!td_cur_vec(d, 1, 1, 0xff, 1, &v))
        return td_parse_cur_fail(x->p, d, "%s.ec_point_format_list", ext_path(x));
    ch->has_ec_point_formats = true;
    ch->ec_point_formats = td_parse_rest(&v);
    return 0;
}

static int ch_signature_algorithms(struct ext_ctx *x, struct td_cur *d, struct td_client_hello *ch)
{
    struct td_cur v;
    if (!td_cur_vec(d, 2, 2, 0xfffe, 2, &v))
        return td_parse_cur_fail(x->p, d, "%s.supported_signature_algorithms", ext_path(x));
    ch->has_signature_algorithms = true;
    return read_code_points(x, &v, "supported_signature_algorithms", "signature_algorithms",
                            &ch->signature_algorithms);
}

/*
 * ProtocolNameList: ProtocolName protocol_name_list<2..2^16-1>; ProtocolName<1..2^8-1>.
 * The first `keep` names are kept, the others counted in out->omitted.
 */
static int read_alpn_list(struct ext_ctx *x, struct td_cur *d, size_t keep, struct td_bytes_list *out)
{
    struct td_cur list, name, count;
    size_t n = 0, i;
    struct td_bytes *v;

    if (!td_cur_vec(d, 2, 2, 0xffff, 1, &list))
        return td_parse_cur_fail(x->p, d, "%s.protocol_name_list", ext_path(x));
    count = list;
    while (td_cur_remaining(&count) && td_cur_vec(&count, 1, 1, 0xff, 1, &name))
        n++;
    if (keep > n)
        keep = n;
    v = td_arena_alloc(x->p->arena, (keep ? keep : 1) * sizeof *v);
    if (v == NULL)
        return td_parse_fail(x->p, TD_ANOM_OUT_OF_MEMORY, "out of memory");
    for (i = 0; i < n; i++) {
        td_cur_vec(&list, 1, 1, 0xff, 1, &name);
        if (i < keep)
            v[i] = td_parse_rest(&name);
    }
    out->v = v;
    out->n = keep;
    out->omitted = n - keep;
    if (td_cur_remaining(&list) && !td_cur_vec(&list, 1, 1, 0xff, 1, &name))
        return td_parse_cur_fail(x->p, &list, "%s.protocol_name_list[%zu]", ext_path(x), n);
    return 0;
}

static int ch_alpn(struct ext_ctx *x, struct td_cur *d, struct td_client_hello *ch)
{
    ch->has_alpn = true;
    int rc = read_alpn_list(x, d, TD_MAX_LISTED_ALPN, &ch->alpn);
    td_parse_list_cap(x->p, ch->alpn.n + ch->alpn.omitted, TD_MAX_LISTED_ALPN, "alpn",
                      "%s.protocol_name_list", ext_path(x));
    return rc;
}

static int ch_supported_versions(struct ext_ctx *x, struct td_cur *d, struct td_client_hello *ch)
{
    struct td_cur v;
    if (!td_cur_vec(d, 1, 2, 254, 2, &v))
        return td_parse_cur_fail(x->p, d, "%s.versions", ext_path(x));
    ch->has_supported_versions = true;
    return read_code_points(x, &v, "versions", "supported_versions", &ch->supported_versions);
}

/* KeyShareClientHello: KeyShareEntry client_shares<0..2^16-1>; {NamedGroup; opaque key_exchange<1..2^16-1>}. */
static int ch_key_share(struct ext_ctx *x, struct td_cur *d, struct td_client_hello *ch)
{
    struct td_cur list, count, kx;
    size_t n = 0, i;
    uint16_t group, *groups;

    if (!td_cur_vec(d, 2, 0, 0xffff, 1, &list))
        return td_parse_cur_fail(x->p, d, "%s.client_shares", ext_path(x));
    count = list;
    while (td_cur_remaining(&count) && td_cur_u16(&count, &group) &&
           td_cur_vec(&count, 2, 1, 0xffff, 1, &kx))
        n++;
    groups = td_arena_alloc(x->p->arena, (n ? n : 1) * sizeof *groups);
    if (groups == NULL)
        return td_parse_fail(x->p, TD_ANOM_OUT_OF_MEMORY, "out of memory");
    for (i = 0; i < n; i++) {
        td_cur_u16(&list, &groups[i]);
        td_cur_vec(&list, 2, 1, 0xffff, 1, &kx);
    }
    ch->has_key_share = true;
    ch->key_share.v = groups;
    ch->key_share.n = n;
    ch->key_share.omitted = td_parse_list_cap(x->p, n, TD_MAX_LISTED_CODE_POINTS, "key_share",
                                              "%s.client_shares", ext_path(x));
    if (td_cur_remaining(&list) &&
        (!td_cur_u16(&list, &group) || !td_cur_vec(&list, 2, 1, 0xffff, 1, &kx)))
        return td_parse_cur_fail(x->p, &list, "%s.client_shares[%zu]", ext_path(x), n);
    return 0;
}

static int ch_psk_modes(struct ext_ctx *x, struct td_cur *d, struct td_client_hello *ch)
{
    struct td_cur v;
    if (!td_cur_vec(d, 1, 1, 0xff, 1, &v))
        return td_parse_cur_fail(x->p, d, "%s.ke_modes", ext_path(x));
    ch->has_psk_modes = true;
    ch->psk_modes = td_parse_rest(&v);
    return 0;
}

/* RFC 8879 §3: CertificateCompressionAlgorithm algorithms<2..2^8-2>; */
static int ch_compress_certificate(struct ext_ctx *x, struct td_cur *d, struct td_client_hello *ch)
{
    struct td_cur v;
    if (!td_cur_vec(d, 1, 2, 0xfe, 2, &v))
        return td_parse_cur_fail(x->p, d, "%s.algorithms", ext_path(x));
    ch->has_compress_certificate = true;
    return read_code_points(x, &v, "algorithms", "compress_certificate", &ch->compress_certificate);
}

static int ch_session_ticket(struct ext_ctx *x, struct td_cur *d, struct td_client_hello *ch)
{
    (void)x;
    ch->has_session_ticket = true;
    ch->session_ticket = td_parse_rest(d);
    td_cur_skip(d, td_cur_declared(d));
    return 0;
}

/* OfferedPsks (RFC 8446 §4.2.11): the identities are kept for resumed_from, the binders skipped. */
static int ch_pre_shared_key(struct ext_ctx *x, struct td_cur *d, struct td_client_hello *ch)
{
    struct td_cur ids, probe = *d;
    (void)x;
    ch->has_pre_shared_key = true;
    if (td_cur_vec(&probe, 2, 7, 0xffff, 1, &ids))
        ch->psk_identities = td_parse_rest(&ids);
    td_cur_skip(d, td_cur_declared(d)); /* otherwise opaque to us */
    return 0;
}

static int sh_supported_versions(struct ext_ctx *x, struct td_cur *d, struct td_server_hello *sh)
{
    if (!td_cur_u16(d, &sh->version))
        return td_parse_cur_fail(x->p, d, "%s.selected_version", ext_path(x));
    sh->has_supported_version = true;
    return 0;
}

/* ServerHello: KeyShareEntry server_share; HelloRetryRequest: NamedGroup selected_group. */
static int sh_key_share(struct ext_ctx *x, struct td_cur *d, struct td_server_hello *sh)
{
    struct td_cur kx;
    if (!td_cur_u16(d, &sh->key_share))
        return td_parse_cur_fail(x->p, d, "%s.group", ext_path(x));
    sh->has_key_share = true;
    if (!x->is_hrr && !td_cur_vec(d, 2, 1, 0xffff, 1, &kx))
        return td_parse_cur_fail(x->p, d, "%s.key_exchange", ext_path(x));
    return 0;
}

static int selected_alpn(struct ext_ctx *x, struct td_cur *d, struct td_bytes *out);

static int sh_alpn(struct ext_ctx *x, struct td_cur *d, struct td_server_hello *sh)
{
    if (selected_alpn(x, d, &sh->alpn) != 0)
        return -1;
    sh->has_alpn = true;
    return 0;
}

static int sh_pre_shared_key(struct ext_ctx *x, struct td_cur *d, struct td_server_hello *sh)
{
    uint16_t selected;
    if (!td_cur_u16(d, &selected))
        return td_parse_cur_fail(x->p, d, "%s.selected_identity", ext_path(x));
    sh->has_pre_shared_key = true;
    sh->psk_selected_identity = selected;
    return 0;
}

/* RFC 9146 §3: the connection ID the sender of the hello wants on the records it receives. */
static int connection_id(struct ext_ctx *x, struct td_cur *d, struct td_bytes *out)
{
    struct td_cur v;
    if (!td_cur_vec(d, 1, 0, 0xff, 1, &v))
        return td_parse_cur_fail(x->p, d, "%s.cid", ext_path(x));
    *out = td_parse_rest(&v);
    return 0;
}

static int ch_connection_id(struct ext_ctx *x, struct td_cur *d, struct td_client_hello *ch)
{
    ch->has_connection_id = true;
    return connection_id(x, d, &ch->connection_id);
}

static int sh_connection_id(struct ext_ctx *x, struct td_cur *d, struct td_server_hello *sh)
{
    sh->has_connection_id = true;
    return connection_id(x, d, &sh->connection_id);
}

static int sh_session_ticket(struct ext_ctx *x, struct td_cur *d, struct td_server_hello *sh)
{
    (void)x;
    sh->has_session_ticket = true;
    td_cur_skip(d, td_cur_declared(d));
    return 0;
}

/* The one protocol a server selects (ServerHello, EncryptedExtensions). */
static int selected_alpn(struct ext_ctx *x, struct td_cur *d, struct td_bytes *out)
{
    struct td_bytes_list list = {0};
    if (read_alpn_list(x, d, 1, &list) != 0)
        return -1;
    if (list.n + list.omitted != 1)
        return td_parse_fail(x->p, TD_ANOM_BAD_LENGTH,
                             "%s: %zu protocol names, the server must select exactly one",
                             ext_path(x), list.n + list.omitted);
    *out = list.v[0];
    return 0;
}

static int ee_alpn(struct ext_ctx *x, struct td_cur *d, struct td_encrypted_extensions *ee)
{
    if (selected_alpn(x, d, &ee->alpn) != 0)
        return -1;
    ee->has_alpn = true;
    return 0;
}

/* The server's acknowledgement of server_name is empty (RFC 6066 §3). */
static int ee_server_name(struct ext_ctx *x, struct td_cur *d, struct td_encrypted_extensions *ee)
{
    if (td_cur_declared(d) != 0)
        return td_parse_fail(x->p, TD_ANOM_BAD_LENGTH, "%s: %zu bytes, the acknowledgement is empty",
                             ext_path(x), td_cur_declared(d));
    ee->server_name_ack = true;
    return 0;
}

static int ee_early_data(struct ext_ctx *x, struct td_cur *d, struct td_encrypted_extensions *ee)
{
    if (td_cur_declared(d) != 0)
        return td_parse_fail(x->p, TD_ANOM_BAD_LENGTH,
                             "%s: %zu bytes, EncryptedExtensions carries it empty", ext_path(x),
                             td_cur_declared(d));
    ee->early_data = true;
    return 0;
}

/* uint16 RecordSizeLimit, at least 64. */
static int ee_record_size_limit(struct ext_ctx *x, struct td_cur *d,
                                struct td_encrypted_extensions *ee)
{
    if (!td_cur_u16(d, &ee->record_size_limit))
        return td_parse_cur_fail(x->p, d, "%s.record_size_limit", ext_path(x));
    ee->has_record_size_limit = true;
    if (ee->record_size_limit < 64)
        return td_parse_fail(x->p, TD_ANOM_BAD_LENGTH, "%s: %u, below the minimum of 64",
                             ext_path(x), ee->record_size_limit);
    return 0;
}

/* enum { 2^9(1), 2^10(2), 2^11(3), 2^12(4), (255) } MaxFragmentLength. */
static int ee_max_fragment_length(struct ext_ctx *x, struct td_cur *d,
                                  struct td_encrypted_extensions *ee)
{
    if (!td_cur_u8(d, &ee->max_fragment_length))
        return td_parse_cur_fail(x->p, d, "%s.max_fragment_length", ext_path(x));
    ee->has_max_fragment_length = true;
    return 0;
}

static int ee_supported_groups(struct ext_ctx *x, struct td_cur *d,
                               struct td_encrypted_extensions *ee)
{
    struct td_cur vec;
    if (!td_cur_vec(d, 2, 2, 0xffff, 2, &vec))
        return td_parse_cur_fail(x->p, d, "%s.named_group_list", ext_path(x));
    if (read_code_points(x, &vec, "named_group_list", "supported_groups", &ee->supported_groups) != 0)
        return -1;
    ee->has_supported_groups = true;
    return 0;
}

/* The transport parameters are QUIC's to read: only their presence here. */
static int ee_quic_transport_parameters(struct ext_ctx *x, struct td_cur *d,
                                        struct td_encrypted_extensions *ee)
{
    (void)x;
    ee->has_quic_transport_parameters = true;
    td_cur_skip(d, td_cur_declared(d));
    return 0;
}

static const struct {
    uint16_t type;
    client_ext_fn client;
    server_ext_fn server;
    ee_ext_fn encrypted;
} ext_parsers[] = {
    {TD_EXT_SERVER_NAME, ch_server_name, NULL, ee_server_name},
    {TD_EXT_MAX_FRAGMENT_LENGTH, NULL, NULL, ee_max_fragment_length},
    {TD_EXT_SUPPORTED_GROUPS, ch_supported_groups, NULL, ee_supported_groups},
    {TD_EXT_EC_POINT_FORMATS, ch_ec_point_formats, NULL, NULL},
    {TD_EXT_SIGNATURE_ALGORITHMS, ch_signature_algorithms, NULL, NULL},
    {TD_EXT_APPLICATION_LAYER_PROTOCOL_NEGOTIATION, ch_alpn, sh_alpn, ee_alpn},
    {TD_EXT_RECORD_SIZE_LIMIT, NULL, NULL, ee_record_size_limit},
    {TD_EXT_SESSION_TICKET, ch_session_ticket, sh_session_ticket, NULL},
    {TD_EXT_PRE_SHARED_KEY, ch_pre_shared_key, sh_pre_shared_key, NULL},
    {TD_EXT_EARLY_DATA, NULL, NULL, ee_early_data},
    {TD_EXT_SUPPORTED_VERSIONS, ch_supported_versions, sh_supported_versions, NULL},
    {TD_EXT_PSK_KEY_EXCHANGE_MODES, ch_psk_modes, NULL, NULL},
    {TD_EXT_KEY_SHARE, ch_key_share, sh_key_share, NULL},
    {TD_EXT_QUIC_TRANSPORT_PARAMETERS, NULL, NULL, ee_quic_transport_parameters},
    {TD_EXT_COMPRESS_CERTIFICATE, ch_compress_certificate, NULL, NULL},
    {TD_EXT_CONNECTION_ID, ch_connection_id, sh_connection_id, NULL},
};

static size_t find_parser(uint16_t type)
{
    for (size_t i = 0; i < sizeof ext_parsers / sizeof ext_parsers[0]; i++)
        if (ext_parsers[i].type == type)
            return i;
    return SIZE_MAX;
}

/* Extension x->index's data read by its parser, if there is one for the message. */
static void parse_extension(struct ext_ctx *x, struct td_cur *data, struct td_client_hello *ch,
                            struct td_server_hello *sh, struct td_encrypted_extensions *ee)
{
    size_t k = find_parser(x->type);
    int rc;

    if (k == SIZE_MAX)
        return;
    if (ch && ext_parsers[k].client)
        rc = ext_parsers[k].client(x, data, ch);
    else if (sh && ext_parsers[k].server)
        rc = ext_parsers[k].server(x, data, sh);
    else if (ee && ext_parsers[k].encrypted)
        rc = ext_parsers[k].encrypted(x, data, ee);
    else
        return;
    if (rc == 0 && td_cur_declared(data) != 0)
        td_parse_fail(x->p, TD_ANOM_BAD_LENGTH, "%s: %zu bytes left after its fields", ext_path(x),
                      td_cur_declared(data));
}

static int compare_u16(const void *a, const void *b)
{
    uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
    return (x > y) - (x < y);
}

/* Whether type appears among the first i entries (only called when some type repeats). */
static bool repeated(const uint16_t *list, size_t i, uint16_t type)
{
    for (size_t k = 0; k < i; k++)
        if (list[k] == type)
            return true;
    return false;
}

/*
 * Walk an extensions vector: collect the types in wire order into *types,
 * and for each call back into the client or server parser table.  When the
 * capture cut the vector (the hello parsers then pass a ch or sh whose
 * fields are not kept), the extension it cut in is read too, for the
 * faults in its captured bytes.
 */
static void walk_extensions(struct td_parse *p, struct td_cur *exts, const char *msg,
                            struct td_u16_list *types, struct td_client_hello *ch,
                            struct td_server_hello *sh, struct td_encrypted_extensions *ee,
                            bool is_hrr)
{
    struct td_cur count = *exts, data;
    uint16_t type, *list, *sorted;
    size_t n = 0, i;

    while (td_cur_remaining(&count) && td_cur_u16(&count, &type) &&
           td_cur_vec(&count, 2, 0, 0xffff, 1, &data))
        n++;
    list = td_arena_alloc(p->arena, (n ? n : 1) * sizeof *list);
    sorted = td_arena_alloc(p->arena, (n ? n : 1) * sizeof *sorted);
    if (list == NULL || sorted == NULL) {
        td_parse_fail(p, TD_ANOM_OUT_OF_MEMORY, "out of memory");
        return;
    }
    types->v = list;
    types->n = n;
    types->omitted = td_parse_list_cap(p, n, TD_MAX_LISTED_CODE_POINTS, "extensions", "%s.extensions",
                                       msg);
    /* Repeats are rare: look for one only when a sorted copy has equal neighbours. */
    bool any_repeat = false;
    count = *exts;
    for (i = 0; i < n; i++) {
        td_cur_u16(&count, &sorted[i]);
        td_cur_vec(&count, 2, 0, 0xffff, 1, &data);
    }
    qsort(sorted, n, sizeof *sorted, compare_u16);
    for (i = 1; i < n && !any_repeat; i++)
        any_repeat = sorted[i] == sorted[i - 1];
    for (i = 0; i < n; i++) {
        td_cur_u16(exts, &type);
        td_cur_vec(exts, 2, 0, 0xffff, 1, &data);
        list[i] = type;
        struct ext_ctx x = {p, msg, i, type, is_hrr, ""};
        if (any_repeat && repeated(list, i, type)) {
            td_parse_fail(p, TD_ANOM_UNEXPECTED_MESSAGE, "%s: extension repeated", ext_path(&x));
            continue;
        }
        parse_extension(&x, &data, ch, sh, ee);
    }
    if (td_cur_remaining(exts)) {
        if (td_cur_u16(exts, &type) && !td_cur_vec(exts, 2, 0, 0xffff, 1, &data) &&
            exts->status == TD_CUR_TRUNCATED && td_cur_ok(&data)) {
            struct ext_ctx x = {p, msg, n, type, is_hrr, ""};
            parse_extension(&x, &data, ch, sh, ee);
        }
        td_parse_cur_fail(p, exts, "%s.extensions[%zu]", msg, n);
    }
}

void td_parse_client_extensions(struct td_parse *p, struct td_cur *exts, struct td_client_hello *ch)
{
    walk_extensions(p, exts, "ClientHello", &ch->extensions, ch, NULL, NULL, false);
}

void td_parse_server_extensions(struct td_parse *p, struct td_cur *exts, struct td_server_hello *sh,
                                bool is_hrr)
{
    walk_extensions(p, exts, is_hrr ? "HelloRetryRequest" : "ServerHello", &sh->extensions, NULL,
                    sh, NULL, is_hrr);
}

/* struct { Extension extensions<0..2^16-1>; } EncryptedExtensions; (RFC 8446 §4.3.1) */
int td_parse_encrypted_extensions(struct td_parse *p, struct td_cur body,
                                  struct td_encrypted_extensions *ee)
{
    struct td_cur exts;
    int whole = td_cur_vec(&body, 2, 0, 0xffff, 1, &exts);
    if (!whole && !(body.status == TD_CUR_TRUNCATED && td_cur_ok(&exts)))
        return td_parse_cur_fail(p, &body, "EncryptedExtensions.extensions");
    walk_extensions(p, &exts, "EncryptedExtensions", &ee->extensions, NULL, NULL, ee, false);
    if (!whole)
        return td_parse_cur_fail(p, &body, "EncryptedExtensions.extensions");
    if (td_cur_declared(&body) != 0)
        return td_parse_fail(p, TD_ANOM_BAD_LENGTH, "EncryptedExtensions: %zu bytes after the "
                             "extensions", td_cur_declared(&body));
    return 0;
}
