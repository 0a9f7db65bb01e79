#include "node_resources_balanced_allocation.h"

CAPSTAN_PLUGIN(capstan::sched::NodeResourcesBalancedAllocation, "NodeResourcesBalancedAllocation", "1.0.0",
               "scheduler.preScore,scheduler.score",
               "Scores nodes by how evenly the pod would leave their resources allocated")
