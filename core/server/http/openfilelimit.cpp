#include "core/server/http/openfilelimit.h"

#ifdef Q_OS_UNIX
#include <sys/resource.h>
#endif

#include "core/server/http/httplogging.h"

namespace Aq::Server
{
    qint64 raiseOpenFileLimit()
    {
#ifdef Q_OS_UNIX
        rlimit limit {};
        if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
            return -1;
        if (limit.rlim_cur >= limit.rlim_max)
            return (limit.rlim_cur == RLIM_INFINITY) ? -1 : qint64(limit.rlim_cur);
        const rlim_t previous = limit.rlim_cur;
        limit.rlim_cur = limit.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
            qCWarning(lcHttp) << "cannot raise the open-file limit from" << qint64(previous);
            return qint64(previous);
        }
        qCDebug(lcHttp) << "open-file limit raised from" << qint64(previous) << "to" << qint64(limit.rlim_cur);
        return (limit.rlim_cur == RLIM_INFINITY) ? -1 : qint64(limit.rlim_cur);
#else
        return -1;
#endif
    }
}
