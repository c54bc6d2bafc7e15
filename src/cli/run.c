// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `vessel run`: the friendly front end (ROOTFS plus docker-style flags, see run_opts.c) and runc's
 * `run --bundle DIR ID`. Both end in one vsl_run() in the foreground; the exit code follows docker:
 * the container's status, 125 vessel's own failure, 126 command cannot run, 127 command not found.
 */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"

static int
fail(const char *prefix, const struct vsl_error *err)
{
    fprintf(stderr, "vessel: %s%s\n", prefix, err->msg);
    return CLI_EXIT_RUN_FAILED;
}

static int
print_spec(const struct vsl_spec *spec)
{
    _cleanup_free_ char *json = NULL;
    struct vsl_error err = {0};

    if (vsl_spec_to_json(spec, &json, &err) < 0)
        return fail("", &err);
    if (fputs(json, stdout) == EOF || fflush(stdout) == EOF) {
        fprintf(stderr, "vessel: write spec: %s\n", strerror(errno));
        return CLI_EXIT_RUN_FAILED;
    }
    return 0;
}

static int
exit_code(const struct vsl_error *err)
{
    if (err->exec_failed)
        return err->code == -ENOENT ? CLI_EXIT_NOT_FOUND : CLI_EXIT_CANNOT_EXEC;
    return CLI_EXIT_RUN_FAILED;
}

/* runc's run flags that are not the friendly face's: -d/--detach and create's. */
struct oci_run {
    bool detach;
    struct vsl_create_opts create;
};

static bool
takes_value(const char *w)
{
    static const char *const with_value[] = {
        "--bundle", "-b", "--root", "--name", "--pid-file", "--console-socket", "--preserve-fds"};
    for (size_t i = 0; i < ARRAY_SIZE(with_value); i++)
        if (strcmp(w, with_value[i]) == 0)
            return true;
    return false;
}

/*
 * Take runc's own run flags out of argv before the friendly parser sees it. Only the leading
 * flags are looked at (up to the first word that is neither a flag nor a known flag's value), so
 * a container command's own arguments are never taken.
 */
static int
take_oci_flags(int *argc, char **argv, struct oci_run *oci)
{
    const struct option *opts = cli_create_longopts();
    const char *unused_bundle = NULL;
    int out = 1;

    for (int i = 1; i < *argc; i++) {
        const char *w = argv[i];
        if (w[0] != '-') {
            while (i < *argc)
                argv[out++] = argv[i++];
            break;
        }
        if (strcmp(w, "-d") == 0 || strcmp(w, "--detach") == 0) {
            oci->detach = true;
            continue;
        }
        const struct option *hit = NULL;
        size_t len = strcspn(w + 2, "=");
        for (size_t k = 0; w[1] == '-' && opts[k].name; k++)
            if (opts[k].val != 'b' && opts[k].val != 'h' && strlen(opts[k].name) == len &&
                strncmp(opts[k].name, w + 2, len) == 0)
                hit = &opts[k];
        if (!hit) {
            argv[out++] = argv[i];
            if (takes_value(w) && i + 1 < *argc)
                argv[out++] = argv[++i];
            continue;
        }
        const char *arg = NULL;
        if (hit->has_arg == required_argument) {
            arg = w[2 + len] == '=' ? w + 3 + len : (i + 1 < *argc ? argv[++i] : NULL);
            if (!arg)
                return cli_error("run: flag needs an argument: '%s'", w), -EINVAL;
        }
        if (cli_create_flag(hit->val, arg, &oci->create, &unused_bundle) < 0)
            return -EINVAL;
    }
    argv[out] = NULL;
    *argc = out;
    return 0;
}

static int
run_detached(const struct run_opts *o, struct oci_run *oci, struct vsl_spec *spec,
             const char *bundle, const struct cli_globals *g)
{
    struct vsl_error err = {0};

    if (!o->bundle)
        return cli_error("run: -d, --pid-file and --console-socket need runc's form: "
                         "run --bundle DIR ID");
    oci->create.id = o->id;
    oci->create.state_root = o->state_root ? o->state_root : g->root;
    oci->create.bundle = bundle;
    oci->create.systemd_cgroup = g->systemd_cgroup;
    if (!oci->detach)
        return cli_error("run: --pid-file, --console-socket and --preserve-fds need -d");
    int r = vsl_run_detached(spec, &oci->create, &err);
    if (r < 0)
        return cli_error("%s", err.msg);
    if (r > 0)
        cli_warn("%s", err.msg);
    return 0;
}

int
cmd_run(int argc, char **argv, const struct cli_globals *g)
{
    _cleanup_(run_opts_free) struct run_opts o = {0};
    _cleanup_spec_ struct vsl_spec *spec = NULL;
    _cleanup_free_ char *bundle = NULL;
    struct vsl_error err = {0};
    struct oci_run oci = {0};

    if (take_oci_flags(&argc, argv, &oci) < 0)
        return CLI_EXIT_FAILURE;
    if (run_opts_parse(argc, argv, &o, &err) < 0)
        return fail("run: ", &err);
    if (o.help) {
        run_usage(stdout);
        return 0;
    }
    if (o.bundle) {
        if (cli_load_bundle(o.bundle, &spec, &bundle, &err) < 0)
            return fail("", &err);
    } else if (run_opts_build_spec(&o, &spec, &err) < 0) {
        return fail("run: ", &err);
    }
    if (o.print_spec)
        return print_spec(spec);
    if (cli_seal(spec, o.state_root ? o.state_root : g->root) < 0)
        return CLI_EXIT_RUN_FAILED;
    /* --no-pivot and --no-new-keyring work in the foreground too; the others need -d. */
    if (oci.detach || oci.create.pid_file || oci.create.console_socket || oci.create.preserve_fds)
        return run_detached(&o, &oci, spec, bundle, g);

    struct vsl_run_opts ro = {
        .id = o.id,
        .state_root = o.state_root ? o.state_root : g->root,
        .bundle = bundle,
        /* runc's run inherits stdin; the friendly face attaches it only with -i */
        .attach_stdin = o.bundle ? true : o.interactive,
        .systemd_cgroup = g->systemd_cgroup,
        .no_pivot = oci.create.no_pivot,
        .no_new_keyring = oci.create.no_new_keyring,
    };
    struct vsl_run_result res = {0};
    if (vsl_run(spec, &ro, &res, &err) < 0) {
        fprintf(stderr, "vessel: %s\n", err.msg);
        return exit_code(&err);
    }
    if (res.oom_killed)
        fprintf(stderr, "vessel: container '%s' was killed: out of memory\n", ro.id);
    return res.status;
}
