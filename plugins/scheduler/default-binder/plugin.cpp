#include "default_binder.h"

CAPSTAN_PLUGIN(capstan::sched::DefaultBinder, "DefaultBinder", "1.0.0", "scheduler.bind",
               "Binds pods through the API's binding subresource, in batches")
