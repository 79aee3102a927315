/*
 * test_render.c - output formats: az's effective-route JSON shape (key
 * order, empty lists, nulls), table alignment, CSV quoting (RFC 4180),
 * jsonl target keys, Network Watcher's next hop, the +/- change listing,
 * time formatting.  Boundaries: no rows, several prefixes, no address.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "capture.h"
#include "render.h"

static struct prefix P(const char *s)
{
	struct prefix p;
	cr_assert_eq(prefix_parse(s, &p), PREFIX_OK, "%s", s);
	return p;
}

static uint32_t IP(const char *s)
{
	uint32_t a;
	cr_assert_eq(ipv4_parse(s, &a), 0, "%s", s);
	return a;
}

/* A few rows like a real table: system, gateway, User, service endpoint. */
struct rows {
	struct prefix p[8];
	struct route_row r[4];
};

static void make_rows(struct rows *x)
{
	x->p[0] = P("10.0.0.0/16");
	x->p[1] = P("0.0.0.0/0");
	x->p[2] = P("10.100.0.0/16");
	x->p[3] = P("20.38.98.0/24");
	x->p[4] = P("20.47.1.0/24");
	x->r[0] = (struct route_row){ .source = SRC_DEFAULT, .active = true, .nh = NH_VNET_LOCAL,
				      .prefixes = &x->p[0], .nprefixes = 1 };
	x->r[1] = (struct route_row){ .source = SRC_GATEWAY, .active = false, .nh = NH_VNET_GATEWAY,
				      .prefixes = &x->p[2], .nprefixes = 1, .nh_ip = IP("10.0.1.4"),
				      .has_nh_ip = true };
	x->r[2] = (struct route_row){ .source = SRC_USER, .active = true,
				      .nh = NH_VIRTUAL_APPLIANCE, .prefixes = &x->p[1],
				      .nprefixes = 1, .nh_ip = IP("10.0.100.4"), .has_nh_ip = true,
				      .name = "Default-NVA", .rt_name = "rt" };
	x->r[3] = (struct route_row){ .source = SRC_DEFAULT, .active = true,
				      .nh = NH_SERVICE_ENDPOINT, .prefixes = &x->p[3],
				      .nprefixes = 2 };
}

Test(render, format_names)
{
	static const char *const names[] = { "table", "json", "jsonl", "csv" };
	for (size_t i = 0; i < 4; i++) {
		enum render_format f;
		cr_assert(render_format_parse(names[i], &f));
		cr_expect_str_eq(render_format_name(f), names[i]);
	}
	enum render_format f;
	cr_expect_not(render_format_parse("JSON", &f));
	cr_expect_not(render_format_parse("", &f));
	cr_expect_not(render_format_parse("yaml", &f));
}

Test(render, time)
{
	static const struct {
		int64_t ms;
		const char *s;
	} cases[] = {
		{ 0, "0.000s" }, { 1, "0.001s" }, { 999, "0.999s" }, { 1000, "1.000s" },
		{ 90500, "90.500s" }, { -5, "-0.005s" }, { INT64_MAX, "9223372036854775.807s" },
		{ INT64_MIN, "-9223372036854775.808s" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[32];
		cr_expect_str_eq(render_time(cases[i].ms, buf), cases[i].s);
	}
}

Test(render, csv_quoting)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "plain", "plain" },   { "", "" },
		{ "a,b", "\"a,b\"" },   { "say \"hi\"", "\"say \"\"hi\"\"\"" },
		{ "l1\nl2", "\"l1\nl2\"" }, { "cr\r", "\"cr\r\"" },
		{ NULL, "" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct capture c;
		render_csv_field(capture_begin(&c), cases[i].in);
		char *s = capture_end(&c);
		cr_expect_str_eq(s, cases[i].out, "case %zu", i);
		free(s);
	}
	struct capture c;
	const char *cells[3] = { "a", NULL, "x,y" };
	render_csv_line(capture_begin(&c), cells, 3);
	char *s = capture_end(&c);
	cr_expect_str_eq(s, "a,,\"x,y\"\n");
	free(s);
}

