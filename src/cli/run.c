// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `vessel run`: the friendly front end (ROOTFS plus docker-style flags, see run_opts.c) and runc's
 * `run --bundle DIR ID`. Both end in one vsl_run() in the foreground; the exit code follows docker:
 * the container's status, 125 vessel's own failure, 126 command cannot run, 127 command not found.
 */
#include <stdio.h>

#include "cli.h"

static int
fail(const char *prefix, const struct vsl_error *err)
{
    fprintf(stderr, "vessel: %s%s\n", prefix, err->msg);
    return CLI_EXIT_RUN_FAILED;
}

/* runc's run: the spec is DIR/config.json, its root relative to DIR. */
static int
load_bundle(const char *dir, struct vsl_spec **ret_spec, char **ret_bundle, struct vsl_error *err)
{
    _cleanup_spec_ struct vsl_spec *spec = NULL;
    _cleanup_free_ char *bundle = realpath(dir, NULL);
    _cleanup_free_ char *config = NULL;
    int r;

    if (!bundle)
        return vsl_err_errno(err, "bundle '%s'", dir);
    if (asprintf(&config, "%s/config.json", bundle) < 0)
        return vsl_err(err, ENOMEM, "out of memory");
    r = vsl_spec_load(config, &spec, err);
    if (r < 0)
        return r;
    r = vsl_spec_resolve_root(spec, bundle, err);
    if (r < 0)
        return r;
    *ret_spec = TAKE_PTR(spec);
    *ret_bundle = TAKE_PTR(bundle);
    return 0;
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

int
cmd_run(int argc, char **argv, const struct cli_globals *g)
{
    _cleanup_(run_opts_free) struct run_opts o = {0};
    _cleanup_spec_ struct vsl_spec *spec = NULL;
    _cleanup_free_ char *bundle = NULL;
    struct vsl_error err = {0};

    if (run_opts_parse(argc, argv, &o, &err) < 0)
        return fail("run: ", &err);
    if (o.help) {
        run_usage(stdout);
        return 0;
    }
    if (o.bundle) {
        if (load_bundle(o.bundle, &spec, &bundle, &err) < 0)
            return fail("", &err);
    } else if (run_opts_build_spec(&o, &spec, &err) < 0) {
        return fail("run: ", &err);
    }
    if (o.print_spec)
        return print_spec(spec);

    struct vsl_run_opts ro = {
        .id = o.id,
        .state_root = o.state_root ? o.state_root : g->root,
        .bundle = bundle,
        /* runc's run inherits stdin; the friendly face attaches it only with -i */
        .attach_stdin = o.bundle ? true : o.interactive,
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
