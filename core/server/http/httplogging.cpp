#include "core/server/http/httplogging.h"

namespace Aq::Server
{
    // Debug output (one line per refused request or idle close) is off unless asked for with
    // QT_LOGGING_RULES="aq.server.http.debug=true": a flood of bad requests must not become a flood of log lines.
    Q_LOGGING_CATEGORY(lcHttp, "aq.server.http", QtInfoMsg)
}
