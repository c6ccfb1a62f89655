#pragma once

#include <QLoggingCategory>

namespace Aq::Auth
{
    // Never log a token, a private key, a refresh token or a client secret under this category (or any other).
    Q_DECLARE_LOGGING_CATEGORY(lcAuth)
}
