// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `vessel create [--bundle DIR] [--console-socket PATH] [--pid-file PATH] [--no-pivot]
 * [--no-new-keyring] [--preserve-fds N] ID` (runc's create): the container's init is set up and
 * waits for `vessel start ID`; vessel exits once the state says "created".
 */
#include <getopt.h>

#include "cli.h"

static void
create_usage(FILE *f)
{
    fputs("Usage: vessel create [OPTIONS] ID\n"
          "\n"
          "Create a container from a bundle; 'vessel start ID' runs its process.\n"
          "\n"
          "Options:\n"
          "  -b, --bundle DIR          the bundle (default: the current directory)\n"
          "      --console-socket PATH an AF_UNIX socket that receives the pty master\n"
          "      --pid-file PATH       write the init's pid to PATH\n"
          "      --no-pivot            no pivot_root (for a root on ramfs): move the root onto\n"
          "                            '/' and chroot; less isolated, use only where needed\n"
          "      --no-new-keyring      keep the caller's session keyring (default: a new one)\n"
          "      --preserve-fds N      pass N more fds (from fd 3) to the process\n"
          "  -h, --help                show this help\n",
          f);
}

enum {
    OPT_CONSOLE = 0x100,
    OPT_PID_FILE,
    OPT_NO_PIVOT,
    OPT_NO_KEYRING,
    OPT_PRESERVE,
};

static const struct option create_longopts[] = {
    {"bundle", required_argument, NULL, 'b'},
    {"console-socket", required_argument, NULL, OPT_CONSOLE},
    {"pid-file", required_argument, NULL, OPT_PID_FILE},
    {"no-pivot", no_argument, NULL, OPT_NO_PIVOT},
    {"no-new-keyring", no_argument, NULL, OPT_NO_KEYRING},
    {"preserve-fds", required_argument, NULL, OPT_PRESERVE},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* 1: handled one of create's flags (also run's, for runc run); 0: not one; < 0: bad value. */
int
cli_create_flag(int c, const char *arg, struct vsl_create_opts *o, const char **bundle)
{
    switch (c) {
    case 'b':
        *bundle = arg;
        return 1;
    case OPT_CONSOLE:
        o->console_socket = arg;
        return 1;
    case OPT_PID_FILE:
        o->pid_file = arg;
        return 1;
    case OPT_NO_PIVOT:
        o->no_pivot = true;
        return 1;
    case OPT_NO_KEYRING:
        o->no_new_keyring = true;
        return 1;
    case OPT_PRESERVE:
        if (cli_parse_uint(arg, &o->preserve_fds) < 0)
            return cli_error("--preserve-fds: '%s' is not a number", arg), -EINVAL;
        return 1;
    default:
        return 0;
    }
}

int
cmd_create(int argc, char **argv, const struct cli_globals *g)
{
    struct vsl_create_opts o = {.state_root = g->root, .systemd_cgroup = g->systemd_cgroup};
    _cleanup_spec_ struct vsl_spec *spec = NULL;
    _cleanup_free_ char *bundle = NULL;
    const char *bundle_arg = ".";
    struct vsl_error err = {0};
    int c, r;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:b:h", create_longopts, NULL)) != -1) {
        if (c == 'h') {
            create_usage(stdout);
            return 0;
        }
        if (c == ':' || c == '?')
            return cli_bad_flag("create", c, argv);
        if ((r = cli_create_flag(c, optarg, &o, &bundle_arg)) < 0)
            return CLI_EXIT_FAILURE;
    }
    if (cli_need_args("create", argc, optind, 1, "a container id") < 0)
        return CLI_EXIT_FAILURE;
    o.id = argv[optind];
    if (cli_load_bundle(bundle_arg, &spec, &bundle, &err) < 0)
        return cli_error("%s", err.msg);
    o.bundle = bundle;
    if (cli_seal(spec, o.state_root) < 0)
        return CLI_EXIT_FAILURE;
    if (vsl_create(spec, &o, &err) < 0)
        return cli_error("%s", err.msg);
    return 0;
}

/* run's flags that are create's too: the same table, for `vessel run` in runc's form. */
const struct option *
cli_create_longopts(void)
{
    return create_longopts;
}
