/*
 * modes.h - what envssm does once the command line is read: one function
 * per mode, in the order of the man page. main.c picks one.
 *
 * Each returns the status to exit with (the program's, in the supervising
 * modes), or -1 with e set (envssm then exits 125).
 */
#ifndef ENVSSM_MODES_H
#define ENVSSM_MODES_H

#include "err.h"
#include "exec.h"
#include "run.h"

/* mode_explain prints where settings and credentials come from; no fetch. */
int mode_explain(struct run *r, char *const *envp, struct err *e);

/* mode_exec becomes the program; returns only when it could not (126, 127). */
int mode_exec(struct run *r, const struct exec_state *st, struct err *e);

/* mode_supervise starts the program as a child and stays until it exits. */
int mode_supervise(struct run *r, const struct exec_state *st, struct err *e);

/* mode_watch supervises and replaces the program when parameters change. */
int mode_watch(struct run *r, char *const *envp, const struct exec_state *st, struct err *e);

/* mode_print writes the variables in --format to stdout or --output. */
int mode_print(struct run *r, char *const *envp, struct err *e);

/* mode_dry_run lists the names, sources, types and versions; no value. */
int mode_dry_run(const struct run *r, struct err *e);

#endif
