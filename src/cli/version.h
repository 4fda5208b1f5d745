/* version.h — the program version. */
#ifndef TD_VERSION_H
#define TD_VERSION_H
#define TD_VERSION "0.1.0"
#endif
