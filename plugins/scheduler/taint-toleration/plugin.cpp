#include "taint_toleration.h"

CAPSTAN_PLUGIN(capstan::sched::TaintToleration, "TaintToleration", "1.0.0",
               "scheduler.filter,scheduler.preScore,scheduler.score",
               "Filters nodes with untolerated NoSchedule/NoExecute taints, prefers fewer PreferNoSchedule ones")
