#include "node_unschedulable.h"

CAPSTAN_PLUGIN(capstan::sched::NodeUnschedulable, "NodeUnschedulable", "1.0.0", "scheduler.filter",
               "Filters out nodes marked unschedulable (kubectl cordon) unless the pod tolerates it")
