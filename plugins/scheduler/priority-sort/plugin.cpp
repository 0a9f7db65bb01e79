#include "priority_sort.h"

CAPSTAN_PLUGIN(capstan::sched::PrioritySort, "PrioritySort", "1.0.0", "scheduler.queueSort",
               "Orders the scheduling queue by pod priority, then by time in the queue")
