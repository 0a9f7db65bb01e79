#include "pod_topology_spread.h"

CAPSTAN_PLUGIN(capstan::sched::PodTopologySpread, "PodTopologySpread", "1.0.0",
               "scheduler.preFilter,scheduler.filter,scheduler.preScore,scheduler.score",
               "Spreads matching pods across topology domains (topologySpreadConstraints)")
