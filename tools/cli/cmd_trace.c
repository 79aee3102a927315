/*
 * cmd_trace.c - `vnetsim trace`: where packets from a NIC or subnet to an
 * address actually go, hop by hop through appliances and gateways, every
 * ECMP member followed (RULES 1.11; the tree itself is trace.h's).
 *
 * Also the setup `vnetsim reach` shares (cli_trace_open): the replay
 * stopped at --at, so that the BGP speakers' state (which NVA is down,
 * what each advertised) is the state of that moment, and the trace
 * environment built over that checkpoint's tables.
 *
 * Exit codes: 0 every path delivered or left the network; 1 a path dropped
 * or looped; 2 bad input (unknown source, not an IPv4 address, --at past
 * the scenario's last event); 3 environment.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "prefix.h"
#include "trace.h"

static const char USAGE[] =
	"usage: vnetsim trace SCENARIO --from NIC|VNET/SUBNET --to IP [--at LABEL|TIME]\n"
	"                     [-o table|json|jsonl]\n";

static const struct cli_command TRACE = {
	"trace", USAGE,
	"\nFollows packets from a NIC (or a subnet's table) to an address, hop by hop: every ECMP\n"
	"member, through appliances (IP forwarding, VM down, routes they advertised), out of\n"
	"gateway connections, to the Internet or a service, until delivered, dropped or looped\n"
	"(RULES 1.11).\n"
	"\n",
	"\n"
	"Exit status: 0 every path delivered or left the network, 1 a path dropped or looped,\n"
	"2 bad input.\n",
	22,
};

int cli_trace_open(struct cli_trace_session *ts, const char *file, const struct cli_common *c,
		   const char *at_text)
{
	*ts = (struct cli_trace_session){ 0 };
	int rc = cli_session_open_stopped(&ts->s, file, c, at_text);
	if (rc != CLI_EXIT_OK)
		return rc;
	const struct scenario *sc = ts->s.sc;
	/* The end: the last event, or settings.horizon when it lies later. */
	int64_t last = sc->nevents ? sc->events[sc->nevents - 1].at_ms : 0;
	if (sc->settings.horizon_ms > last)
		last = sc->settings.horizon_ms;
	if (ts->s.at.probe && ts->s.at.ms > last) {
		fprintf(stderr,
			"%s: --at %s is past the end of the scenario (its end is at %lld ms)\n",
			sc->file, ts->s.at.text, (long long)last);
		cli_session_close(&ts->s);
		return CLI_EXIT_INVALID;
	}
	const struct checkpoint *cp = ts->s.cp;
	struct trace_env_input in = { cp->topo, cp->tables, cp->nic_unprogrammed,
				      run_speakers(ts->s.r) };
	ts->env = trace_env_create(&in);
	if (!ts->env) {
		fprintf(stderr, "vnetsim: out of memory\n");
		cli_session_close(&ts->s);
		return CLI_EXIT_ENV;
	}
	return CLI_EXIT_OK;
}

int cli_trace_format(struct cli_parser *p, const struct cli_common *c, int rc, const char *name)
{
	enum render_format fmt = cli_format(c);
	if (rc == CLI_PARSED && fmt != RENDER_TABLE && fmt != RENDER_JSON && fmt != RENDER_JSONL)
		return cli_usage_error(p, "-o: %s writes table, json or jsonl", name);
	return rc;
}

void cli_trace_close(struct cli_trace_session *ts)
{
	trace_env_destroy(ts->env);
	cli_session_close(&ts->s);
}

const char *cli_trace_place(const struct trace_hop *h)
{
	return h->from_nic ? h->from_nic->name : h->from_subnet->id;
}

