/*
 * run_topology.h - the base network of the replay's tests (test_run.c,
 * test_run_oom.c), as JSON with single quotes (json_dq): hub 10.0.0.0/16
 * with subnets RouteServerSubnet, nva and app (route table rt-app), peered
 * with spoke 10.1.0.0/16, which uses the hub's gateways; an isolated VNet
 * iso 10.9.0.0/16.  Each test adds its Route Server and NICs.
 */
#ifndef TESTS_UNIT_REPLAY_RUN_TOPOLOGY_H
#define TESTS_UNIT_REPLAY_RUN_TOPOLOGY_H

#define HUB_SUBNETS                                                                            \
	"{ 'name': 'RouteServerSubnet', 'addressPrefix': '10.0.254.0/26' },"                   \
	"{ 'name': 'nva', 'addressPrefix': '10.0.1.0/24' },"                                   \
	"{ 'name': 'app', 'addressPrefix': '10.0.16.0/20', 'routeTable': { 'id': 'rt-app' } }"
#define VNETS                                                                                  \
	"'virtualNetworks': ["                                                                 \
	" { 'name': 'hub', 'location': 'westeurope',"                                          \
	"   'addressSpace': { 'addressPrefixes': ['10.0.0.0/16'] },"                           \
	"   'subnets': [ " HUB_SUBNETS " ],"                                                   \
	"   'virtualNetworkPeerings': [ { 'name': 'hub-spoke',"                                \
	"     'remoteVirtualNetwork': { 'id': 'spoke' }, 'allowGatewayTransit': true } ] },"   \
	" { 'name': 'spoke', 'location': 'westeurope',"                                        \
	"   'addressSpace': { 'addressPrefixes': ['10.1.0.0/16'] },"                           \
	"   'subnets': [ { 'name': 'app', 'addressPrefix': '10.1.0.0/24' } ],"                 \
	"   'virtualNetworkPeerings': [ { 'name': 'spoke-hub',"                                \
	"     'remoteVirtualNetwork': { 'id': 'hub' }, 'useRemoteGateways': true } ] },"       \
	" { 'name': 'iso', 'location': 'westeurope',"                                          \
	"   'addressSpace': { 'addressPrefixes': ['10.9.0.0/16'] },"                           \
	"   'subnets': [ { 'name': 'app', 'addressPrefix': '10.9.0.0/24' } ] } ]"
#define RT                                                                                     \
	"'routeTables': [ { 'name': 'rt-app', 'routes': [ { 'name': 'web',"                    \
	"  'addressPrefix': '8.8.8.0/24', 'nextHopType': 'Internet' } ] } ]"

#endif