Test(render, text_table_alignment)
{
	static const char *const hdr[] = { "A", "Long header", "C" };
	struct render_tab *t = render_tab_create(3, hdr);
	cr_assert_not_null(t);
	const char *r1[] = { "xxxx", "y", "" };
	const char *r2[] = { "x", NULL, "zz" };
	cr_assert_eq(render_tab_add(t, r1), 0);
	cr_assert_eq(render_tab_add(t, r2), 0);
	cr_expect_eq(render_tab_rows(t), 2);
	struct capture c;
	render_tab_print(t, capture_begin(&c), "> ");
	char *s = capture_end(&c);
	/* az's layout (tabulate "simple"): a column is at least its header
	 * plus 2 wide; trailing blanks dropped. */
	cr_expect_str_eq(s, "> A     Long header    C\n"
			    "> ----  -------------  ---\n"
			    "> xxxx  y\n"
			    "> x                    zz\n");
	free(s);
	render_tab_destroy(t);
	render_tab_destroy(NULL);
}

Test(render, row_cells)
{
	struct rows x;
	make_rows(&x);
	char *p = render_row_prefixes(&x.r[3]);
	cr_expect_str_eq(p, "20.38.98.0/24 20.47.1.0/24");
	free(p);
	char *ip = render_row_next_hops(&x.r[0]);
	cr_expect_str_eq(ip, "");
	free(ip);
	ip = render_row_next_hops(&x.r[1]);
	cr_expect_str_eq(ip, "10.0.1.4");
	free(ip);
	cr_expect_str_eq(render_row_state(&x.r[1]), "Invalid");
}

/* The az shape, exactly (RULES E8.2): every key, in order. */
Test(render, az_table_json_exact)
{
	struct rows x;
	make_rows(&x);
	struct capture c;
	struct jsonw w;
	jsonw_init(&w, capture_begin(&c), false, 0);
	render_table_json(&w, &x.r[2], 1, true);
	char *s = capture_end(&c);
	cr_expect_str_eq(s,
			 "{\"nextLink\":null,\"value\":[{\"name\":\"Default-NVA\","
			 "\"source\":\"User\",\"state\":\"Active\","
			 "\"addressPrefix\":[\"0.0.0.0/0\"],\"nextHopIpAddress\":[\"10.0.100.4\"],"
			 "\"nextHopType\":\"VirtualAppliance\",\"disableBgpRoutePropagation\":true,"
			 "\"hasBgpOverride\":false,\"destinationServiceTags\":[],\"tagMap\":{}}]}");
	free(s);
}

Test(render, az_table_json_empty)
{
	struct capture c;
	struct jsonw w;
	jsonw_init(&w, capture_begin(&c), true, 0);
	render_table_json(&w, NULL, 0, false);
	char *s = capture_end(&c);
	cr_expect_str_eq(s, "{\n  \"nextLink\": null,\n  \"value\": []\n}");
	free(s);
}

static char *routes_output(enum render_format f, bool keyed, size_t ntargets)
{
	struct rows x;
	make_rows(&x);
	struct capture c;
	struct render_out o;
	render_out_begin(&o, capture_begin(&c), f, keyed);
	struct render_target t1 = { "nic", "web-0001", "spoke/app", false, NULL, NULL, false };
	struct render_target t2 = { "subnet", "hub/GatewaySubnet", NULL, true, NULL, NULL, false };
	render_out_routes(&o, &t1, x.r, 4);
	if (ntargets > 1)
		render_out_routes(&o, &t2, x.r, 1);
	cr_assert_eq(render_out_end(&o), 0);
	return capture_end(&c);
}

Test(render, routes_json_single_is_az_shape)
{
	char *s = routes_output(RENDER_JSON, false, 1);
	cJSON *doc = cJSON_Parse(s);
	cr_assert_not_null(doc, "not JSON: %s", s);
	cr_expect(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(doc, "nextLink")));
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, "value");
	cr_assert(cJSON_IsArray(v));
	cr_expect_eq(cJSON_GetArraySize(v), 4);
	const cJSON *se = cJSON_GetArrayItem(v, 3);
	cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(se, "addressPrefix")), 2);
	cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(se, "nextHopIpAddress")),
		     0);
	cr_expect(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(se, "name")));
	cr_expect_eq(s[strlen(s) - 1], '\n');
	cJSON_Delete(doc);
	free(s);
}

