#include "node_affinity.h"

CAPSTAN_PLUGIN(capstan::sched::NodeAffinity, "NodeAffinity", "1.0.0",
               "scheduler.preFilter,scheduler.filter,scheduler.preScore,scheduler.score",
               "Filters nodes by the pod's nodeSelector and required node affinity, scores its preferred terms")
