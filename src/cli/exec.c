// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `vessel exec [OPTIONS] ID COMMAND [ARG...]` or `vessel exec -p process.json ID` (runc's exec):
 * a new process in a running container. Without -p the process is the container's own with the
 * command and the flags' changes; the exit code is the process's (docker's 125/126/127 for
 * vessel's own failure and a command that cannot run).
 */
#include <getopt.h>
#include <sys/capability.h>

#include "cli.h"

static void
exec_usage(FILE *f)
{
    fputs("Usage: vessel exec [OPTIONS] ID COMMAND [ARG...]\n"
          "       vessel exec [OPTIONS] -p process.json ID\n"
          "\n"
          "Run a process in a running container.\n"
          "\n"
          "Options:\n"
          "  -t, --tty                 a pseudo terminal for the process\n"
          "      --console-socket PATH send the pty master to this AF_UNIX socket\n"
          "  -d, --detach              do not wait for the process\n"
          "      --pid-file PATH       write the process's pid to PATH\n"
          "  -p, --process FILE        the process as JSON (config.json's \"process\")\n"
          "  -e, --env KEY=VALUE       set an environment variable\n"
          "      --cwd DIR             working directory in the container\n"
          "  -u, --user UID[:GID]      user and group ids\n"
          "  -g, --additional-gids GID supplementary group (repeatable)\n"
          "      --cap CAP             add a capability (repeatable)\n"
          "      --no-new-privs        set no_new_privs\n"
          "      --preserve-fds N      pass N more fds (from fd 3)\n"
          "      --process-label L     SELinux label (not supported)\n"
          "      --apparmor P          AppArmor profile (not supported)\n",
          f);
}

enum {
    OPT_CONSOLE = 0x100,
    OPT_PID_FILE,
    OPT_CWD,
    OPT_CAP,
    OPT_NNP,
    OPT_PRESERVE,
    OPT_LABEL,
    OPT_APPARMOR,
    OPT_IGNORE_PAUSED,
    OPT_CGROUP,
};

struct exec_args {
    struct vsl_exec_opts o;
    const char *process_file;
    bool tty, nnp;
    const char *cwd, *user;
    char **env, **caps, **gids;
    size_t n_env, n_caps, n_gids;
};

static int
push(char ***v, size_t *n, char *s)
{
    char **nv = realloc(*v, (*n + 1) * sizeof(char *));
    if (!nv)
        return -ENOMEM;
    nv[(*n)++] = s;
    *v = nv;
    return 0;
}

static int
parse_exec_flag(int c, char *arg, struct exec_args *a)
{
    switch (c) {
    case 't':
        a->tty = true;
        break;
    case 'd':
        a->o.detach = true;
        break;
    case 'p':
        a->process_file = arg;
        break;
    case 'e':
        return push(&a->env, &a->n_env, arg);
    case 'u':
        a->user = arg;
        break;
    case 'g':
        return push(&a->gids, &a->n_gids, arg);
    case OPT_CONSOLE:
        a->o.console_socket = arg;
        break;
    case OPT_PID_FILE:
        a->o.pid_file = arg;
        break;
    case OPT_CWD:
        a->cwd = arg;
        break;
    case OPT_CAP:
        return push(&a->caps, &a->n_caps, arg);
    case OPT_NNP:
        a->nnp = true;
        break;
    case OPT_IGNORE_PAUSED:
        a->o.ignore_paused = true;
        break;
    case OPT_CGROUP:
        a->o.cgroup = arg;
        break;
    case OPT_PRESERVE:
        if (cli_parse_uint(arg, &a->o.preserve_fds) < 0)
            return cli_error("exec: --preserve-fds: '%s' is not a number", arg), -EINVAL;
        break;
    case OPT_LABEL:
        return cli_error("exec: --process-label: SELinux is not supported by vessel"), -ENOTSUP;
    case OPT_APPARMOR:
        return cli_error("exec: --apparmor: AppArmor is not supported by vessel"), -ENOTSUP;
    default:
        return -EINVAL;
    }
    return 0;
}

static int
parse_id(const char *s, uint32_t *ret)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (!*s || *end || errno || v > UINT32_MAX)
        return -EINVAL;
    *ret = (uint32_t)v;
    return 0;
}

static int
apply_user(struct vsl_process *p, const struct exec_args *a)
{
    if (a->user) {
        char buf[64];
        (void)snprintf(buf, sizeof(buf), "%s", a->user);
        char *colon = strchr(buf, ':');
        if (colon)
            *colon++ = '\0';
        if (parse_id(buf, &p->uid) < 0 || (colon && parse_id(colon, &p->gid) < 0))
            return cli_error("exec: --user: '%s' is not UID[:GID] (numbers)", a->user), -EINVAL;
    }
    for (size_t i = 0; i < a->n_gids; i++) {
        uint32_t gid, *nv = realloc(p->additional_gids, (p->n_additional_gids + 1) * sizeof(gid));
        if (!nv)
            return -ENOMEM;
        p->additional_gids = nv;
        if (parse_id(a->gids[i], &gid) < 0)
            return cli_error("exec: --additional-gids: '%s' is not a number", a->gids[i]), -EINVAL;
        nv[p->n_additional_gids++] = gid;
    }
    return 0;
}

