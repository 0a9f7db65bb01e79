#include "inter_pod_affinity.h"

CAPSTAN_PLUGIN(capstan::sched::InterPodAffinity, "InterPodAffinity", "1.0.0",
               "scheduler.preFilter,scheduler.filter,scheduler.preScore,scheduler.score",
               "Places pods by their pod affinity and anti-affinity to pods already running")
