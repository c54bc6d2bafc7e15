// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `vessel spec [--rootless] [-b|--bundle DIR]`: write the default config.json into DIR (runc's
 * spec). An existing file is never overwritten: it is created with O_EXCL.
 */
#include <fcntl.h>
#include <getopt.h>
#include <sys/stat.h>

#include "cli.h"

static void
spec_usage(FILE *f)
{
    fputs("Usage: vessel spec [--rootless] [-b|--bundle DIR]\n"
          "\n"
          "Write a default config.json into DIR (default: the current directory).\n"
          "\n"
          "Options:\n"
          "      --rootless      a spec for a container run without root (user namespace)\n"
          "  -b, --bundle DIR    the bundle directory to write config.json into\n"
          "      --help          show this help\n",
          f);
}

static int
write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

static int
write_spec(const char *path, bool rootless, struct vsl_error *err)
{
    _cleanup_spec_ struct vsl_spec *spec = NULL;
    _cleanup_free_ char *json = NULL;
    _cleanup_close_ int fd = -EBADF;
    int r;

    r = vsl_spec_new_default(rootless, &spec, err);
    if (r < 0)
        return r;
    r = vsl_spec_to_json(spec, &json, err);
    if (r < 0)
        return r;
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0 && errno == EEXIST)
        return vsl_err(err, EEXIST, "'%s' exists, remove it first", path);
    if (fd < 0)
        return vsl_err_errno(err, "create '%s'", path);
    r = write_all(fd, json, strlen(json));
    if (r >= 0 && fchmod(fd, 0644) < 0) /* whatever the umask */
        r = -errno;
    if (r >= 0 && close(fd) < 0)
        r = -errno;
    fd = -EBADF;
    if (r < 0) {
        (void)unlink(path);
        return vsl_err_code(err, r, "write '%s'", path);
    }
    return 0;
}

int
cmd_spec(int argc, char **argv, const struct cli_globals *g)
{
    static const struct option longopts[] = {
        {"rootless", no_argument, NULL, 'r'},
        {"bundle", required_argument, NULL, 'b'},
        {"help", no_argument, NULL, 'H'},
        {NULL, 0, NULL, 0},
    };
    _cleanup_free_ char *path = NULL;
    const char *dir = NULL;
    struct vsl_error err = {0};
    bool rootless = false;
    int c;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:b:", longopts, NULL)) != -1) {
        switch (c) {
        case 'r':
            rootless = true;
            break;
        case 'b':
            dir = optarg;
            break;
        case 'H':
            spec_usage(stdout);
            return 0;
        case ':':
            fprintf(stderr, "vessel: spec: flag needs an argument: '%s'\n", argv[optind - 1]);
            return CLI_EXIT_FAILURE;
        default:
            fprintf(stderr, "vessel: spec: unknown flag: '%s'\n", argv[optind - 1]);
            return CLI_EXIT_FAILURE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "vessel: spec: unexpected argument '%s'\n", argv[optind]);
        return CLI_EXIT_FAILURE;
    }
    size_t n = dir ? strlen(dir) : 0;
    while (n > 1 && dir[n - 1] == '/')
        n--;
    if (asprintf(&path, "%.*s%sconfig.json", (int)n, dir ? dir : "",
                 n > 0 && dir[n - 1] != '/' ? "/" : "") < 0) {
        fprintf(stderr, "vessel: spec: out of memory\n");
        return CLI_EXIT_FAILURE;
    }
    if (write_spec(path, rootless, &err) < 0) {
        fprintf(stderr, "vessel: spec: %s\n", err.msg);
        return CLI_EXIT_FAILURE;
    }
    return 0;
}
