#pragma once

#include <QtGlobal>

namespace Aq::Server
{
    // Raises the soft limit on open files (RLIMIT_NOFILE) to the hard limit. Call once at startup, before
    // listening: every connection is a file descriptor, and the usual soft limit of 1,024 is below what the server
    // must hold (HttpServerLimits::maxConnections is 2,000 by default, plus SQLite and log files). The hard limit
    // (often 524,288 on Debian 12 under systemd) is left alone: raising it needs privileges.
    // Returns the soft limit now in force, or -1 where there is none or it cannot be read or changed.
    qint64 raiseOpenFileLimit();
}
