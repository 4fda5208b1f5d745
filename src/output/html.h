/*
 * html.h — what html.c shares with its tests: text made safe for a
 * <script type="application/json"> block (HTML Living Standard §4.12.1.3,
 * "Restrictions for contents of script elements").
 */
#ifndef TD_HTML_H
#define TD_HTML_H

#include <stdio.h>

/*
 * Write the JSON text s so that no byte sequence in it can end the script
 * element or open a comment: <, > and & become \u003c, \u003e, \u0026 and
 * U+2028/U+2029 become \u2028/\u2029 (JSON reads these escapes as the same
 * characters; only JSON text, where these bytes occur inside strings, may
 * be passed).
 */
void td_html_write_script_json(FILE *out, const char *s);

#endif
