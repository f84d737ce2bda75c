/*
 * version.h - what --version says: envssm's version and the libraries it runs with.
 */
#ifndef ENVSSM_VERSION_H
#define ENVSSM_VERSION_H

#include "buf.h"
#include "err.h"

/* version_text appends several lines: envssm's version, then libcurl
 * (with its TLS library and the features envssm relies on), OpenSSL and
 * cJSON as linked, and for the static build the Debian source packages
 * they were built from. */
int version_text(struct buf *out, struct err *e);

#endif