/* The leaf's end in words, into buf. */
const char *cli_trace_leaf_text(const struct trace_hop *h, const struct trace *t, char *buf,
				size_t len)
{
	char ip[IPV4_STRLEN];
	const char *nic = h->to_nic ? h->to_nic->name : NULL;
	switch (h->why) {
	case TW_NIC:
		snprintf(buf, len, "delivered to %s (%s)", nic, h->to_nic->subnet->id);
		break;
	case TW_PRIVATE_ENDPOINT:
		snprintf(buf, len, "delivered to private endpoint %s", h->to_name);
		break;
	case TW_NO_NIC:
		snprintf(buf, len, "delivered into the network, but no NIC holds %s",
			 ipv4_format(t->dst, ip));
		break;
	case TW_INTERNET:
		snprintf(buf, len, "left Azure to the Internet");
		break;
	case TW_SERVICE:
		snprintf(buf, len, "left to the service endpoint");
		break;
	case TW_HANDED:
		snprintf(buf, len, "left: handed to %s (%s)", h->to_name, nic);
		break;
	case TW_CONNECTION:
		snprintf(buf, len, "left Azure through connection %s", h->to_name);
		break;
	case TW_DOWN:
		snprintf(buf, len, "dropped at %s: the appliance's VM is down (peer %s)", nic,
			 h->to_name);
		break;
	case TW_NO_FORWARDING:
		snprintf(buf, len, "dropped at %s: enableIPForwarding is false",
			 nic ? nic : h->to_name);
		break;
	case TW_NO_HOLDER:
		snprintf(buf, len, "dropped: no NIC holds the appliance address %s",
			 ipv4_format(h->nh_ip, ip));
		break;
	case TW_LB_NO_RULE:
		snprintf(buf, len, "dropped: load balancer %s has no HA-ports rule on frontend %s (%s)",
			 h->to_name, h->lb->name, ipv4_format(h->nh_ip, ip));
		break;
	case TW_LB_DOWN:
		snprintf(buf, len, "dropped: all backends of load balancer %s are down", h->to_name);
		break;
	case TW_NO_GATEWAY_ROUTE:
		snprintf(buf, len, "dropped: gateway %s has no connection for %s",
			 h->to_name ? h->to_name : "(none)", ipv4_format(t->dst, ip));
		break;
	case TW_LOOP:
		snprintf(buf, len, "looped: back at %s", nic);
		break;
	default:
		snprintf(buf, len, "%s: %s", trace_end_name(h->end), trace_why_text(h->why));
		break;
	}
	return buf;
}

/* The hops of the path ending at leaf, first to last; returns the count. */
size_t cli_trace_path(const struct trace *t, size_t leaf, size_t *out)
{
	size_t n = 0;
	for (size_t i = leaf; i != TRACE_ROOT; i = t->hops[i].parent)
		out[n++] = i;
	for (size_t i = 0; i < n / 2; i++) {
		size_t x = out[i];
		out[i] = out[n - 1 - i];
		out[n - 1 - i] = x;
	}
	return n;
}

static const char *hop_route_table(const struct trace_hop *h)
{
	return h->route_table ? h->route_table : "System Route";
}

static const char *hop_to(const struct trace_hop *h)
{
	if (h->to_nic)
		return h->to_nic->name;
	return h->to_name ? h->to_name : "";
}

/* The table's To: a backend reached through a load balancer names it. */
static const char *hop_to_cell(const struct trace_hop *h, char *buf, size_t len)
{
	if (!h->lb || !h->to_nic)
		return hop_to(h);
	snprintf(buf, len, "%s (%s %u/%u)", h->to_nic->name, h->lb->lb->name, h->backend + 1,
		 h->nbackends);
	return buf;
}

static void json_hop(struct jsonw *w, const struct trace_hop *h)
{
	char buf[PREFIX_STRLEN];
	jsonw_inline_begin(w, true);
	jsonw_key(w, "at");
	jsonw_string(w, cli_trace_place(h));
	jsonw_key(w, "prefix");
	jsonw_string(w, prefix_format(h->matched, buf));
	jsonw_key(w, "nextHopType");
	jsonw_string(w, nh_type_name(h->nh));
	jsonw_key(w, "nextHopIpAddress");
	jsonw_string(w, h->has_nh_ip ? ipv4_format(h->nh_ip, buf) : NULL);
	jsonw_key(w, "routeTableId");
	jsonw_string(w, hop_route_table(h));
	jsonw_key(w, "ecmp");
	jsonw_int(w, h->nmembers);
	jsonw_key(w, "to");
	jsonw_string(w, h->to_nic || h->to_name ? hop_to(h) : NULL);
	jsonw_key(w, "loadBalancer");
	jsonw_string(w, h->lb ? h->lb->lb->name : NULL);
	jsonw_object_end(w);
}

