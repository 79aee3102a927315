/*
 * test_armid.c - ARM resource IDs (models/rules/armid.c) and the lookups
 * that take them (topology.c, RULES 2.1.1): parsing, keys without letter
 * case, type paths and short names; a topology with two VNets "hub" in two
 * resource groups found by ID in any case, by a short name when it is
 * unique, never by a shared one (which topology_ambiguous explains), and an
 * ID the topology does not hold finding an object that was given no ID.
 */
#include <criterion/criterion.h>

#include "armid.h"
#include "helpers.h"

#define SUB "/subscriptions/0000-aa"

Test(armid, parses_scope_types_and_names)
{
	struct armid id;
	const char *why;
	const char *s = SUB "/resourceGroups/rg-Net/providers/Microsoft.Network/virtualNetworks/hub/"
			    "subnets/App";
	cr_assert(armid_parse(s, &id, &why));
	cr_assert_eq(id.levels, 2);
	cr_assert(armid_part_is(id.rg, id.rg_len, "RG-NET"));
	cr_assert(armid_part_is(id.sub, id.sub_len, "0000-AA"));
	char buf[128];
	cr_assert(armid_type_path(&id, buf, sizeof(buf)));
	cr_assert_str_eq(buf, "virtualnetworks/subnets");
	cr_assert(armid_short(&id, buf, sizeof(buf)));
	cr_assert_str_eq(buf, "hub/App");
	cr_assert_not(armid_type_path(&id, buf, 8), "too small a buffer is refused");
}

Test(armid, refuses_what_is_not_a_resource_id)
{
	struct armid id;
	const char *why;
	cr_assert_not(armid_parse("hub/app", &id, &why));
	cr_assert_not(armid_parse(SUB, &id, &why));
	cr_assert_str_eq(why, "no resource group");
	cr_assert_not(armid_parse(SUB "/resourceGroups/rg/providers/Microsoft.Network", &id, &why));
	cr_assert_not(armid_parse(SUB "/resourceGroups/rg/providers/Microsoft.Network/routeTables",
				  &id, &why));
	cr_assert_str_eq(why, "a resource type without a name");
	cr_assert_not(armid_parse(SUB "/resourceGroups/rg/providers/N/a/b//c/d", &id, &why));
}

Test(armid, key_ignores_case_and_a_trailing_slash)
{
	char a[128], b[128];
	cr_assert(armid_key(SUB "/resourceGroups/RG/providers/X/routeTables/RT/", a, sizeof(a)));
	cr_assert(armid_key("/SUBSCRIPTIONS/0000-AA/resourcegroups/rg/providers/x/routetables/rt", b,
			    sizeof(b)));
	cr_assert_str_eq(a, b);
	cr_assert_not(armid_key(SUB, a, 4));
}

#define VN(rg, name) SUB "/resourceGroups/" rg "/providers/Microsoft.Network/virtualNetworks/" name

static const char *const TWO_HUBS =
	"{'virtualNetworks': ["
	" {'name': 'hub', 'id': '" VN("rg-a", "hub") "', 'addressSpace': {'addressPrefixes': ['10.0.0.0/16']},"
	"  'subnets': [{'name': 'app', 'addressPrefix': '10.0.1.0/24'}]},"
	" {'name': 'hub', 'id': '" VN("rg-b", "hub") "', 'addressSpace': {'addressPrefixes': ['10.0.0.0/16']},"
	"  'subnets': [{'name': 'app', 'addressPrefix': '10.0.1.0/24'}]},"
	" {'name': 'solo', 'addressSpace': {'addressPrefixes': ['10.9.0.0/16']},"
	"  'subnets': [{'name': 'app', 'addressPrefix': '10.9.1.0/24'}]}]}";

Test(armid, lookups_take_ids_in_any_case_and_unique_short_names)
{
	struct tload x;
	struct topology *t = tload(&x, TWO_HUBS, NULL);
	struct vnet *a = topology_vnet(t, VN("RG-A", "HUB"));
	struct vnet *b = topology_vnet(t, VN("rg-b", "hub") "/");
	cr_assert_not_null(a);
	cr_assert_not_null(b);
	cr_assert_neq(a, b);
	cr_assert_str_eq(a->arm.rg, "rg-a");
	cr_assert_str_eq(b->arm.sub, "0000-aa");
	cr_assert_null(topology_vnet(t, "hub"), "a shared short name names no VNet");
	cr_assert_not_null(topology_ambiguous(t, ARM_VNET, "hub"));
	cr_assert_not_null(strstr(topology_ambiguous(t, ARM_SUBNET, "hub/app"), "rg-b"));
	cr_assert_null(topology_ambiguous(t, ARM_VNET, "solo"));
	cr_assert_eq(topology_subnet(t, VN("rg-b", "hub") "/subnets/APP"), b->subnets[0]);
	cr_assert_null(topology_subnet(t, VN("rg-b", "hub") "/subnets/web"));
	cr_assert_null(topology_route_table(t, VN("rg-b", "hub")), "the ID of another type");
	/* solo has no ID: any ID with its name finds it; hub's names do not. */
	cr_assert_eq(topology_vnet(t, "solo"), t->vnets[2]);
	cr_assert_eq(topology_vnet(t, VN("rg-x", "solo")), t->vnets[2]);
	cr_assert_eq(topology_subnet(t, VN("rg-x", "solo") "/subnets/app"), t->vnets[2]->subnets[0]);
	cr_assert_null(topology_vnet(t, VN("rg-x", "hub")));
	tload_free(&x);
}
