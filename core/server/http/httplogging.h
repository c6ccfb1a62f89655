#pragma once

#include <QLoggingCategory>

namespace Aq::Server
{
    Q_DECLARE_LOGGING_CATEGORY(lcHttp)
}
