// Everything lives in include/CFleetShims.h as static inline functions; this file
// exists because SwiftPM needs one source file per C target.
#include "CFleetShims.h"
