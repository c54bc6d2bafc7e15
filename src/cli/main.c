// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vessel's entry point: global options (runc's: --root, --log, --log-format, --debug,
 * --systemd-cgroup, --rootless), then one verb from the dispatch table. Every error is one line on
 * stderr, "vessel: <message>"; usage errors exit 1 as runc's do, `run` has docker's codes.
 */
#include <getopt.h>

#include "cli.h"

struct command {
    const char *name;
    int (*fn)(int argc, char **argv, const struct cli_globals *g);
    const char *summary;
};

static int cmd_version(int argc, char **argv, const struct cli_globals *g);
static int cmd_help(int argc, char **argv, const struct cli_globals *g);

static const struct command commands[] = {
    {"run", cmd_run, "run a command in a new container (foreground, or -d with a bundle)"},
    {"create", cmd_create, "create a container from a bundle (OCI)"},
    {"start", cmd_start, "start a created container's process"},
    {"state", cmd_state, "print a container's state as JSON"},
    {"kill", cmd_kill, "send a signal to a container"},
    {"delete", cmd_delete, "delete a stopped container (--force: any)"},
    {"exec", cmd_exec, "run a process in a running container"},
    {"ps", cmd_ps, "list a container's processes"},
    {"list", cmd_list, "list containers"},
    {"pause", cmd_pause, "freeze a container's processes"},
    {"resume", cmd_resume, "thaw a paused container"},
    {"update", cmd_update, "change a running container's resources"},
    {"events", cmd_events, "print resource usage and OOM events"},
    {"features", cmd_features, "print what this runtime implements (JSON)"},
    {"spec", cmd_spec, "write a default config.json into a bundle directory"},
    {"version", cmd_version, "print the version"},
    {"help", cmd_help, "show this help, or a command's: help COMMAND"},
};

static void
usage(FILE *f)
{
    fputs("Usage: vessel [GLOBAL OPTIONS] COMMAND [ARGS]\n"
          "\n"
          "A Linux container runtime: an OCI runtime and a friendly `vessel run`.\n"
          "\n"
          "Commands:\n",
          f);
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fputs("\n"
          "Global options:\n"
          "      --root DIR              state root (default " VSL_DEFAULT_ROOT ")\n"
          "      --log FILE              log file (errors still go to stderr)\n"
          "      --log-format text|json  log format (default text)\n"
          "      --debug                 debug logging\n"
          "      --systemd-cgroup        cgroupsPath is slice:prefix:name, managed by systemd\n"
          "      --rootless true|false|auto  rootless mode (default auto)\n"
          "  -v, --version               print the version\n"
          "  -h, --help                  show this help\n"
          "\n"
          "Run 'vessel COMMAND --help' for a command's options.\n",
          f);
}

static int
cmd_version(int argc, char **argv, const struct cli_globals *g)
{
    printf("vessel version %s\nspec: %s\n", VSL_VERSION, VSL_OCI_VERSION);
    return 0;
}

static const struct command *
find_command(const char *name)
{
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

/* `help` alone lists the commands; `help COMMAND` is `COMMAND --help`. */
static int
cmd_help(int argc, char **argv, const struct cli_globals *g)
{
    const struct command *cmd;

    if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "version") == 0) {
        usage(stdout);
        return 0;
    }
    cmd = find_command(argv[1]);
    if (!cmd) {
        fprintf(stderr, "vessel: unknown command '%s'\n", argv[1]);
        return CLI_EXIT_FAILURE;
    }
    char *sub[] = {argv[1], (char *)"--help", NULL};
    return cmd->fn(2, sub, g);
}

enum {
    GOPT_ROOT = 0x100,
    GOPT_LOG,
    GOPT_LOG_FORMAT,
    GOPT_DEBUG,
    GOPT_SYSTEMD_CGROUP,
    GOPT_ROOTLESS,
};

