/*
 * junit.h — a JUnit XML report of `tlsdissect check` for CI systems
 * (GitLab, Jenkins, GitHub test reporters): one <testsuite>, one <testcase>
 * per fixture, a <failure> carrying the fixture's report text when it failed.
 */
#ifndef TLSDISSECT_CLI_JUNIT_H
#define TLSDISSECT_CLI_JUNIT_H

#include <stdbool.h>
#include <stddef.h>

struct td_junit;

struct td_junit *td_junit_new(const char *suite_name);
void td_junit_free(struct td_junit *j);

/* One fixture: its name (path), whether it failed, what check printed for it. */
void td_junit_add(struct td_junit *j, const char *name, bool failed, const char *report,
                  double seconds);

/* Write the report to path; 0, or -1 with err filled. */
int td_junit_write(const struct td_junit *j, const char *path, char *err, size_t size);

#endif