/* The flags' changes to the container's process (runc applies them the same way). */
static int
apply_flags(struct vsl_spec *spec, char **cmd, int n_cmd, const struct exec_args *a)
{
    struct vsl_process *p = &spec->process;

    vsl_strv_clear(&p->args);
    for (int i = 0; i < n_cmd; i++)
        if (vsl_strv_push(&p->args, cmd[i]) < 0)
            return -ENOMEM;
    p->terminal = a->tty;
    for (size_t i = 0; i < a->n_env; i++)
        if (vsl_spec_setenv(spec, a->env[i]) < 0)
            return cli_error("exec: --env: '%s' is not KEY=VALUE", a->env[i]), -EINVAL;
    if (a->cwd) {
        free(p->cwd);
        if (!(p->cwd = strdup(a->cwd)))
            return -ENOMEM;
    }
    if (a->nnp)
        p->no_new_privileges = true;
    for (size_t i = 0; i < a->n_caps; i++) {
        cap_value_t cap;
        if (cap_from_name(a->caps[i], &cap) < 0)
            return cli_error("exec: --cap: unknown capability '%s'", a->caps[i]), -EINVAL;
        uint64_t bit = 1ULL << cap;
        p->caps.present = true;
        p->caps.bounding |= bit;
        p->caps.effective |= bit;
        p->caps.permitted |= bit;
    }
    return apply_user(p, a);
}

static int
build_spec(const char *root, const char *id, char **cmd, int n_cmd, const struct exec_args *a,
           struct vsl_spec **ret)
{
    _cleanup_free_ char *process = NULL;
    struct vsl_error err = {0};

    if (a->process_file) {
        FILE *f = strcmp(a->process_file, "-") == 0 ? stdin : fopen(a->process_file, "re");
        size_t cap = 0;
        if (!f || getdelim(&process, &cap, '\0', f) < 0) {
            int e = errno;
            if (f && f != stdin)
                (void)fclose(f);
            return cli_error("exec: read '%s': %s", a->process_file, strerror(e)), -e;
        }
        if (f != stdin)
            (void)fclose(f);
    } else if (n_cmd == 0) {
        return cli_error("exec: a command is needed (or --process FILE)"), -EINVAL;
    }
    if (vsl_exec_spec(root, id, process, ret, &err) < 0)
        return cli_error("%s", err.msg), err.code;
    if (!a->process_file && apply_flags(*ret, cmd, n_cmd, a) < 0) {
        vsl_spec_free(*ret);
        *ret = NULL;
        return -EINVAL;
    }
    return 0;
}

static const struct option exec_longopts[] = {
    {"tty", no_argument, NULL, 't'},
    {"detach", no_argument, NULL, 'd'},
    {"process", required_argument, NULL, 'p'},
    {"env", required_argument, NULL, 'e'},
    {"user", required_argument, NULL, 'u'},
    {"additional-gids", required_argument, NULL, 'g'},
    {"console-socket", required_argument, NULL, OPT_CONSOLE},
    {"pid-file", required_argument, NULL, OPT_PID_FILE},
    {"cwd", required_argument, NULL, OPT_CWD},
    {"cap", required_argument, NULL, OPT_CAP},
    {"no-new-privs", no_argument, NULL, OPT_NNP},
    {"preserve-fds", required_argument, NULL, OPT_PRESERVE},
    {"process-label", required_argument, NULL, OPT_LABEL},
    {"apparmor", required_argument, NULL, OPT_APPARMOR},
    {"ignore-paused", no_argument, NULL, OPT_IGNORE_PAUSED},
    {"cgroup", required_argument, NULL, OPT_CGROUP},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

int
cmd_exec(int argc, char **argv, const struct cli_globals *g)
{
    struct exec_args a = {0};
    _cleanup_spec_ struct vsl_spec *spec = NULL;
    struct vsl_run_result res = {0};
    struct vsl_error err = {0};
    int c, rc = CLI_EXIT_FAILURE;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:tdp:e:u:g:h", exec_longopts, NULL)) != -1) {
        if (c == 'h') {
            exec_usage(stdout);
            rc = 0;
            goto out;
        }
        if (c == ':' || c == '?') {
            rc = cli_bad_flag("exec", c, argv);
            goto out;
        }
        if (parse_exec_flag(c, optarg, &a) < 0)
            goto out;
    }
    if (optind >= argc) {
        cli_need_args("exec", argc, optind, 1, "ID COMMAND [ARG...]");
        goto out;
    }
    if (build_spec(g->root, argv[optind], argv + optind + 1, argc - optind - 1, &a, &spec) < 0)
        goto out;
    if (vsl_exec(g->root, argv[optind], spec, &a.o, &res, &err) < 0) {
        cli_error("%s", err.msg);
        rc = err.exec_failed ? (err.code == -ENOENT ? CLI_EXIT_NOT_FOUND : CLI_EXIT_CANNOT_EXEC)
                             : CLI_EXIT_RUN_FAILED;
        goto out;
    }
    rc = a.o.detach ? 0 : res.status;
out:
    free(a.env);
    free(a.caps);
    free(a.gids);
    return rc;
}
