#include "core/auth/bearerkeycredentials.h"

#include <algorithm>

using namespace Qt::Literals::StringLiterals;

namespace Aq::Auth
{
    BearerKeyCredentials::BearerKeyCredentials(const QByteArray &key, const QString &source, QObject *parent)
        : Credentials(parent)
        , m_key {key.trimmed()}
        , m_source {source}
    {
    }

    void BearerKeyCredentials::headersFor(const QUrl &, HeadersCallback callback)
    {
        if (m_key.isEmpty()) {
            callback(ApiError::unauthenticated(u"The %1 is empty."_s.arg(description())));
            return;
        }
        // a line break would end the header and start another one
        if (std::any_of(m_key.cbegin(), m_key.cend(), [](char c) { return uchar(c) < 0x20 || c == 0x7f; })) {
            callback(ApiError::unauthenticated(u"The %1 contains control characters, which cannot be sent in a header."_s.arg(description())));
            return;
        }
        callback(AuthorizationHeaders {"Bearer " + m_key, {}});
    }

    QString BearerKeyCredentials::description() const
    {
        return m_source.isEmpty() ? u"API key"_s : u"API key from %1"_s.arg(m_source);
    }
}
