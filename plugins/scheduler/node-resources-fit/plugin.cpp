#include "node_resources_fit.h"

CAPSTAN_PLUGIN(capstan::sched::NodeResourcesFit, "NodeResourcesFit", "1.0.0",
               "scheduler.preFilter,scheduler.filter,scheduler.preScore,scheduler.score",
               "Filters out nodes without room for the pod's requests and scores nodes by allocation")
