// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The sealed exec trampoline (src/lib/selfclone.c, src/dmz/dmz.c): which containers it fits
 * (vsl_dmz_usable over specs), and the trampoline itself, executed from its sealed memfd: it runs
 * the command it is given, reports a failed execve over the sync socket as the init does, waits
 * for start on exec.fifo when given one, and refuses to run anything when invoked otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vessel/security.h>
#include <vessel/vessel.h>

#include "lib/sync.h"
#include "tap.h"

#define SECCOMP_ALLOW_EXECVEAT                                                                     \
    "\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"read\", "  \
    "\"execveat\"], \"action\": \"SCMP_ACT_ALLOW\"}]}"

#define PID_NS "{\"type\": \"pid\"}, {\"type\": \"mount\"}"

/* vsl_dmz_usable() of a spec with these namespaces, and extra members of process, linux and the
 * top level (each "" or ending in ", "); -1 when it does not parse. */
static int
usable(const char *namespaces, const char *process, const char *linux_, const char *top)
{
    char json[4096];
    struct vsl_spec *spec = NULL;
    struct vsl_error err = {0};

    (void)snprintf(json, sizeof(json),
                   "{%s\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"},"
                   " \"process\": {%s\"args\": [\"/bin/true\"], \"cwd\": \"/\"},"
                   " \"linux\": {%s\"namespaces\": [%s]}}",
                   top, process, linux_, namespaces);
    if (vsl_spec_parse(json, strlen(json), "config.json", &spec, &err) < 0) {
        printf("# parse: %s\n#   %s\n", err.msg, json);
        return -1;
    }
    int r = vsl_dmz_usable(spec);
    vsl_spec_free(spec);
    return r;
}

static void
decisions(void)
{
    is_int(usable(PID_NS, "", "", ""), 1, "a new pid namespace: the trampoline");
    is_int(usable("{\"type\": \"mount\"}", "", "", ""), 0,
           "no pid namespace (the host's): re-execute");
    is_int(usable("{\"type\": \"pid\", \"path\": \"/proc/1/ns/pid\"}", "", "", ""), 0,
           "a pid namespace joined: re-execute");
    is_int(usable(PID_NS, "", "", "\"annotations\": {\"run.vessel.landlock\": \"{}\"}, "), 0,
           "Landlock: re-execute");

    /* capabilities: a second execve changes nothing, except non-root with no_new_privs */
    const char *nnp_narrow = "\"noNewPrivileges\": true, \"user\": {\"uid\": 1000, \"gid\": 1000},"
                             " \"capabilities\": {\"permitted\": [\"CAP_NET_BIND_SERVICE\"]}, ";
    is_int(usable(PID_NS, nnp_narrow, "", ""), 0,
           "uid 1000, no_new_privs, permitted beyond ambient: re-execute");
    is_int(usable(PID_NS,
                  "\"noNewPrivileges\": true, \"capabilities\": {\"permitted\": "
                  "[\"CAP_NET_BIND_SERVICE\"]}, ",
                  "", ""),
           1, "root, no_new_privs, permitted set: the trampoline");
    is_int(
        usable(PID_NS, "\"capabilities\": {\"permitted\": [\"CAP_NET_BIND_SERVICE\"]}, ", "", ""),
        1, "no no_new_privs: the trampoline");
    is_int(usable(PID_NS,
                  "\"noNewPrivileges\": true, \"user\": {\"uid\": 1000, \"gid\": 1000}, "
                  "\"capabilities\": {\"permitted\": [\"CAP_NET_BIND_SERVICE\"], "
                  "\"inheritable\": [\"CAP_NET_BIND_SERVICE\"], "
                  "\"ambient\": [\"CAP_NET_BIND_SERVICE\"]}, ",
                  "", ""),
           1, "permitted equal to ambient: the trampoline");

    /* seccomp: the init executes the trampoline with execveat under the filter */
    is_int(usable(PID_NS, "",
                  "\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\"}"
                  ", ",
                  ""),
           1, "seccomp allowing by default: the trampoline");
    is_int(usable(PID_NS, "", SECCOMP_ALLOW_EXECVEAT ", ", ""), 1,
           "seccomp allowing execveat by name: the trampoline");
    is_int(usable(PID_NS, "",
                  "\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
                  "[{\"names\": [\"execveat\"], \"action\": \"SCMP_ACT_ERRNO\"}]}"
                  ", ",
                  ""),
           0, "seccomp refusing execveat: re-execute");
    is_int(usable(PID_NS, "",
                  "\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
                  "[{\"names\": [\"execveat\"], \"action\": \"SCMP_ACT_NOTIFY\"}], "
                  "\"listenerPath\": \"/run/x.sock\"}"
                  ", ",
                  ""),
           0, "seccomp sending execveat to a listener: re-execute");
    is_int(usable(PID_NS, "",
                  "\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": "
                  "[{\"names\": [\"execve\"], \"action\": \"SCMP_ACT_ALLOW\"}]}"
                  ", ",
                  ""),
           0, "seccomp allowing execve only: re-execute");
    is_int(usable(PID_NS, "",
                  "\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": "
                  "[{\"names\": [\"execveat\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
                  "[{\"index\": 4, \"value\": 0, \"op\": \"SCMP_CMP_EQ\"}]}]}"
                  ", ",
                  ""),
           0, "seccomp allowing execveat on conditions: re-execute");
    is_int(usable(PID_NS, "",
                  "\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": "
                  "[{\"names\": [\"execveat\"], \"action\": \"SCMP_ACT_ALLOW\"}, "
                  "{\"names\": [\"execveat\"], \"action\": \"SCMP_ACT_KILL\", \"args\": "
                  "[{\"index\": 4, \"value\": 0, \"op\": \"SCMP_CMP_EQ\"}]}]}"
                  ", ",
                  ""),
           0, "seccomp allowing execveat but killing some calls: re-execute");

    /* vessel's own default profile lets it through */
    struct vsl_spec *spec = NULL;
    struct vsl_error err = {0};
    struct vsl_seccomp *profile = NULL;
    const char *json = "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"}, \"process\":"
                       " {\"args\": [\"/bin/true\"], \"cwd\": \"/\"}, \"linux\": {\"namespaces\":"
                       " [{\"type\": \"pid\"}]}}";
    if (vsl_spec_parse(json, strlen(json), "config.json", &spec, &err) == 0 &&
        vsl_seccomp_default(1ULL << 10, &profile, &err) == 0) {
        spec->linux_.seccomp = profile;
        ok(vsl_dmz_usable(spec), "vessel's default seccomp profile: the trampoline");
    } else {
        ok(0, "vessel's default seccomp profile: %s", err.msg);
    }
    vsl_spec_free(spec);
}

