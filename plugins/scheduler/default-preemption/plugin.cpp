#include "default_preemption.h"

CAPSTAN_PLUGIN(capstan::sched::DefaultPreemption, "DefaultPreemption", "1.0.0", "scheduler.postFilter",
               "Evicts lower-priority pods so that a pod no node fits can run, and nominates the node for it")