Test(render, routes_json_keyed)
{
	char *s = routes_output(RENDER_JSON, true, 2);
	cJSON *doc = cJSON_Parse(s);
	cr_assert_not_null(doc, "not JSON: %s", s);
	cr_assert_eq(cJSON_GetArraySize(doc), 2);
	cr_expect_str_eq(doc->child->string, "web-0001"); /* resolution order */
	cr_expect_str_eq(doc->child->next->string, "hub/GatewaySubnet");
	const cJSON *gw = cJSON_GetObjectItemCaseSensitive(doc, "hub/GatewaySubnet");
	const cJSON *row = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(gw, "value"), 0);
	cr_expect(
		cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(row, "disableBgpRoutePropagation")));
	cJSON_Delete(doc);
	free(s);
}

Test(render, routes_json_keyed_without_targets)
{
	struct capture c;
	struct render_out o;
	render_out_begin(&o, capture_begin(&c), RENDER_JSON, true);
	cr_assert_eq(render_out_end(&o), 0);
	char *s = capture_end(&c);
	cr_expect_str_eq(s, "{}\n");
	free(s);
}

Test(render, routes_jsonl_target_first)
{
	char *s = routes_output(RENDER_JSONL, true, 2);
	size_t lines = 0;
	for (char *line = strtok(s, "\n"); line; line = strtok(NULL, "\n"), lines++) {
		cJSON *o = cJSON_Parse(line);
		cr_assert_not_null(o, "line %zu: %s", lines, line);
		cr_expect(strcmp(o->child->string, "nic") == 0 ||
			  strcmp(o->child->string, "subnet") == 0);
		cr_expect_not_null(cJSON_GetObjectItemCaseSensitive(o, "nextHopType"));
		cJSON_Delete(o);
	}
	cr_expect_eq(lines, 5);
	free(s);
}

Test(render, routes_csv)
{
	char *s = routes_output(RENDER_CSV, false, 1);
	cr_expect_str_eq(
		s, "target,name,source,state,addressPrefix,nextHopType,nextHopIpAddress,"
		   "disableBgpRoutePropagation\n"
		   "web-0001,,Default,Active,10.0.0.0/16,VnetLocal,,false\n"
		   "web-0001,,VirtualNetworkGateway,Invalid,10.100.0.0/16,VirtualNetworkGateway,"
		   "10.0.1.4,false\n"
		   "web-0001,Default-NVA,User,Active,0.0.0.0/0,VirtualAppliance,10.0.100.4,false\n"
		   "web-0001,,Default,Active,20.38.98.0/24 20.47.1.0/24,"
		   "VirtualNetworkServiceEndpoint,,false\n");
	free(s);
}

Test(render, routes_table_az_columns)
{
	char *s = routes_output(RENDER_TABLE, false, 1);
	cr_expect_str_eq(s,
			 "Source                 State    Address Prefix              "
			 "Next Hop Type                  Next Hop IP\n"
			 "---------------------  -------  --------------------------  "
			 "-----------------------------  -------------\n"
			 "Default                Active   10.0.0.0/16                 VnetLocal\n"
			 "VirtualNetworkGateway  Invalid  10.100.0.0/16               "
			 "VirtualNetworkGateway          10.0.1.4\n"
			 "User                   Active   0.0.0.0/0                   "
			 "VirtualAppliance               10.0.100.4\n"
			 "Default                Active   20.38.98.0/24 20.47.1.0/24  "
			 "VirtualNetworkServiceEndpoint\n");
	free(s);
}

Test(render, routes_table_headings_when_keyed)
{
	char *s = routes_output(RENDER_TABLE, true, 2);
	cr_expect(strncmp(s, "NIC web-0001 (subnet spoke/app)\nSource", 38) == 0, "%s", s);
	cr_expect_not_null(strstr(s, "\n\nsubnet hub/GatewaySubnet\nSource"));
	free(s);
}