/* Execute the trampoline as the init does: argv = PATH SYNC_FD ARGV...; returns the wait status,
 * the packet it sent (if any) in *pkt. */
static int
trampoline(int dmz, const char *path, char **args, char *pkt, size_t cap, ssize_t *ret_len)
{
    int sv[2], status = -1;
    char fd[16], *argv[8] = {(char *)path, fd};
    static char *env[] = {"PATH=/bin", NULL};

    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return -1;
    (void)snprintf(fd, sizeof(fd), "%d", sv[1]);
    for (size_t i = 0; args[i] && i < 5; i++)
        argv[2 + i] = args[i];
    pid_t pid = fork();
    if (pid == 0) {
        (void)fcntl(sv[1], F_SETFD, 0);
        int null = open("/dev/null", O_WRONLY);
        (void)dup2(null, 1);
        (void)dup2(null, 2);
        execveat(dmz, "", argv, env, AT_EMPTY_PATH);
        _exit(99);
    }
    close(sv[1]);
    (void)waitpid(pid, &status, 0);
    *ret_len = recv(sv[0], pkt, cap, MSG_DONTWAIT);
    close(sv[0]);
    return status;
}

static void
execution(char **argv)
{
    struct vsl_spec *spec = NULL;
    struct vsl_error err = {0};
    const char *json = "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"}, \"process\":"
                       " {\"args\": [\"/bin/true\"], \"cwd\": \"/\"}, \"linux\": {\"namespaces\":"
                       " [{\"type\": \"pid\"}]}}";

    if (vsl_spec_parse(json, strlen(json), "config.json", &spec, &err) < 0 ||
        vsl_seal_for(argv, "/nonexistent", spec, &err) < 0) {
        ok(0, "prepare the trampoline: %s", err.msg);
        vsl_spec_free(spec);
        return;
    }
    vsl_spec_free(spec);
    int dmz = vsl_dmz_fd();
    ok(dmz >= 0, "the trampoline is ready in a memfd");
    int seals = fcntl(dmz, F_GET_SEALS);
    ok(seals >= 0 && (seals & (F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL)) ==
                         (F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL),
       "it carries the write, grow, shrink and seal seals (%#x)", seals);
    ok(pwrite(dmz, "x", 1, 0) < 0, "a write to it fails");
    ok(fcntl(dmz, F_GETFD) == FD_CLOEXEC, "it closes on exec");

    union {
        char buf[1024];
        struct {
            struct sync_hdr hdr;
            struct vsl_error err;
        } p;
    } u;
    ssize_t n;
    int st = trampoline(dmz, "/bin/sh", (char *[]){"sh", "-c", "exit 7", NULL}, u.buf,
                        sizeof(u.buf), &n);
    ok(WIFEXITED(st) && WEXITSTATUS(st) == 7, "it executes the command with its arguments (%#x)",
       st);
    ok(n == 0, "and the socket closes with that execve (%zd)", n);

    st = trampoline(dmz, "/no/such/file", (char *[]){"x", NULL}, u.buf, sizeof(u.buf), &n);
    ok(WIFEXITED(st) && WEXITSTATUS(st) == 127, "a missing file: 127 (%#x)", st);
    ok(n == (ssize_t)sizeof(u.p) && u.p.hdr.type == SYNC_ERROR && u.p.hdr.len == sizeof(u.p.err),
       "an ERROR packet as the init sends (%zd bytes)", n);
    is_int(u.p.err.code, -ENOENT, "its code");
    ok(u.p.err.exec_failed, "it says the execve failed");
    is_str(u.p.err.msg, "exec '/no/such/file': No such file or directory", "its message");

    st = trampoline(dmz, "/etc/passwd", (char *[]){"passwd", NULL}, u.buf, sizeof(u.buf), &n);
    ok(WIFEXITED(st) && WEXITSTATUS(st) == 126, "a file without the x bit: 126 (%#x)", st);
    is_str(u.p.err.msg, "exec '/etc/passwd': Permission denied", "its message");

    /* "#!/proc/self/exe" reaching it: argv[1] is no fd number */
    st = trampoline(dmz, "/proc/self/exe", (char *[]){NULL}, u.buf, sizeof(u.buf), &n);
    ok(WIFEXITED(st) && WEXITSTATUS(st) == 126, "too few arguments: it runs nothing (%#x)", st);
    char *evil[] = {"/proc/self/exe", "--log", "/evil", NULL};
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        (void)dup2(null, 2);
        execveat(dmz, "", evil, (char *[]){NULL}, AT_EMPTY_PATH);
        _exit(99);
    }
    (void)waitpid(pid, &st, 0);
    ok(WIFEXITED(st) && WEXITSTATUS(st) == 126, "a script's arguments: it runs nothing (%#x)", st);
}

