#include "core/auth/authlogging.h"

namespace Aq::Auth
{
    Q_LOGGING_CATEGORY(lcAuth, "aq.auth")
}
