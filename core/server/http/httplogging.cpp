#include "core/server/http/httplogging.h"

namespace Aq::Server
{
    Q_LOGGING_CATEGORY(lcHttp, "aq.server.http")
}
