/*
 * The pod sandbox's first process ("pause"): it holds the pod's namespaces open while the containers come and go,
 * reaps zombies (it is PID 1 of a pod that shares its PID namespace) and exits on SIGINT/SIGTERM. containerd's CRI
 * plugin starts one per pod from its sandbox_image; the usual image (registry.k8s.io/pause) cannot be pulled here,
 * so deploy/cluster.sh builds this one statically and pushes it to the loopback registry. Same job as Kubernetes'
 * build/pause/linux/pause.c, written for this project.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void quit(int sig) {
    fprintf(stderr, "pause: signal %d, exiting\n", sig);
    _exit(0);
}

static void reap(int sig) {
    (void) sig;
    while (waitpid(-1, NULL, WNOHANG) > 0) {
    }
}

int main(int argc, char **argv) {
    if (argc > 1 && argv[1][0] == '-' && argv[1][1] == 'v') {
        puts("rag-suite pause 1");
        return 0;
    }
    if (getpid() != 1) {
        fprintf(stderr, "pause: warning: not PID 1\n");
    }
    struct sigaction stop = {.sa_handler = quit};
    struct sigaction child = {.sa_handler = reap, .sa_flags = SA_NOCLDSTOP};
    if (sigaction(SIGINT, &stop, NULL) < 0 || sigaction(SIGTERM, &stop, NULL) < 0
        || sigaction(SIGCHLD, &child, NULL) < 0) {
        perror("pause: sigaction");
        return 1;
    }
    for (;;) {
        pause();
    }
}
