/*
 * check.h — the `check` subcommand: rules over fixtures' connections (docs/check.md).
 */
#ifndef TD_CHECK_H
#define TD_CHECK_H

/* argv[0] is "check"; returns the exit status. */
int td_check_main(int argc, char **argv);

#endif
