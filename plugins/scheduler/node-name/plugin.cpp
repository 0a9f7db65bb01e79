#include "node_name.h"

CAPSTAN_PLUGIN(capstan::sched::NodeName, "NodeName", "1.0.0", "scheduler.filter",
               "Filters out every node but the one named in the pod's spec.nodeName")
