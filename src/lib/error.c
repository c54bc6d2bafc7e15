// SPDX-License-Identifier: GPL-2.0-or-later
/* Filling struct vsl_error: fixed size, truncating, errno-carrying. */
#include "error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int
verr(struct vsl_error *err, int errnum, bool with_strerror, const char *fmt, va_list ap)
{
    int code = errnum > 0 ? -errnum : errnum;

    if (code == 0)
        code = -EINVAL;
    if (!err)
        return code;
    err->code = code;
    int n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    if (with_strerror && n >= 0 && (size_t)n < sizeof(err->msg))
        (void)snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(-code));
    return code;
}

int
vsl_err(struct vsl_error *err, int errnum, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = verr(err, errnum, false, fmt, ap);
    va_end(ap);
    return r;
}

int
vsl_err_errno(struct vsl_error *err, const char *fmt, ...)
{
    int saved = errno;
    va_list ap;
    va_start(ap, fmt);
    int r = verr(err, saved ? saved : EIO, true, fmt, ap);
    va_end(ap);
    return r;
}

int
vsl_err_code(struct vsl_error *err, int errnum, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = verr(err, errnum ? errnum : EIO, true, fmt, ap);
    va_end(ap);
    return r;
}

void
vsl_err_prefix(struct vsl_error *err, const char *fmt, ...)
{
    char prefix[128];
    char tmp[sizeof(err->msg)];
    va_list ap;

    if (!err)
        return;
    va_start(ap, fmt);
    (void)vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    size_t plen = strnlen(prefix, sizeof(prefix));
    if (plen >= sizeof(tmp))
        plen = sizeof(tmp) - 1;
    memcpy(tmp, prefix, plen);
    size_t mlen = strnlen(err->msg, sizeof(err->msg));
    if (mlen > sizeof(tmp) - 1 - plen)
        mlen = sizeof(tmp) - 1 - plen;
    memcpy(tmp + plen, err->msg, mlen);
    tmp[plen + mlen] = '\0';
    memcpy(err->msg, tmp, sizeof(tmp));
}