static void json_path(struct jsonw *w, const struct trace *t, size_t leaf)
{
	size_t path[TRACE_MAX_DEPTH + 1];
	uint32_t via[TRACE_MAX_DEPTH + 1];
	char buf[256];
	size_t n = cli_trace_path(t, leaf, path);
	const struct trace_hop *h = &t->hops[leaf];
	jsonw_object_begin(w);
	jsonw_key(w, "result");
	jsonw_string(w, trace_end_name(h->end));
	jsonw_key(w, "reason");
	jsonw_string(w, cli_trace_leaf_text(h, t, buf, sizeof buf));
	jsonw_key(w, "where");
	jsonw_string(w, h->to_nic || h->to_name ? hop_to(h) : NULL);
	jsonw_key(w, "via");
	jsonw_inline_begin(w, false);
	size_t nv = trace_path_via(t, leaf, via, TRACE_MAX_DEPTH + 1);
	for (size_t i = 0; i < nv; i++)
		jsonw_string(w, ipv4_format(via[i], buf));
	jsonw_array_end(w);
	jsonw_key(w, "hops");
	jsonw_array_begin(w);
	for (size_t i = 0; i < n; i++)
		json_hop(w, &t->hops[path[i]]);
	jsonw_array_end(w);
	jsonw_object_end(w);
}

static void print_json(const struct cli_trace_session *ts, const char *from, const struct trace *t,
		       bool pretty)
{
	struct jsonw w;
	char ip[IPV4_STRLEN];
	struct trace_counts c = trace_count(t);
	jsonw_init(&w, stdout, pretty, 0);
	jsonw_object_begin(&w);
	jsonw_key(&w, "from");
	jsonw_string(&w, from);
	jsonw_key(&w, "to");
	jsonw_string(&w, ipv4_format(t->dst, ip));
	jsonw_key(&w, "at");
	jsonw_string(&w, ts->s.cp->label);
	jsonw_key(&w, "atMs");
	jsonw_int(&w, ts->s.cp->at_ms);
	jsonw_key(&w, "result");
	jsonw_string(&w, trace_verdict_name(trace_verdict(c)));
	jsonw_key(&w, "paths");
	jsonw_array_begin(&w);
	for (size_t i = 0; i < t->n; i++)
		if (t->hops[i].end != TRACE_CONTINUES)
			json_path(&w, t, i);
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	fputc('\n', stdout);
}

