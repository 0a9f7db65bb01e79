#include "image_locality.h"

CAPSTAN_PLUGIN(capstan::sched::ImageLocality, "ImageLocality", "1.0.0", "scheduler.score",
               "Favours nodes that already have the pod's container images")
