#include "core/auth/metadataservercredentials.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QUrlQuery>

using namespace Qt::Literals::StringLiterals;

namespace Aq::Auth
{
    namespace
    {
        const QByteArray FLAVOR_HEADER = QByteArrayLiteral("Metadata-Flavor");
        const QByteArray FLAVOR_GOOGLE = QByteArrayLiteral("Google");
        constexpr qint64 MAX_PROJECT_ID_BYTES = 1024;
    }

    MetadataServerCredentials::MetadataServerCredentials(QNetworkAccessManager *network, const QString &host, QObject *parent)
        : AccessTokenCredentials(network, parent)
    {
        const QString address = host.isEmpty() ? defaultHost() : host;
        m_baseUrl = QUrl(address.contains(u"://"_s) ? address : u"http://"_s + address);
    }

    QString MetadataServerCredentials::description() const
    {
        return u"metadata server (%1)"_s.arg(m_baseUrl.authority());
    }

    QString MetadataServerCredentials::projectId() const
    {
        return m_projectId;
    }

    void MetadataServerCredentials::setProjectId(const QString &projectId)
    {
        m_projectId = projectId;
    }

    void MetadataServerCredentials::setScopes(const QStringList &scopes)
    {
        m_scopes = scopes;
        invalidate();
    }

    QUrl MetadataServerCredentials::baseUrl() const
    {
        return m_baseUrl;
    }

    void MetadataServerCredentials::fetchProjectId(int timeoutMs, std::function<void(Result<QString>)> callback)
    {
        if (!network()) {
            callback(ApiError::internal(u"%1: no network access manager to ask with."_s.arg(description())));
            return;
        }
        QNetworkRequest projectRequest = request(u"/computeMetadata/v1/project/project-id"_s);
        projectRequest.setTransferTimeout(timeoutMs);
        QNetworkReply *reply = network()->get(projectRequest);
        connect(reply, &QNetworkReply::finished, this, [this, reply, timeoutMs, callback = std::move(callback)] {
            reply->deleteLater();
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            if (status == 0) {
                const QString reason = reply->error() == QNetworkReply::OperationCanceledError
                    ? u"no answer within %1 ms"_s.arg(timeoutMs)
                    : reply->errorString();
                callback(ApiError::unavailable(u"%1 is not reachable: %2."_s.arg(description(), reason)));
                return;
            }
            if (Status checked = checkReply(reply); !checked) {
                callback(checked.error());
                return;
            }
            const QString projectId = QString::fromUtf8(reply->read(MAX_PROJECT_ID_BYTES)).trimmed();
            if (status != 200 || projectId.isEmpty()) {
                callback(ApiError::unavailable(u"%1 did not give the project id (HTTP %2)."_s.arg(description()).arg(status)));
                return;
            }
            m_projectId = projectId;
            callback(projectId);
        });
    }

    QString MetadataServerCredentials::defaultHost()
    {
        return u"metadata.google.internal"_s;
    }

    Result<AccessTokenCredentials::TokenRequest> MetadataServerCredentials::tokenRequest() const
    {
        TokenRequest tokenRequest;
        tokenRequest.request = request(u"/computeMetadata/v1/instance/service-accounts/default/token"_s);
        if (!m_scopes.isEmpty()) {
            QUrl url = tokenRequest.request.url();
            url.setQuery(QUrlQuery {{u"scopes"_s, m_scopes.join(u',')}});
            tokenRequest.request.setUrl(url);
        }
        return tokenRequest;
    }

    Status MetadataServerCredentials::checkReply(QNetworkReply *reply) const
    {
        if (reply->rawHeader(FLAVOR_HEADER) == FLAVOR_GOOGLE)
            return Ok {};
        ApiError error = ApiError::unavailable(u"%1: the reply from %2 has no \"Metadata-Flavor: Google\" header, so it is not a metadata server."_s
                                                   .arg(description(), reply->url().toString(QUrl::RemoveQuery)));
        // asking again would reach the same impostor
        error.retryable = false;
        return error;
    }

    QString MetadataServerCredentials::refusalHint(const QString &) const
    {
        return u"Check that a service account is attached to this instance or service."_s;
    }

    QNetworkRequest MetadataServerCredentials::request(const QString &path) const
    {
        QUrl url = m_baseUrl;
        url.setPath(path);
        QNetworkRequest request(url);
        request.setRawHeader(FLAVOR_HEADER, FLAVOR_GOOGLE);
        request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
        return request;
    }
}