static int print_table(const struct cli_trace_session *ts, const char *from, const struct trace *t)
{
	char ip[IPV4_STRLEN], buf[256];
	struct trace_counts c = trace_count(t);
	printf("trace %s -> %s at %s: %s, %zu path%s (%zu delivered, %zu left, %zu dropped, "
	       "%zu looped)\n",
	       from, ipv4_format(t->dst, ip), ts->s.cp->label, trace_verdict_name(trace_verdict(c)),
	       c.paths, c.paths == 1 ? "" : "s", c.delivered, c.left, c.dropped, c.looped);
	static const char *const heads[] = { "Hop", "At", "Prefix", "Next Hop Type", "Next Hop IP",
					     "Route Table", "ECMP", "To" };
	size_t npath = 0;
	for (size_t leaf = 0; leaf < t->n; leaf++) {
		const struct trace_hop *l = &t->hops[leaf];
		if (l->end == TRACE_CONTINUES)
			continue;
		size_t path[TRACE_MAX_DEPTH + 1];
		size_t n = cli_trace_path(t, leaf, path);
		printf("\npath %zu: %s\n", ++npath, cli_trace_leaf_text(l, t, buf, sizeof buf));
		struct render_tab *tab = render_tab_create(8, heads);
		if (!tab)
			return -1;
		for (size_t i = 0; i < n; i++) {
			const struct trace_hop *h = &t->hops[path[i]];
			char no[24], pfx[PREFIX_STRLEN], nip[IPV4_STRLEN], ecmp[32], to[160];
			snprintf(no, sizeof no, "%zu", i + 1);
			snprintf(ecmp, sizeof ecmp, "%u/%u", h->member + 1, h->nmembers);
			const char *cells[] = { no, cli_trace_place(h), prefix_format(h->matched, pfx),
						nh_type_name(h->nh),
						h->has_nh_ip ? ipv4_format(h->nh_ip, nip) : "",
						hop_route_table(h), ecmp,
						hop_to_cell(h, to, sizeof to) };
			if (render_tab_add(tab, cells) != 0) {
				render_tab_destroy(tab);
				return -1;
			}
		}
		render_tab_print(tab, stdout, "  ");
		render_tab_destroy(tab);
	}
	return 0;
}

int cli_trace_source(const struct topology *topo, const char *from, const struct nic **nic,
		     const struct subnet **subnet)
{
	*nic = topology_nic(topo, from);
	*subnet = *nic ? (*nic)->subnet : topology_subnet(topo, from);
	return *subnet ? 0 : -1;
}

int cmd_trace(int argc, char **argv)
{
	struct cli_parser p;
	struct cli_common common;
	const char *file = NULL, *at = NULL, *from = NULL, *to = NULL;
	const struct cli_option opts[] = {
		CLI_ARGS(cli_arg_scenario, &file, "SCENARIO"),
		CLI_REQUIRED("from", &from, "NIC|VNET/SUBNET",
			     "where the packets start: a NIC (its own view) or a subnet"),
		CLI_REQUIRED("to", &to, "IP", "the destination IPv4 address"),
		CLI_STRING("at", 0, &at, "LABEL|TIME",
			   "a checkpoint label, 'start', 'end' (default) or a time"),
		CLI_END,
	};
	uint32_t dst = 0;
	int rc = cli_parse(&p, &TRACE, opts, &common, argc, argv);
	if (rc == CLI_PARSED && ipv4_parse(to, &dst) != 0)
		rc = cli_usage_error(&p, "--to %s is not an IPv4 address", to);
	rc = cli_trace_format(&p, &common, rc, "trace");
	enum render_format fmt = cli_format(&common);
	if (rc != CLI_PARSED)
		return rc;
	struct cli_trace_session ts;
	rc = cli_trace_open(&ts, file, &common, at);
	if (rc != CLI_EXIT_OK)
		return rc;
	const struct nic *nic;
	const struct subnet *subnet;
	if (cli_trace_source(ts.s.cp->topo, from, &nic, &subnet) != 0) {
		fprintf(stderr, "%s: --from %s: no NIC or subnet (VNET/SUBNET) has this name at %s\n",
			ts.s.sc->file, from, ts.s.cp->label);
		cli_trace_close(&ts);
		return CLI_EXIT_INVALID;
	}
	struct trace t = { 0 };
	if (trace_run(ts.env, nic, subnet, dst, &t) != 0) {
		rc = CLI_EXIT_ENV;
	} else if (fmt == RENDER_TABLE) {
		rc = print_table(&ts, from, &t) != 0 ? CLI_EXIT_ENV : CLI_EXIT_OK;
	} else {
		print_json(&ts, from, &t, fmt == RENDER_JSON);
	}
	if (rc == CLI_EXIT_ENV)
		fprintf(stderr, "vnetsim: out of memory\n");
	struct trace_counts c = trace_count(&t);
	if (rc == CLI_EXIT_OK && (c.dropped || c.looped))
		rc = CLI_EXIT_DIFF;
	trace_fini(&t);
	cli_trace_close(&ts);
	return cli_finish_output(rc);
}