static int
parse_global(int c, const char *arg, struct cli_globals *g)
{
    switch (c) {
    case GOPT_ROOT:
        g->root = arg;
        return 0;
    case GOPT_LOG:
        g->log_path = arg;
        return 0;
    case GOPT_LOG_FORMAT:
        if (strcmp(arg, "text") != 0 && strcmp(arg, "json") != 0) {
            fprintf(stderr, "vessel: --log-format: invalid value '%s' (expected text or json)\n",
                    arg);
            return -EINVAL;
        }
        g->log_format = strcmp(arg, "json") == 0 ? CLI_LOG_JSON : CLI_LOG_TEXT;
        return 0;
    case GOPT_DEBUG:
        g->debug = true;
        return 0;
    case GOPT_SYSTEMD_CGROUP:
        g->systemd_cgroup = true;
        return 0;
    case GOPT_ROOTLESS:
        if (strcmp(arg, "true") == 0)
            g->rootless = CLI_ROOTLESS_TRUE;
        else if (strcmp(arg, "false") == 0)
            g->rootless = CLI_ROOTLESS_FALSE;
        else if (strcmp(arg, "auto") == 0)
            g->rootless = CLI_ROOTLESS_AUTO;
        else {
            fprintf(stderr,
                    "vessel: --rootless: invalid value '%s' (expected true, false or auto)\n", arg);
            return -EINVAL;
        }
        return 0;
    default:
        return -EINVAL;
    }
}

/* Parse the global options; returns the index of the command, or -1 with the exit code set. */
static int
parse_globals(int argc, char **argv, struct cli_globals *g, int *ret_exit)
{
    static const struct option longopts[] = {
        {"root", required_argument, NULL, GOPT_ROOT},
        {"log", required_argument, NULL, GOPT_LOG},
        {"log-format", required_argument, NULL, GOPT_LOG_FORMAT},
        {"debug", no_argument, NULL, GOPT_DEBUG},
        {"systemd-cgroup", no_argument, NULL, GOPT_SYSTEMD_CGROUP},
        {"rootless", required_argument, NULL, GOPT_ROOTLESS},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'v'},
        {NULL, 0, NULL, 0},
    };
    int c;

    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:hv", longopts, NULL)) != -1) {
        if (c == 'h' || c == 'v') {
            *ret_exit = c == 'h' ? (usage(stdout), 0) : cmd_version(0, NULL, g);
            return -1;
        }
        if (c == ':' || c == '?') {
            const char *word = argv[optind - 1];
            int len = (int)strcspn(word, "=");
            if (c == ':')
                fprintf(stderr, "vessel: flag needs an argument: '%.*s'\n", len, word);
            else if (optopt > 0 && optopt < 0x100 && word[1] != '-')
                fprintf(stderr, "vessel: unknown shorthand flag: '%c' in '%s'\n", optopt, word);
            else
                fprintf(stderr, "vessel: unknown or ambiguous flag: '%.*s'\n", len, word);
            *ret_exit = CLI_EXIT_FAILURE;
            return -1;
        }
        if (parse_global(c, optarg, g) < 0) {
            *ret_exit = CLI_EXIT_FAILURE;
            return -1;
        }
    }
    return optind;
}

int
main(int argc, char **argv)
{
    struct cli_globals g = {.root = VSL_DEFAULT_ROOT, .log_format = CLI_LOG_TEXT};
    const struct command *cmd;
    int exit_code = 0;
    int i = parse_globals(argc, argv, &g, &exit_code);

    if (i < 0)
        return exit_code;
    if (i >= argc) {
        usage(stderr);
        return CLI_EXIT_FAILURE;
    }
    cli_log_setup(&g);
    cmd = find_command(argv[i]);
    if (!cmd)
        return cli_error("unknown command '%s'", argv[i]);
    if (cli_security_startup(cmd->name, argv, &g) < 0)
        return CLI_EXIT_RUN_FAILED;
    exit_code = cmd->fn(argc - i, argv + i, &g);
#ifndef __SANITIZE_ADDRESS__
    /* Nothing of vessel's own waits for exit handlers: flush what stdio holds and go, without
     * the static libraries' destructors (libcap's), whose pages would fault in only to free. */
    (void)fflush(NULL);
    _exit(exit_code);
#endif
    return exit_code;
}
