/*
 * report_assets.h — the report page's stylesheet and script
 * (src/output/report/), compiled in by tools/embed-assets.sh.
 */
#ifndef TD_REPORT_ASSETS_H
#define TD_REPORT_ASSETS_H

extern const char td_report_css[];
extern const char td_report_js[];

#endif
