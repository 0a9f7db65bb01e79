#include "scheduling_gates.h"

CAPSTAN_PLUGIN(capstan::sched::SchedulingGates, "SchedulingGates", "1.0.0", "scheduler.preEnqueue",
               "Keeps pods with spec.schedulingGates out of the scheduling queue until the gates are removed")
