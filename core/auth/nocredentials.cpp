#include "core/auth/nocredentials.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Auth
{
    NoCredentials::NoCredentials(QObject *parent)
        : Credentials(parent)
    {
    }

    void NoCredentials::headersFor(const QUrl &, HeadersCallback callback)
    {
        callback(AuthorizationHeaders {});
    }

    QString NoCredentials::description() const
    {
        return u"no credentials"_s;
    }
}
