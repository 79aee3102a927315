/*
 * cmd_graph.c - `vnetsim graph`: the scenario's topology as a picture
 * (tools/cli/graph.h), as Graphviz DOT or, through Graphviz's dot program,
 * SVG.  DOT needs nothing installed; SVG needs Debian's graphviz package
 * (exit 3 naming it when dot cannot be started).
 */
#include "cli.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "graph.h"

static const char USAGE[] = "usage: vnetsim graph SCENARIO [--at T] [-o dot|svg] [--group N]\n";

static const struct cli_command GRAPH = {
	"graph", USAGE,
	"\nDraws VNets (clusters with their subnets, gateways, Route Server and NVAs),\n"
	"peerings (gateway transit marked, one-sided dashed), the Route Server's BGP\n"
	"sessions and each gateway connection to on-premises, at a checkpoint (--at,\n"
	"default end; the replay stops there).  Highlighted: subnets whose routes changed\n"
	"since the previous checkpoint (red border, causes in the title), sessions down\n"
	"(dashed), a peer that crashed silently and whose routes are still held (red), and\n"
	"the subnets still sending traffic to it (red fill).  Hubs with many plain spokes\n"
	"draw them as one node with counts (--group N spokes or more; 0 never groups).\n"
	"\n",
	"\n-o dot writes Graphviz DOT (nothing needs to be installed); -o svg runs\n"
	"Graphviz's dot (Debian package graphviz).  Render DOT yourself with\n"
	"`dot -Tpng graph.dot -o graph.png`.\n",
	22,
};

enum graph_format { GRAPH_DOT, GRAPH_SVG };

static int opt_format(struct cli_parser *p, const struct cli_option *o, const char *value)
{
	enum graph_format *f = o->dest;
	if (strcmp(value, "dot") == 0)
		*f = GRAPH_DOT;
	else if (strcmp(value, "svg") == 0)
		*f = GRAPH_SVG;
	else
		return cli_usage_error(p, "-o %s: expected dot or svg", value);
	return 0;
}

static int opt_group(struct cli_parser *p, const struct cli_option *o, const char *value)
{
	char *end;
	errno = 0;
	unsigned long n = strtoul(value, &end, 10);
	if (!*value || *end || errno || value[0] == '-' || n > 1000000)
		return cli_usage_error(p, "--group %s: expected a count of spokes (0: never group)",
				       value);
	*(size_t *)o->dest = (size_t)n;
	return 0;
}

/* Writes the DOT through `dot -Tsvg` to stdout.  An exit code. */
static int write_svg(const struct cli_session *s, const struct graph_opts *go)
{
	int fd[2];
	if (pipe(fd) != 0) {
		perror("vnetsim graph: pipe");
		return CLI_EXIT_ENV;
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		perror("vnetsim graph: fork");
		close(fd[0]);
		close(fd[1]);
		return CLI_EXIT_ENV;
	}
	if (pid == 0) {
		dup2(fd[0], STDIN_FILENO);
		close(fd[0]);
		close(fd[1]);
		execlp("dot", "dot", "-Tsvg", (char *)NULL);
		fprintf(stderr, "vnetsim graph: cannot run Graphviz's dot (%s): install the graphviz "
				"package, or use -o dot\n", strerror(errno));
		_exit(127);
	}
	close(fd[0]);
	/* dot exiting early must not kill us with SIGPIPE: the write fails. */
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);
	FILE *to = fdopen(fd[1], "w");
	int rc = to ? graph_write_dot(to, s->r, s->cp, go) : -1;
	bool werr = !to || ferror(to);
	if (to ? fclose(to) != 0 : close(fd[1]) != 0)
		werr = true;
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	signal(SIGPIPE, old);
	if (rc != 0) {
		fprintf(stderr, "vnetsim: out of memory\n");
		return CLI_EXIT_ENV;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 127)
			fprintf(stderr, "vnetsim graph: Graphviz's dot failed (status %d)\n",
				WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		return CLI_EXIT_ENV;
	}
	if (werr) {
		fprintf(stderr, "vnetsim graph: cannot write to Graphviz's dot\n");
		return CLI_EXIT_ENV;
	}
	return CLI_EXIT_OK;
}

int cmd_graph(int argc, char **argv)
{
	struct cli_parser p;
	const char *file = NULL, *at = NULL;
	enum graph_format fmt = GRAPH_DOT;
	size_t group_min = 6;
	const struct cli_option opts[] = {
		CLI_ARGS(cli_arg_scenario, &file, "SCENARIO"),
		CLI_STRING("at", 0, &at, "T", "checkpoint label, start, end or a time (default end)"),
		CLI_CALL("output", 'o', opt_format, &fmt, "FORMAT", "dot (default) or svg"),
		CLI_CALL("group", 0, opt_group, &group_min, "N",
			 "draw a hub's plain spokes as one node from N\nspokes on (default 6; 0 never)"),
		CLI_END,
	};
	int rc = cli_parse(&p, &GRAPH, opts, NULL, argc, argv);
	if (rc != CLI_PARSED)
		return rc;
	struct cli_common common = { .fmt = RENDER_TABLE };
	struct cli_session s;
	rc = cli_session_open_stopped(&s, file, &common, at);
	if (rc == CLI_EXIT_OK) {
		struct graph_opts go = { .title = s.sc->name && s.sc->name[0] ? s.sc->name : file,
					 .group_min = group_min };
		if (fmt == GRAPH_SVG)
			rc = write_svg(&s, &go);
		else if (graph_write_dot(stdout, s.r, s.cp, &go) != 0) {
			fprintf(stderr, "vnetsim: out of memory\n");
			rc = CLI_EXIT_ENV;
		}
	}
	cli_session_close(&s);
	return rc;
}