/* create's vfork launch: "SYNC_FD:FIFO_FD" makes the trampoline wait for start on exec.fifo. */
static void
waits_for_start(void)
{
    char dir[] = "/tmp/test_dmz.XXXXXX", fifo[64], comm[32] = "", sync[32], got[4] = "";
    int sv[2], st = -1, dmz = vsl_dmz_fd();

    if (!mkdtemp(dir) || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
        ok(0, "set up: %s", strerror(errno));
        return;
    }
    (void)snprintf(fifo, sizeof(fifo), "%s/exec.fifo", dir);
    int path = mkfifo(fifo, 0622) == 0 ? open(fifo, O_PATH | O_CLOEXEC) : -1;
    (void)snprintf(sync, sizeof(sync), "%d:%d", sv[1], path);
    char *argv[] = {"/bin/sh", sync, "sh", "-c", "exit 7", NULL};
    pid_t pid = fork();
    if (pid == 0) {
        (void)fcntl(sv[1], F_SETFD, 0);
        (void)fcntl(path, F_SETFD, 0);
        execveat(dmz, "", argv, (char *[]){"PATH=/bin", NULL}, AT_EMPTY_PATH);
        _exit(99);
    }
    close(sv[1]);
    /* it waits: alive, named as the init waiting in exec.fifo is */
    char proc[64];
    (void)snprintf(proc, sizeof(proc), "/proc/%d/comm", (int)pid);
    for (int i = 0; i < 200 && strcmp(comm, "exec.fifo\n") != 0; i++) {
        int fd = open(proc, O_RDONLY);
        ssize_t n = fd >= 0 ? read(fd, comm, sizeof(comm) - 1) : -1;
        comm[n > 0 ? n : 0] = '\0';
        if (fd >= 0)
            close(fd);
        usleep(10000);
    }
    is_str(comm, "exec.fifo\n", "it waits, named exec.fifo");
    ok(waitpid(pid, &st, WNOHANG) == 0, "and runs nothing before start");
    /* start: open the other end, read what it wrote; then the command runs */
    int r = open(fifo, O_RDONLY | O_CLOEXEC);
    ok(r >= 0 && read(r, got, sizeof(got) - 1) == 1 && got[0] == '0', "it writes \"0\" (%s)", got);
    (void)waitpid(pid, &st, 0);
    ok(WIFEXITED(st) && WEXITSTATUS(st) == 7, "then executes the command (%#x)", st);
    char pkt[64];
    ok(recv(sv[0], pkt, sizeof(pkt), MSG_DONTWAIT) == 0, "and the socket closes with that execve");
    if (r >= 0)
        close(r);
    close(path);
    close(sv[0]);
    (void)unlink(fifo);
    (void)rmdir(dir);

    /* a malformed pair runs nothing */
    for (const char *bad = ":5"; bad; bad = strcmp(bad, ":5") == 0 ? "5:" : NULL) {
        pid = fork();
        if (pid == 0) {
            int null = open("/dev/null", O_WRONLY);
            (void)dup2(null, 2);
            execveat(dmz, "", (char *[]){"/bin/true", (char *)bad, "true", NULL}, (char *[]){NULL},
                     AT_EMPTY_PATH);
            _exit(99);
        }
        (void)waitpid(pid, &st, 0);
        ok(WIFEXITED(st) && WEXITSTATUS(st) == 126, "'%s': it runs nothing (%#x)", bad, st);
    }
}

int
main(int argc, char **argv)
{
    (void)argc;
    decisions();
    execution(argv);
    waits_for_start();
    return done_testing();
}
