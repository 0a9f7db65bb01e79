#include "node_ports.h"

CAPSTAN_PLUGIN(capstan::sched::NodePorts, "NodePorts", "1.0.0", "scheduler.preFilter,scheduler.filter",
               "Filters out nodes where a host port the pod asks for is already taken")
