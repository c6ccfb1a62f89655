#pragma once

#include <sys/resource.h>

// The process's CPU time so far, user and system, in seconds: the benches report CPU per unit of work beside wall time.
inline double processCpuSeconds()
{
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}