Test(render, next_hop_json_shapes)
{
	struct next_hop sys = { .found = true, .nh = NH_INTERNET, .matched = P("0.0.0.0/0") };
	struct next_hop udr = { .found = true, .nh = NH_VIRTUAL_APPLIANCE, .nh_ip = IP("10.0.1.4"),
				.has_nh_ip = true, .route_table = "rt-spoke",
				.matched = P("0.0.0.0/0") };
	struct next_hop none = { .found = false };
	struct render_target t = { "nic", "vm", "v/s", false, NULL, NULL, false };
	const struct {
		const struct next_hop *nh;
		const char *out;
	} cases[] = {
		{ &sys, "{\"nextHopType\":\"Internet\",\"nextHopIpAddress\":null,"
			"\"routeTableId\":\"System Route\"}" },
		{ &udr, "{\"nextHopType\":\"VirtualAppliance\",\"nextHopIpAddress\":\"10.0.1.4\","
			"\"routeTableId\":\"rt-spoke\"}" },
		{ &none, "{\"nextHopType\":\"None\",\"nextHopIpAddress\":null,"
			 "\"routeTableId\":\"System Route\"}" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct capture c;
		struct render_out o;
		render_out_begin(&o, capture_begin(&c), RENDER_JSON, false);
		o.w.pretty = false; /* compare compactly */
		render_out_next_hop(&o, &t, cases[i].nh);
		cr_assert_eq(render_out_end(&o), 0);
		char *s = capture_end(&c);
		size_t n = strlen(cases[i].out);
		cr_expect(strncmp(s, cases[i].out, n) == 0 && strcmp(s + n, "\n") == 0,
			  "case %zu: %s", i, s);
		free(s);
	}
	cr_expect_str_eq(render_route_table_id(&udr), "rt-spoke");
	cr_expect_str_eq(render_route_table_id(&sys), "System Route");
}

Test(render, next_hop_table_and_csv)
{
	struct next_hop udr = { .found = true,
				.nh = NH_NONE,
				.nh_ip = IP("192.0.2.1"),
				.has_nh_ip = true,
				.route_table = "rt",
				.matched = P("10.60.0.0/16") };
	struct render_target t = { "subnet", "s/a", NULL, false, NULL, NULL, false };
	struct capture c;
	struct render_out o;
	render_out_begin(&o, capture_begin(&c), RENDER_TABLE, false);
	render_out_next_hop(&o, &t, &udr);
	cr_assert_eq(render_out_end(&o), 0);
	char *s = capture_end(&c);
	cr_expect_str_eq(s, "Next Hop Type    Next Hop IP    Route Table    Matched Prefix\n"
			    "---------------  -------------  -------------  ----------------\n"
			    "None             192.0.2.1      rt             10.60.0.0/16\n");
	free(s);
	render_out_begin(&o, capture_begin(&c), RENDER_CSV, true);
	render_out_next_hop(&o, &t, &udr);
	cr_assert_eq(render_out_end(&o), 0);
	s = capture_end(&c);
	cr_expect_str_eq(s, "target,nextHopType,nextHopIpAddress,routeTableId,matchedPrefix\n"
			    "s/a,None,192.0.2.1,rt,10.60.0.0/16\n");
	free(s);
}

Test(render, changes_sorted_removed_first)
{
	struct rows x;
	make_rows(&x);
	struct route_row internet = { .source = SRC_DEFAULT, .active = true, .nh = NH_INTERNET,
				      .prefixes = &x.p[1], .nprefixes = 1 };
	const struct route_row *removed[] = { &x.r[0], &internet };
	const struct route_row *added[] = { &x.r[2] };
	struct capture c;
	cr_assert_eq(render_changes_text(capture_begin(&c), "  ", removed, 2, added, 1), 0);
	char *s = capture_end(&c);
	cr_expect_str_eq(s, "  -  Default  Active  0.0.0.0/0    Internet\n"
			    "  +  User     Active  0.0.0.0/0    VirtualAppliance  10.0.100.4  "
			    "(Default-NVA)\n"
			    "  -  Default  Active  10.0.0.0/16  VnetLocal\n");
	free(s);
}

Test(render, changes_json_and_csv)
{
	struct rows x;
	make_rows(&x);
	const struct route_row *added[] = { &x.r[1] };
	struct capture c;
	struct jsonw w;
	jsonw_init(&w, capture_begin(&c), false, 0);
	jsonw_object_begin(&w);
	render_changes_json(&w, NULL, 0, added, 1);
	jsonw_object_end(&w);
	char *s = capture_end(&c);
	cr_expect_str_eq(s,
			 "{\"removed\":[],\"added\":[{\"name\":null,"
			 "\"source\":\"VirtualNetworkGateway\",\"state\":\"Invalid\","
			 "\"addressPrefix\":[\"10.100.0.0/16\"],"
			 "\"nextHopIpAddress\":[\"10.0.1.4\"],"
			 "\"nextHopType\":\"VirtualNetworkGateway\"}]}");
	free(s);
	const char *lead[] = { "hub/a", "3" };
	render_changes_csv(capture_begin(&c), lead, 2, added, 1, NULL, 0);
	s = capture_end(&c);
	cr_expect_str_eq(s, "hub/a,3,-,VirtualNetworkGateway,Invalid,10.100.0.0/16,"
			    "VirtualNetworkGateway,10.0.1.4,\n");
	free(s);
}

/* Targets with the same rows (the NICs of a subnet: same table, same
 * view) get the text of the previous one's copied, in keyed json and in
 * jsonl: the output is byte for byte the one without the source known
 * (table NULL), whatever the order of tables, views and propagation flags,
 * and with a row too long to be composed. */
Test(render, shared_rows_same_bytes)
{
	struct rows x;
	make_rows(&x);
	static char long_name[3000];
	memset(long_name, 'n', sizeof(long_name) - 1);
	struct route_row with_long[2] = { x.r[0], x.r[2] };
	with_long[1].name = long_name;
	static int tab_a, tab_b, tab_c; /* stand-ins: only their addresses are compared */
	const struct eff_table *A = (const void *)&tab_a, *B = (const void *)&tab_b,
			       *C = (const void *)&tab_c;
	struct {
		const struct eff_table *table;
		bool without_rs, disable_bgp;
	} seq[] = { { A, false, false }, { A, false, false }, { A, false, false },
		    { B, false, false }, { A, false, false }, { A, false, false },
		    { A, true, false },  { A, true, false },  { A, false, true },
		    { A, false, true },  { C, false, false }, { C, false, false },
		    { C, false, false }, { B, false, false } };
	size_t nseq = sizeof(seq) / sizeof(seq[0]);
	static const enum render_format fmts[] = { RENDER_JSON, RENDER_JSONL };
	for (size_t f = 0; f < 2; f++) {
		char *out[2];
		for (int known = 0; known < 2; known++) {
			struct capture c;
			struct render_out o;
			render_out_begin(&o, capture_begin(&c), fmts[f], true);
			for (size_t i = 0; i < nseq; i++) {
				char name[32];
				snprintf(name, sizeof(name), "nic-%02zu", i);
				struct render_target t = { "nic", name, "v/s", seq[i].disable_bgp, NULL,
							   known ? seq[i].table : NULL,
							   seq[i].without_rs };
				/* each table and view has rows of its own */
				const struct route_row *rows = x.r;
				size_t n = 4;
				if (seq[i].table == B)
					n = 2;
				if (seq[i].without_rs)
					rows = x.r + 1, n = 3;
				if (seq[i].table == C)
					rows = with_long, n = 2;
				render_out_routes(&o, &t, rows, n);
			}
			cr_assert_eq(render_out_end(&o), 0);
			out[known] = capture_end(&c);
		}
		cr_expect_str_eq(out[1], out[0], "format %zu", f);
		cr_expect(strstr(out[0], long_name) != NULL);
		free(out[0]);
		free(out[1]);
	}
}
